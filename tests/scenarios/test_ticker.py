"""The Ticker lab end to end (scenarios/ticker.yaml, scenarios/ticker-failure.yaml): the
scheduled streaming Lambda, Firehose to S3, and, once it breaks, Lambda's asynchronous retries,
the on-failure destination and the alert emails in the outbox, at the times AWS sends them."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from sim import Simulation

SCENARIOS = Path(__file__).resolve().parents[2] / "scenarios"
STREAMING = "arn:aws:lambda:eu-west-1:123456789012:function:DEKYLMAP-streaming-lambda"


@pytest.fixture(scope="module")
def failure(tmp_path_factory):
    export = tmp_path_factory.mktemp("ticker-failure")
    with Simulation.from_file(SCENARIOS / "ticker-failure.yaml") as simulation:
        result = simulation.run(export=export)
        emails = simulation.backend.outbox().to_list()
        invocations = list(result.invocations)
    return result, emails, invocations, export


def test_the_ticker_lab_passes_with_no_alerts():
    with Simulation.from_file(SCENARIOS / "ticker.yaml") as simulation:
        result = simulation.run()
        assert result.passed, result.report()
        assert simulation.backend.outbox().to_list() == []
        schedule = [r for r in result.invocations if r.function_name.endswith("streaming-lambda")]
        assert {r.source for r in schedule} == {"schedule:DEKYLMAP-streaming-schedule"}
        rules = simulation.client("events").list_rules()["Rules"]
        assert [(r["Name"], r["ScheduleExpression"]) for r in rules] == [
            ("DEKYLMAP-streaming-schedule", "rate(1 minute)")
        ]


def test_the_broken_lab_alerts_after_the_retries(failure):
    result, emails, invocations, _ = failure
    assert result.passed, result.report()
    assert len(emails) == 17
    assert {e["to"] for e in emails} == {"kyle.maposa@example.com"}
    assert all(e["kind"] == "notification" for e in emails)
    first = emails[0]
    assert first["time"] == "2026-11-02T09:13:00.000Z"
    assert "Kyle Maposa" in first["body"]
    assert "RetriesExhausted" in first["body"]
    assert "streaming code commented out" in first["body"]


def test_each_failed_event_is_tried_at_its_minute_then_one_and_two_minutes_later(failure):
    _, _, invocations, _ = failure
    start = invocations[0].started_at - 60  # the first tick comes one minute after the start
    by_request: dict[str, list[float]] = {}
    for record in invocations:
        if record.function_name == "DEKYLMAP-streaming-lambda" and record.outcome == "error":
            by_request.setdefault(record.request_id, []).append(record.started_at - start)
    tries = sorted(by_request.values())
    assert tries[0] == [600.0, 660.0, 780.0]
    assert all(t[1] - t[0] == 60 and t[2] - t[1] == 120 for t in tries if len(t) == 3)
    assert len(tries) == 20  # the events of 09:10 … 09:29


def test_the_notification_lambda_gets_aws_invocation_record(failure):
    _, _, invocations, _ = failure
    notification = next(r for r in invocations if r.function_name.endswith("notification-lambda"))
    assert notification.source == "api:Event"  # delivered by Invoke, as the destination does
    streaming = [r for r in invocations if r.function_name.endswith("streaming-lambda")]
    first = next(r for r in streaming if r.outcome == "error")
    tries = [r for r in streaming if r.request_id == first.request_id]
    # the record of the event of 09:10, sent when its third attempt failed, at 09:13
    assert [r.outcome for r in tries] == ["error"] * 3
    assert notification.started_at == tries[2].started_at == first.started_at + 180


def test_the_export_holds_the_outbox(failure):
    *_, export = failure
    saved = json.loads((Path(export) / "outbox" / "outbox.json").read_text())
    assert len(saved) == 17
    assert len(list((Path(export) / "outbox").glob("*.eml"))) == 17


def test_the_ledger_shows_the_events_still_waiting_for_their_retries(failure):
    result, *_ = failure
    hop = result.ledger.hops[
        ("async queue DEKYLMAP-streaming-lambda", "function DEKYLMAP-streaming-lambda")
    ]
    assert (hop.available, hop.delivered, hop.in_flight) == (29, 9, 3)
    assert sum(hop.to_destination.values()) == 17
    assert result.asynchronous["DEKYLMAP-streaming-lambda"]["to_destination"] == {
        STREAMING.replace("streaming", "notification"): 17
    }
