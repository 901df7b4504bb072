"""Execution environments: warm starts, resets, isolation, boto3 sessions, timeouts."""

from __future__ import annotations

import sys

import boto3
import lambda_shared
import pytest
import time_machine
from moto import mock_aws

from sim.services.lambda_ import FunctionConfig, LambdaRuntime


def test_warm_start_keeps_module_state(runtime):
    runtime.create_function(FunctionConfig(name="f", handler="lambda_counter:handler"))
    results = [runtime.invoke("f", {}) for _ in range(3)]
    assert [r.payload for r in results] == [
        {"count": 1, "inits": 1},
        {"count": 2, "inits": 1},
        {"count": 3, "inits": 1},
    ]
    assert [r.cold_start for r in results] == [True, False, False]
    # The fresh copy is not left behind in sys.modules.
    assert "lambda_counter" not in sys.modules


def test_two_functions_with_the_same_module_are_isolated(runtime):
    runtime.create_function(FunctionConfig(name="one", handler="lambda_counter:handler"))
    runtime.create_function(FunctionConfig(name="two", handler="lambda_counter:handler"))
    runtime.invoke("one", {})
    runtime.invoke("one", {})
    assert runtime.invoke("two", {}).payload == {"count": 1, "inits": 1}
    assert runtime.invoke("one", {}).payload == {"count": 3, "inits": 1}


def test_timeout_returns_at_once_and_resets_the_environment(runtime):
    runtime.create_function(
        FunctionConfig(name="slow", handler="lambda_counter:handler", timeout=1)
    )
    assert runtime.invoke("slow", {}).payload["count"] == 1
    assert runtime.invoke("slow", {}).payload["count"] == 2

    flag = lambda_shared.EVENTS["slept"]
    result = runtime.invoke("slow", {"sleep": 10, "flag": "slept"})
    assert not flag.is_set()  # returned before the handler's 10 s sleep ended
    assert result.outcome == "timeout"
    assert result.function_error == "Unhandled"
    assert result.status_code == 200

    after = runtime.invoke("slow", {})
    assert after.cold_start  # AWS resets the environment after a timeout
    assert after.payload == {"count": 1, "inits": 2}  # init ran again, module state is fresh


def test_timeout_payload_and_log_line(runtime):
    with time_machine.travel(1_700_000_000.25, tick=False):
        runtime.create_function(
            FunctionConfig(name="slow", handler="lambda_counter:handler", timeout=1)
        )
        result = runtime.invoke("slow", {"sleep": 5, "flag": "x"})
    rid = result.request_id
    message = f"2023-11-14T22:13:21.250Z {rid} Task timed out after 1.00 seconds"
    assert result.payload == {"errorMessage": message}
    assert result.record.started_at == pytest.approx(1_700_000_000.25)
    logs = result.logs
    assert logs.startswith(f"START RequestId: {rid} Version: $LATEST\n")
    assert f"END RequestId: {rid}\nREPORT RequestId: {rid}\tDuration: " in logs
    assert logs.endswith(f"\n{message}\n")  # after REPORT, as in AWS's logs
    assert result.record.to_dict(include_timing=False)["logs"] == (
        f"START RequestId: {rid} Version: $LATEST\nEND RequestId: {rid}\n{message}\n"
    )


def test_abandoned_worker_thread_is_stopped(runtime):
    runtime.create_function(
        FunctionConfig(name="spin", handler="lambda_counter:handler", timeout=1)
    )
    result = runtime.invoke("spin", {"spin": True})
    assert result.outcome == "timeout"
    worker = lambda_shared.THREADS[result.request_id]
    worker.join(timeout=5)
    assert not worker.is_alive()  # the asynchronous exception ended the busy loop


def test_boto3_default_session_per_environment():
    before = boto3.DEFAULT_SESSION
    rt = LambdaRuntime()
    try:
        with mock_aws():
            rt.create_function(
                FunctionConfig(name="eu", handler="lambda_boto:handler", region="eu-west-1")
            )
            rt.create_function(
                FunctionConfig(name="ap", handler="lambda_boto:handler", region="ap-southeast-2")
            )
            eu1 = rt.invoke("eu", {}).payload
            ap1 = rt.invoke("ap", {}).payload
            eu2 = rt.invoke("eu", {}).payload
    finally:
        rt.close()
    assert eu1["region"] == "eu-west-1"
    assert ap1["region"] == "ap-southeast-2"
    assert eu1["account"] == "123456789012"
    assert eu1["access_key"] == "testing"
    assert eu1["session_id"] == eu2["session_id"]  # kept across warm starts
    assert eu1["session_id"] != ap1["session_id"]  # each environment has its own
    assert boto3.DEFAULT_SESSION is before  # the caller's is restored


def test_code_dir_modules_are_private_to_each_environment(runtime, handlers_dir):
    import os

    for name in ("a", "b"):
        runtime.create_function(
            FunctionConfig(
                name=f"task-{name}",
                handler="lambda_function.lambda_handler",
                code_dir=os.path.join(handlers_dir, f"task_{name}"),
            )
        )
    a = runtime.invoke("task-a", {}).payload
    b = runtime.invoke("task-b", {}).payload
    assert a["helpers"] == "helpers from task_a"
    assert b["helpers"] == "helpers from task_b"
    assert a["task_root"].endswith("task_a")
    assert "helpers" not in sys.modules and "lambda_function" not in sys.modules
    assert not any(p.endswith(("task_a", "task_b")) for p in sys.path)


@pytest.mark.parametrize("code", [3, 0])
def test_sys_exit_is_a_runtime_exit_and_resets(runtime, code):
    runtime.create_function(FunctionConfig(name="x", handler="lambda_errors:exit_handler"))
    result = runtime.invoke("x", {"code": code})
    rid = result.request_id
    reason = (
        f"Runtime exited with error: exit status {code}"
        if code
        else "Runtime exited without providing a reason"
    )
    assert result.outcome == "error"
    assert result.payload == {
        "errorMessage": f"RequestId: {rid} Error: {reason}",
        "errorType": "Runtime.ExitError",
    }
    assert result.logs.endswith(f"RequestId: {rid} Error: {reason}\nRuntime.ExitError\n")
    assert runtime.invoke("x", {"code": 1}).cold_start


def test_init_failure_on_a_later_cold_start(runtime):
    runtime.create_function(FunctionConfig(name="flaky", handler="lambda_init_flaky:handler"))
    assert runtime.invoke("flaky", {}).payload == "fine"
    lambda_shared.FLAGS["break_init"] = True
    assert runtime.invoke("flaky", {"exit": True}).payload["errorType"] == "Runtime.ExitError"
    result = runtime.invoke("flaky", {})
    assert result.outcome == "error"
    assert result.payload["errorType"] == "RuntimeError"
    assert result.payload["errorMessage"] == "init broke"
    assert result.payload["requestId"] == ""  # init errors carry no request id
    assert "[ERROR] RuntimeError: init broke" in result.logs
    assert "LAMBDA_WARNING: Unhandled exception." in result.logs
    lambda_shared.FLAGS.clear()
    assert runtime.invoke("flaky", {}).payload == "fine"  # the next cold start succeeds
