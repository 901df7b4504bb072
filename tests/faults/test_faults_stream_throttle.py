"""stream_throttle: PutRecord raises and PutRecords answers 200 with failed entries, exactly as
AWS words them; ``failure_rate`` refuses a share of the records, deterministically for the
seed; ``count`` limits the fault to N put requests. In a real run the producers resend the
refused records and every record is delivered."""

from __future__ import annotations

import random

import pytest
from botocore.exceptions import ClientError
from faults_support import RECORDING_HANDLER, effect, lines, project

from sim import Simulation
from sim.faults import FaultEffects, schedule_faults
from sim.scenario import parse_scenario

ACCOUNT = "123456789012"
RATE_MESSAGE = "Rate exceeded for shard {shard} in stream s under account 123456789012."


def installed(cloud, fault: str, seed: int = 1):
    """A one-stream scenario on the ``cloud`` backend with ``fault`` installed."""
    scenario = parse_scenario(
        f"""
name: wire
clock: {{start: 2021-11-01T00:00:00Z, duration: 10m}}
resources:
  streams: [{{name: s, shards: 1}}]
faults:
  - {fault}
"""
    )
    cloud.client("kinesis").create_stream(StreamName="s", ShardCount=1)
    return schedule_faults(scenario, cloud.clock, cloud.backend, None, random.Random(seed))


def put_records(cloud, n: int) -> dict:
    records = [{"Data": f"r{i}".encode(), "PartitionKey": f"k{i}"} for i in range(n)]
    return cloud.client("kinesis").put_records(StreamName="s", Records=records)


def test_put_records_partial_failure_is_answered_as_aws_answers_it(cloud):
    effects = installed(cloud, "stream_throttle: {stream: s, failure_rate: 0.5}")
    out = put_records(cloud, 40)
    assert out["ResponseMetadata"]["HTTPStatusCode"] == 200
    failed = [r for r in out["Records"] if "ErrorCode" in r]
    assert 0 < len(failed) < 40 and out["FailedRecordCount"] == len(failed)
    assert {(r["ErrorCode"], r["ErrorMessage"]) for r in failed} == {
        (
            "ProvisionedThroughputExceededException",
            RATE_MESSAGE.format(shard="shardId-000000000000"),
        )
    }
    stored = [r for r in out["Records"] if "SequenceNumber" in r]
    assert len(stored) == 40 - len(failed)
    assert effects[0].counters == {"put_requests_throttled": 1, "records_throttled": len(failed)}


def test_put_record_raises_the_exception(cloud):
    installed(cloud, "stream_throttle: {stream: s}")
    with pytest.raises(ClientError) as raised:
        cloud.client("kinesis").put_record(StreamName="s", Data=b"x", PartitionKey="k")
    error = raised.value.response["Error"]
    assert error["Code"] == "ProvisionedThroughputExceededException"
    assert error["Message"] == RATE_MESSAGE.format(shard="shardId-000000000000")
    assert raised.value.response["ResponseMetadata"]["HTTPStatusCode"] == 400


def test_which_records_fail_depends_on_the_seed_only(cloud):
    effects = installed(cloud, "stream_throttle: {stream: s, failure_rate: 0.5}", seed=3)
    refused = ["ErrorCode" in r for r in put_records(cloud, 30)["Records"]]
    # the fault draws from a generator of its own, derived from the run's seed and its index
    same = FaultEffects.for_scenario(effects_scenario(), random.Random(3)).rng(0)
    assert refused == [same.random() < 0.5 for _ in range(30)]
    other = FaultEffects.for_scenario(effects_scenario(), random.Random(4)).rng(0)
    assert refused != [other.random() < 0.5 for _ in range(30)]
    assert effects.rng(0).random() != effects.rng(1).random()


def effects_scenario():
    return parse_scenario(
        "name: x\nclock: {start: 2021-11-01T00:00:00Z, duration: 1m}\n"
        "resources: {streams: [{name: s}]}\nfaults: [{stream_throttle: {stream: s}}]"
    )


