"""function_error, function_timeout and function_throttle in real runs: a Kinesis trigger feeds
a function whose invocations the fault fails, times out or throttles; everything is delivered
in the end, and the fault's effects are counted in the result and the report."""

from __future__ import annotations

from faults_support import RECORDING_HANDLER, effect, lines, project

from sim import Simulation
from sim.services.esm.kinesis import THROTTLED_REASON

BASE = """
    name: faults
    seed: 7
    clock: {start: 2022-01-01T00:00:00Z, duration: 2m}
    resources:
      streams: [{name: s, shards: 2}]
    producers:
      - name: counter
        type: tests.producers_for_tests:CountingProducer
        target: {stream: s}
        rate: 5/s
        count: 100
    functions:
      - name: f
        handler: faults_h_recording:handler
        env: {OUT: OUTFILE}
        triggers:
          - kinesis: {stream: s, starting_position: TRIM_HORIZON, batch_size: 10RETRIES}
    faults:
      - FAULT
"""
HANDLERS = {"faults_h_recording": RECORDING_HANDLER}


def run(tmp_path, fault: str, retries: str = ""):
    body = BASE.replace("FAULT", fault).replace("RETRIES", retries)
    simulation = Simulation.from_file(project(tmp_path, body, HANDLERS))
    with simulation:
        result = simulation.run()
        simulation.throttles = dict(simulation.runtime.throttles)  # before close() drops it
    return simulation, result


def assert_all_delivered_once(tmp_path, result) -> None:
    totals = result.ledger.totals()
    assert (totals["produced"], totals["delivered"], totals["lost"]) == (100, 100, 0)
    assert totals["dropped"] == 0
    numbers = sorted(line["n"] for line in lines(tmp_path / "out.jsonl"))
    assert numbers == list(range(1, 101))  # the handler ran once per record: no duplicates


def test_function_error_with_a_count_fails_exactly_that_many_invocations(tmp_path):
    _, result = run(tmp_path, "function_error: {function: f, count: 3, message: boom}")
    errors = [r for r in result.invocations if r.outcome == "error"]
    assert len(errors) == 3
    assert {(r.error["errorType"], r.error["errorMessage"]) for r in errors} == {
        ("InjectedFault", "boom")
    }
    assert effect(result) == {"invocations_failed": 3}
    [entry] = result.to_dict()["faults"]
    assert {k: entry[k] for k in ("index", "kind", "target", "start", "end", "count")} == {
        "index": 0,
        "kind": "function_error",
        "target": "f",
        "start": 0.0,
        "end": None,
        "count": 3,
    }
    assert result.ledger.totals()["retried"] > 0
    assert_all_delivered_once(tmp_path, result)
    assert (
        "faults[0] function_error on function f, first 3 invocations from 0s: "
        "3 invocations failed" in result.report()
    )


def test_function_error_in_a_window_with_a_probability(tmp_path):
    _, result = run(tmp_path, "function_error: {function: f, end: 40s, probability: 0.5}")
    start = 1640995200.0  # 2022-01-01T00:00:00Z
    errors = [r for r in result.invocations if r.outcome == "error"]
    successes = [r for r in result.invocations if r.outcome == "success"]
    assert errors and all(r.started_at < start + 40 for r in errors)
    assert any(r.started_at < start + 40 for r in successes)  # only some fail in the window
    assert effect(result) == {"invocations_failed": len(errors)}
    assert_all_delivered_once(tmp_path, result)


def test_function_timeout_times_invocations_out_without_running_the_handler(tmp_path):
    _, result = run(tmp_path, "function_timeout: {function: f, start: 0s, end: 20s}")
    start = 1640995200.0
    timeouts = [r for r in result.invocations if r.outcome == "timeout"]
    assert timeouts and all(r.started_at < start + 20 for r in timeouts)
    assert all("Task timed out after 3.00 seconds" in r.logs for r in timeouts)
    assert all(r.duration_ms == 3000.0 for r in timeouts)
    assert effect(result) == {"invocations_timed_out": len(timeouts)}
    assert result.functions["f"]["timeouts"] == len(timeouts)
    assert_all_delivered_once(tmp_path, result)  # timed-out batches never reached the handler
    assert f"{len(timeouts)} invocations timed out" in result.report()


def test_a_throttled_batch_is_retried_without_using_a_retry_attempt(tmp_path):
    # With maximum_retry_attempts 0 a failed invocation drops its batch: throttles must not count
    simulation, result = run(
        tmp_path,
        "function_throttle: {function: f, count: 4}",
        retries=", maximum_retry_attempts: 0",
    )
    assert effect(result) == {"invocations_throttled": 4}
    assert simulation.throttles == {"f": 4}  # the runtime's own count of throttled requests
    throttled = [b for m in simulation.mappings for b in m.batches if b.reason == THROTTLED_REASON]
    assert len(throttled) == 4
    assert all(b.outcome == "error" and b.request_id is None for b in throttled)
    # the throttled batches were retried later, not dropped
    assert all(r.outcome == "success" for r in result.invocations)
    assert_all_delivered_once(tmp_path, result)


def test_no_invocation_runs_while_the_function_is_throttled(tmp_path):
    simulation, result = run(tmp_path, "function_throttle: {function: f, end: 30s}")
    start = 1640995200.0
    assert result.invocations and min(r.started_at for r in result.invocations) >= start + 30
    assert effect(result)["invocations_throttled"] > 0
    assert_all_delivered_once(tmp_path, result)
    hop = next(iter(result.ledger.hops.values()))
    assert hop.retried > 0 and not hop.dropped
