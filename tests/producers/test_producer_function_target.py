"""A producer whose target is a function: synchronous invocations with the records as JSON,
rejections read from the response into the ledger, failed invocations retried until the
records' time-to-live; every record accounted for."""

from __future__ import annotations

import json
import textwrap

import pytest

from sim import Simulation
from sim.producer_registry import ProducerError

# Stores every record it accepts in $OUT; rejects odd n; fails the whole invocation while the
# file $FAIL exists (the test creates it to break the function for a while).
INGEST = """
import json, os

def handler(event, context):
    records = event if isinstance(event, list) else [event]
    if os.path.exists(os.environ["FAIL"]):
        raise ConnectionError("database down")
    rejected, kept = [], []
    for index, record in enumerate(records):
        if record["n"] % 2:
            rejected.append({"index": index, "reason": "odd n"})
        else:
            kept.append(record)
    with open(os.environ["OUT"], "a") as out:
        for record in kept:
            out.write(json.dumps(record) + "\\n")
    return {"accepted": len(kept), "rejected": rejected}
"""

SCENARIO = """
name: to-a-function
seed: 3
clock: {start: 2022-01-01T00:00:00Z, duration: 1m}
producers:
  - name: counter
    type: tests.producers_for_tests:CountingProducer
    target: {function: ingest}
    rate: 2/s
    count: 40
    batch: BATCH
functions:
  - name: ingest
    handler: producer_function_ingest:handler
    env: {OUT: OUTFILE, FAIL: FAILFILE}
"""


def run(tmp_path, batch: int = 1, fail: bool = False):
    (tmp_path / "producer_function_ingest.py").write_text(INGEST)
    (tmp_path / "scenarios").mkdir(exist_ok=True)
    text = (
        textwrap.dedent(SCENARIO)
        .replace("BATCH", str(batch))
        .replace("OUTFILE", str(tmp_path / "out.jsonl"))
        .replace("FAILFILE", str(tmp_path / "fail"))
    )
    path = tmp_path / "scenarios" / "x.yaml"
    path.write_text(text)
    if fail:
        (tmp_path / "fail").write_text("")
    with Simulation.from_file(path) as simulation:
        result = simulation.run()
        [driver] = simulation.drivers
        invocations = list(simulation.runtime.invocations)
    stored = []
    if (tmp_path / "out.jsonl").exists():
        stored = [json.loads(line) for line in (tmp_path / "out.jsonl").read_text().splitlines()]
    return result, driver, invocations, stored


@pytest.mark.parametrize("batch", [1, 8])
def test_rejections_are_refused_with_the_reason_and_the_rest_accepted(tmp_path, batch):
    result, driver, invocations, stored = run(tmp_path, batch=batch)
    assert sorted(r["n"] for r in stored) == list(range(2, 41, 2))
    # one record per tick, sent at once: one invocation each (batch is the most per call;
    # with batch > 1 the event is a JSON list)
    assert len(invocations) == 40
    assert all(i.source == "producer:counter" for i in invocations)
    totals = result.ledger.totals()
    assert (totals["produced"], totals["accepted"], totals["lost"]) == (40, 20, 0)
    producer = result.ledger.to_dict()["producers"]["counter"]
    assert producer["refused"] == {"rejected by ingest: odd n": 20}
    assert driver.rejected == {"odd n": 20}
    assert "producer counter: 20 refused (rejected by ingest: odd n)" in result.report()
    assert result.ledger.stored["function ingest"] == 20


def test_linger_fills_batches(tmp_path):
    body = SCENARIO.replace("batch: BATCH", "batch: BATCH\n    linger: 10s").replace(
        "count: 40", "count: 42"
    )
    (tmp_path / "producer_function_ingest.py").write_text(INGEST)
    (tmp_path / "scenarios").mkdir()
    text = (
        textwrap.dedent(body)
        .replace("BATCH", "8")
        .replace("OUTFILE", str(tmp_path / "out.jsonl"))
        .replace("FAILFILE", str(tmp_path / "fail"))
    )
    (tmp_path / "scenarios" / "x.yaml").write_text(text)
    with Simulation.from_file(tmp_path / "scenarios" / "x.yaml") as simulation:
        result = simulation.run()
        invocations = list(simulation.runtime.invocations)
    # 2 records a second, 8 a batch: an invocation every 4 s (within the 10 s linger); the last
    # 2 records (produced at 20 s and 20.5 s) wait out the linger and go at 30 s
    offsets = [round(i.started_at - invocations[0].started_at) for i in invocations]
    assert offsets == [0, 4, 8, 12, 16, 26]
    assert result.ledger.totals()["accepted"] == 21 and result.ledger.totals()["lost"] == 0


def test_a_failing_function_is_retried_until_the_records_expire(tmp_path):
    result, driver, invocations, stored = run(tmp_path, fail=True)
    assert stored == []
    assert invocations and all(i.outcome == "error" for i in invocations)
    totals = result.ledger.totals()
    # 40 records over 20 s; each retried with backoff for 30 s, then given up; those still
    # within their time-to-live at the end of the 1-minute run are pending
    assert totals["accepted"] == 0 and totals["lost"] == 0
    refused = result.ledger.to_dict()["producers"]["counter"]["refused"]
    assert refused == {"Unhandled: ConnectionError": driver.expired_records}
    assert driver.expired_records + totals["pending"] == 40
    assert driver.expired_records > 0


def test_records_for_a_function_must_be_json(tmp_path):
    (tmp_path / "producer_function_ingest.py").write_text(INGEST)
    (tmp_path / "bytes_producer.py").write_text(
        "from producers.base import Producer, Record\n"
        "class Raw(Producer):\n"
        "    def emit(self, now):\n"
        "        return [Record(b'\\xff not json', 'k')]\n"
    )
    (tmp_path / "scenarios").mkdir()
    text = (
        textwrap.dedent(SCENARIO)
        .replace("tests.producers_for_tests:CountingProducer", "bytes_producer:Raw")
        .replace("BATCH", "1")
        .replace("OUTFILE", str(tmp_path / "out.jsonl"))
        .replace("FAILFILE", str(tmp_path / "fail"))
    )
    (tmp_path / "scenarios" / "x.yaml").write_text(text)
    with (
        Simulation.from_file(tmp_path / "scenarios" / "x.yaml") as simulation,
        pytest.raises(ProducerError, match="producer counter: a function target takes JSON"),
    ):
        simulation.run()