def test_a_count_limits_the_fault_to_that_many_put_requests(cloud):
    effects = installed(cloud, "stream_throttle: {stream: s, start: 10s, count: 2}")
    assert put_records(cloud, 3)["FailedRecordCount"] == 0  # before start
    cloud.advance(10)
    assert put_records(cloud, 3)["FailedRecordCount"] == 3
    assert put_records(cloud, 3)["FailedRecordCount"] == 3
    assert put_records(cloud, 3)["FailedRecordCount"] == 0  # the count is used up
    assert effects[0].counters == {"put_requests_throttled": 2, "records_throttled": 6}


def test_refused_records_use_none_of_the_shards_throughput(cloud):
    installed(cloud, "stream_throttle: {stream: s, count: 2}")
    assert put_records(cloud, 500)["FailedRecordCount"] == 500
    assert put_records(cloud, 500)["FailedRecordCount"] == 500
    # the same second: the shard's 1,000 records/s are still all there
    assert put_records(cloud, 500)["FailedRecordCount"] == 0
    assert put_records(cloud, 500)["FailedRecordCount"] == 0
    assert put_records(cloud, 1)["FailedRecordCount"] == 1  # now the shard's own limit


def test_the_window_ends_at_end(cloud):
    installed(cloud, "stream_throttle: {stream: s, end: 5s}")
    assert put_records(cloud, 2)["FailedRecordCount"] == 2
    cloud.advance(5)
    assert put_records(cloud, 2)["FailedRecordCount"] == 0


# -- in a real run: the producers resend, nothing is lost --------------------------------------

RUN = """
    name: throttled
    seed: SEED
    clock: {start: 2022-01-01T00:00:00Z, duration: 2m}
    resources:
      streams: [{name: s, shards: 2}]
    producers:
      - name: counter
        type: tests.producers_for_tests:CountingProducer
        target: {stream: s}
        rate: 10/s
        count: 200
        batch: BATCH
    functions:
      - name: f
        handler: faults_h_stream_recording:handler
        env: {OUT: OUTFILE}
        triggers:
          - kinesis: {stream: s, starting_position: TRIM_HORIZON, batch_size: 25}
    faults:
      - stream_throttle: {stream: s, start: 2s, end: 20s, failure_rate: 0.3}
"""


def run(tmp_path, *, seed: int = 7, batch: int = 1):
    body = RUN.replace("SEED", str(seed)).replace("BATCH", str(batch))
    path = project(tmp_path, body, {"faults_h_stream_recording": RECORDING_HANDLER})
    with Simulation.from_file(path) as simulation:
        result = simulation.run()
        drivers = list(simulation.drivers)
    return result, drivers


@pytest.mark.parametrize("batch", [1, 20])
def test_producers_resend_refused_records_and_nothing_is_lost(tmp_path, batch):
    result, [driver] = run(tmp_path, batch=batch)
    totals = result.ledger.totals()
    # counted through the ledger: every record produced was accepted and delivered
    assert totals["produced"] == totals["accepted"] == totals["delivered"] == 200
    assert (totals["dropped"], totals["lost"], totals["in_flight"]) == (0, 0, 0)
    effects = effect(result)
    assert effects["records_throttled"] > 0 and effects["put_requests_throttled"] > 0
    # each refused record was sent again (none given up): retried == throttled
    assert effects["records_retried"] == effects["records_throttled"] == driver.refused_records
    assert driver.expired_records == 0 and not driver.backlog
    assert sorted(line["n"] for line in lines(tmp_path / "out.jsonl")) == list(range(1, 201))
    summary = result.faults[0]["summary"]
    assert summary.startswith("faults[0] stream_throttle on stream s, 2s → 20s, failure_rate 0.3:")
    assert summary in result.report()


