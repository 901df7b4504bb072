"""Log capture per invocation, the runtime's log format, and deterministic records."""

from __future__ import annotations

import io
import json
import logging
import re
import sys
import threading

import lambda_shared
import time_machine

from sim.ids import derive_rng
from sim.services.lambda_ import FunctionConfig, LambdaRuntime


def test_print_and_logging_are_captured_in_the_runtime_format(runtime):
    with time_machine.travel(1_700_000_000.5, tick=False):
        runtime.create_function(FunctionConfig(name="logs", handler="lambda_logs:handler"))
        first = runtime.invoke("logs", {})
        second = runtime.invoke("logs", {})
    rid = first.request_id
    body = (
        f"printed line\nto stderr\n[WARNING]\t2023-11-14T22:13:20.500Z\t{rid}\twarning message 42\n"
    )
    # Init output belongs to the first invocation's log.
    assert first.logs.startswith(
        f"init says hello\nSTART RequestId: {rid} Version: $LATEST\n{body}END RequestId: {rid}\n"
    )
    assert "info message" not in first.logs  # the root logger stays at WARNING, as on AWS
    assert second.logs.startswith(f"START RequestId: {second.request_id} Version: $LATEST\n")
    assert "init says hello" not in second.logs
    report = first.logs.split(f"END RequestId: {rid}\n", 1)[1]
    assert re.fullmatch(
        rf"REPORT RequestId: {rid}\tDuration: \d+\.\d\d ms\tBilled Duration: \d+ ms\t"
        r"Memory Size: 128 MB\tMax Memory Used: \d+ MB\tInit Duration: \d+\.\d\d ms\t\n",
        report,
    )
    assert "Init Duration" not in second.logs


def test_root_level_set_by_the_function_stays_with_its_environment(runtime):
    level = logging.root.level
    runtime.create_function(FunctionConfig(name="info", handler="lambda_logs_info:handler"))
    assert logging.root.level == level
    result = runtime.invoke("info", {})
    assert "[INFO]\t" in result.logs and "info visible" in result.logs
    assert "debug hidden" not in result.logs
    assert logging.root.level == level
    assert "info visible" in runtime.invoke("info", {}).logs


def test_output_of_other_threads_is_untouched(runtime, capsys, caplog):
    runtime.create_function(FunctionConfig(name="logs", handler="lambda_logs:handler"))
    other_logger = logging.getLogger("simulation")

    def other_thread():
        lambda_shared.EVENTS["handler_started"].wait(5)
        print("from the simulation thread")
        other_logger.warning("simulation warning")
        lambda_shared.EVENTS["other_done"].set()

    thread = threading.Thread(target=other_thread)
    thread.start()
    print("from the test thread")
    result = runtime.invoke("logs", {"wait_for_other_thread": True})
    thread.join(5)

    assert lambda_shared.EVENTS["other_done"].is_set()
    assert "printed line" in result.logs and "warning message 42" in result.logs
    assert "simulation" not in result.logs and "from the test thread" not in result.logs
    captured = capsys.readouterr()
    assert "from the simulation thread" in captured.out
    assert "from the test thread" in captured.out
    assert "printed line" not in captured.out and "to stderr" not in captured.err
    assert "simulation warning" in caplog.text
    assert "warning message" not in caplog.text  # the function's logging stays in its log


def test_close_restores_streams_and_logging():
    stdout, stderr = sys.stdout, sys.stderr
    handlers = list(logging.root.handlers)
    rt = LambdaRuntime()
    assert sys.stdout is not stdout
    rt.close()
    assert sys.stdout is stdout and sys.stderr is stderr
    assert logging.root.handlers == handlers
    rt.close()  # idempotent


def _run(seed: int) -> list[str]:
    with time_machine.travel(1_700_000_000.0, tick=False):
        rt = LambdaRuntime(rng=derive_rng(seed, "lambda"))
        try:
            rt.create_function(FunctionConfig(name="logs", handler="lambda_logs:handler"))
            rt.create_function(
                FunctionConfig(name="bad", handler="lambda_errors:raise_value_error")
            )
            rt.invoke("logs", {}, source="kinesis:input-stream")
            rt.invoke("bad", {"value": -2}, source="kinesis:input-stream")
            rt.invoke("bad", {"value": 2})
            return [record.to_json(include_timing=False) for record in rt.invocations]
        finally:
            rt.close()


def test_records_export_byte_identical_for_a_seed():
    first, again = _run(3), _run(3)
    assert first == again
    decoded = [json.loads(line) for line in first]
    assert [d["outcome"] for d in decoded] == ["success", "error", "success"]
    assert [d["cold_start"] for d in decoded] == [True, True, False]
    assert decoded[0]["source"] == "kinesis:input-stream"
    assert decoded[1]["error"]["errorType"] == "ValueError"
    assert all("duration_ms" not in d and "REPORT" not in d["logs"] for d in decoded)
    assert _run(4) != first


def test_record_json_with_timing():
    with LambdaRuntime() as rt:
        rt.create_function(FunctionConfig(name="f", handler="lambda_noop:handler"))
        record = rt.invoke("f", {}).record
    data = json.loads(record.to_json())
    assert data["duration_ms"] >= 0 and data["billed_duration_ms"] >= 1
    assert data["init_duration_ms"] is not None
    assert "REPORT RequestId" in data["logs"]


def test_stdout_replaced_and_restored_around_an_invocation(runtime, capsys):
    runtime.create_function(FunctionConfig(name="logs", handler="lambda_logs:handler"))
    original = sys.stdout
    replacement = io.StringIO()
    sys.stdout = replacement  # e.g. contextlib.redirect_stdout in the simulation
    try:
        result = runtime.invoke("logs", {})
        print("while replaced")
    finally:
        sys.stdout = original
    assert "printed line" in result.logs
    assert replacement.getvalue() == "while replaced\n"
    replacement.close()
    print("after restore")  # the restored stream still works
    assert "printed line" in runtime.invoke("logs", {}).logs
    assert capsys.readouterr().out == "after restore\n"
