"""A Kinesis event source mapping meeting a throttled function (TooManyRequestsException from
``invoke``): the batch is retried after a backoff and MaximumRetryAttempts does not count it,
as AWS defines failures before invocation (kinesis-on-failure-destination.html); the records
still expire by MaximumRecordAgeInSeconds. Real parts: the clock, the shard store, the Lambda
runtime with a fault hook, the ledger."""

from __future__ import annotations

import random

import pytest

from sim.clock import Clock
from sim.ids import derive_rng
from sim.ledger import Ledger
from sim.services.esm import KinesisEventSourceMapping, KinesisMappingConfig
from sim.services.esm import limits as esm_limits
from sim.services.esm.kinesis import THROTTLED_REASON
from sim.services.kinesis import KinesisService
from sim.services.lambda_ import FunctionConfig, LambdaRuntime, TooManyRequestsException

T0 = 1_700_000_000.0
HANDLER = "def handler(event, context):\n    return None\n"


@pytest.fixture
def world(tmp_path, monkeypatch):
    (tmp_path / "faults_h_esm_ok.py").write_text(HANDLER)
    monkeypatch.syspath_prepend(str(tmp_path))
    clock = Clock(T0)
    kinesis = KinesisService(
        account_id="123456789012", region="us-east-1", now=lambda: clock.now, rng=random.Random(0)
    )
    runtime = LambdaRuntime(
        rng=derive_rng(1, "lambda"), now=lambda: clock.now, region="us-east-1",
        account_id="123456789012",
    )  # fmt: skip
    runtime.create_function(FunctionConfig(name="f", handler="faults_h_esm_ok:handler"))
    kinesis.backend.invoke("CreateStream", {"StreamName": "s", "ShardCount": 1})
    yield clock, kinesis.backend, runtime
    runtime.close()


def mapping(clock, store, runtime, ledger, **config) -> KinesisEventSourceMapping:
    return KinesisEventSourceMapping(
        uuid="uuid-0",
        clock=clock,
        store=store,
        stream_name="s",
        function_name="f",
        function_arn=runtime.get_function("f").arn,
        invoke=lambda event: runtime.invoke("f", event, source="kinesis:s"),
        ledger=ledger,
        role_arn="arn:aws:iam::123456789012:role/r",
        region="us-east-1",
        config=KinesisMappingConfig(starting_position="TRIM_HORIZON", **config),
    )


def put(store, *data: bytes) -> None:
    records = [{"Data": d, "PartitionKey": "k"} for d in data]
    assert (
        store.invoke("PutRecords", {"StreamName": "s", "Records": records})["FailedRecordCount"]
        == 0
    )


def test_throttles_are_retried_with_backoff_and_do_not_use_retry_attempts(world):
    clock, store, runtime = world
    throttles = iter(range(3))
    runtime.add_fault(
        "f", lambda: TooManyRequestsException() if next(throttles, None) is not None else None
    )
    ledger = Ledger()
    m = mapping(clock, store, runtime, ledger, maximum_retry_attempts=0)
    clock.run(until=T0 + 0.5)
    put(store, b"a", b"b")
    clock.run(until=T0 + 30)
    m.settle()
    outcomes = [(b.time - T0, b.outcome, b.attempt, b.reason) for b in m.batches]
    first = esm_limits.RETRY_DELAY_FIRST_SECONDS
    assert outcomes == [
        (1.0, "error", 0, THROTTLED_REASON),
        (1.0 + first, "error", 0, THROTTLED_REASON),
        (1.0 + 3 * first, "error", 0, THROTTLED_REASON),
        (1.0 + 7 * first, "success", 1, None),
    ]
    assert all(b.request_id is None for b in m.batches[:3])  # the function never ran
    assert runtime.throttles == {"f": 3}
    assert [r.outcome for r in runtime.invocations] == ["success"]
    hop = ledger.hop("stream s", "function f")
    assert (hop.available, hop.delivered, hop.retried, dict(hop.dropped)) == (2, 2, 6, {})


def test_throttled_records_still_expire_by_maximum_record_age(world):
    clock, store, runtime = world
    runtime.add_fault("f", lambda: TooManyRequestsException())
    ledger = Ledger()
    m = mapping(clock, store, runtime, ledger, maximum_retry_attempts=1, maximum_record_age=60)
    clock.run(until=T0 + 0.5)
    put(store, b"a")
    clock.run(until=T0 + 300)
    m.settle()
    dropped = [b for b in m.batches if b.outcome == "dropped"]
    assert [b.reason for b in dropped] == ["RecordAgeExceeded"]
    assert dropped[0].time - T0 > 60
    # many throttled tries, none counted against MaximumRetryAttempts 1
    assert sum(1 for b in m.batches if b.reason == THROTTLED_REASON) > 2
    assert runtime.invocations == []
    hop = ledger.hop("stream s", "function f")
    assert dict(hop.dropped) == {"RecordAgeExceeded": 1} and hop.in_flight == 0