KEYED_PRODUCER = '''
import json
from producers.base import Producer, Record

class KeyedCounter(Producer):
    """Records {"n": i} over five partition keys, in turn."""

    def __init__(self, rng, **params):
        super().__init__(rng, **params)
        self.n = 0

    def emit(self, now):
        self.n += 1
        data = json.dumps({"n": self.n, "at": now.isoformat()}).encode()
        return [Record(data, f"k{self.n % 5}")]
'''


def test_with_put_record_each_partition_key_keeps_its_order(tmp_path):
    body = (
        RUN.replace("SEED", "7")
        .replace("BATCH", "1")
        .replace("tests.producers_for_tests:CountingProducer", "faults_p_keyed:KeyedCounter")
    )
    handlers = {"faults_h_stream_recording": RECORDING_HANDLER, "faults_p_keyed": KEYED_PRODUCER}
    with Simulation.from_file(project(tmp_path, body, handlers)) as simulation:
        result = simulation.run()
    assert effect(result)["records_throttled"] > 3  # records were refused and resent
    assert result.ledger.totals()["delivered"] == 200
    by_key: dict[str, list[int]] = {}
    for line in lines(tmp_path / "out.jsonl"):
        by_key.setdefault(line["key"], []).append(line["n"])
    assert sorted(by_key) == ["k0", "k1", "k2", "k3", "k4"]
    for numbers in by_key.values():  # each key's records arrived in the order produced
        assert numbers == sorted(numbers) and len(numbers) == 40


def test_the_same_seed_gives_the_same_run_and_another_seed_another(tmp_path):
    first, _ = run(tmp_path / "a", seed=7, batch=20)
    again, _ = run(tmp_path / "b", seed=7, batch=20)
    other, _ = run(tmp_path / "c", seed=8, batch=20)
    assert effect(first) == effect(again)
    assert lines(tmp_path / "a" / "out.jsonl") == lines(tmp_path / "b" / "out.jsonl")
    assert effect(first) != effect(other)


def throttled_to_the_end(tmp_path, record_ttl: str):
    """Every put refused from 10 s to the end of the run (2 min): the producer retries."""
    body = (
        RUN.replace("SEED", "7")
        .replace("BATCH", "20")
        .replace("batch: 20", f"batch: 20\n        record_ttl: {record_ttl}")
        .replace("start: 2s, end: 20s, failure_rate: 0.3", "start: 10s")
    )
    path = project(tmp_path, body, {"faults_h_stream_recording": RECORDING_HANDLER})
    with Simulation.from_file(path) as simulation:
        result = simulation.run()
        [driver] = simulation.drivers
    return result, driver


def test_records_still_waiting_for_a_retry_at_the_end_are_pending_not_lost(tmp_path):
    result, driver = throttled_to_the_end(tmp_path, "5m")  # longer than the run: none expire
    totals = result.ledger.totals()
    # 10 records/s for 20 s: 200 produced, about the first 100 accepted, the rest retried
    assert totals["produced"] == 200 and driver.expired_records == 0
    assert totals["pending"] == driver.pending > 0
    assert totals["accepted"] + totals["pending"] == 200
    assert totals["lost"] == 0 and result.passed
    assert result.ledger.to_dict()["producers"]["counter"]["pending"] == driver.pending
    assert f"producer counter: {driver.pending} waiting for a retry" in result.report()


def test_record_ttl_gives_refused_records_up_sooner(tmp_path):
    result, driver = throttled_to_the_end(tmp_path, "5s")
    totals = result.ledger.totals()
    assert driver.expired_records > 0
    refused = dict(result.ledger.to_dict()["producers"]["counter"]["refused"])
    assert refused == {"ProvisionedThroughputExceededException": driver.expired_records}
    # the rest of the records still waiting are younger than 5 s
    assert totals["accepted"] + totals["pending"] + driver.expired_records == 200
    assert totals["lost"] == 0
