"""TumblingWindowInSeconds: batches never span two windows (aligned on the epoch, by arrival
time), each invocation gets the state the previous one returned, the window ends with a final
invocation (isFinalInvokeForWindow), a response without state is a failure, and a state above
1 MB ends the window early (services-kinesis-windows.html)."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from esm_lab import T0, Lab

from tests.esm_fidelity import assert_kinesis_window_event

# T0 is 20 s past a minute: 60-second windows end at T0 + 40 and T0 + 100.
FIRST_END = T0 + 40


def _stamp(epoch: float) -> str:
    return datetime.fromtimestamp(epoch, UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def _summary(event: dict) -> tuple:
    return (
        len(event["Records"]),
        event["state"],
        event["isFinalInvokeForWindow"],
        event["window"]["start"],
    )


def test_state_is_carried_and_each_window_ends_with_a_final_invocation(lab: Lab):
    lab.create_stream()
    mapping = lab.mapping("windowed", "esm_window:handler", tumbling_window=60)
    lab.put("r1", key="A", at=1)
    lab.put("r2", "r3", keys=["A", "B"], at=2)
    lab.put("r4", key="A", at=50)  # the next window
    lab.run(130)
    first, second = _stamp(FIRST_END - 60), _stamp(FIRST_END)
    assert [_summary(e) for e in lab.events("windowed")] == [
        (1, {}, False, first),
        (2, {"A": 1}, False, first),
        (0, {"A": 2, "B": 1}, True, first),
        (1, {}, False, second),
        (0, {"A": 1}, True, second),
    ]
    for event in lab.events("windowed"):
        assert_kinesis_window_event(event)
    final = lab.events("windowed")[2]
    assert final["window"] == {"start": first, "end": _stamp(FIRST_END)}
    assert final["shardId"] == "shardId-000000000000"
    assert final["eventSourceARN"] == mapping.stream_arn
    assert final["isWindowTerminatedEarly"] is False
    assert list(final) == [
        "Records",
        "window",
        "state",
        "shardId",
        "eventSourceARN",
        "isFinalInvokeForWindow",
        "isWindowTerminatedEarly",
    ]
    # the final invocation comes at the first poll after the window's end
    finals = [b.time for b in mapping.batches if b.final_for_window]
    assert finals == [pytest.approx(FIRST_END), pytest.approx(FIRST_END + 60)]
    assert lab.hop(mapping).delivered == 4


def test_a_batch_never_spans_two_windows(lab: Lab):
    lab.create_stream()
    lab.put("a", at=39)
    lab.put("b", at=41)
    lab.run(45)  # both are in the stream before the mapping reads
    mapping = lab.mapping("split", "esm_window:handler", tumbling_window=60, batch_size=10)
    lab.run(120)
    # the first window is over when the mapping reads it: the batch that empties it is its
    # final invocation; the second ends at T0 + 100 with an empty final invocation
    shapes = [(len(e["Records"]), e["isFinalInvokeForWindow"]) for e in lab.events("split")]
    assert shapes == [(1, True), (1, False), (0, True)]
    assert lab.hop(mapping).delivered == 2


def test_a_response_without_state_is_a_failed_invocation(lab: Lab):
    lab.create_stream()
    mapping = lab.mapping(
        "stateless",
        "esm_window:handler",
        env={"MODE": "nostate"},
        tumbling_window=60,
        maximum_retry_attempts=1,
    )
    lab.put("r1", at=1)
    lab.run(30)
    assert [b.outcome for b in mapping.batches][:2] == ["error", "error"]
    assert mapping.batches[0].reason == "MissingWindowState"
    assert lab.hop(mapping).dropped == {"RetryAttemptsExhausted": 1}


def test_a_state_above_one_megabyte_ends_the_window_early(lab: Lab):
    lab.create_stream()
    mapping = lab.mapping("big", "esm_window:handler", env={"MODE": "big"}, tumbling_window=60)
    lab.put("r1", at=1)
    lab.run(5)
    events = lab.events("big")
    for event in events:
        assert_kinesis_window_event(event)
    assert [e["isFinalInvokeForWindow"] for e in events] == [False, True]
    assert events[1]["isWindowTerminatedEarly"] is True
    assert events[1]["Records"] == []
    assert lab.hop(mapping).delivered == 1


def test_the_window_is_validated(lab: Lab):
    lab.create_stream()
    with pytest.raises(ValueError, match="TumblingWindowInSeconds must be 0..900"):
        lab.mapping("bad", "esm_window:handler", tumbling_window=901)
