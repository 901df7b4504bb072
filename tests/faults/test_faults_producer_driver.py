"""The producer driver's retries, as AWS advises them: only the refused entries are sent again,
after an exponential backoff with jitter on the simulated clock, newer records waiting behind
them, until the record's time-to-live (the KPL's RecordTtl) has passed."""

from __future__ import annotations

import json
import random

from producers.base import Producer, Record
from sim.faults.effects import FaultEffect
from sim.faults.reach import Reach
from sim.faults.streams import StreamThrottle, StreamThrottles
from sim.ledger import Ledger
from sim.producer_driver import (
    PUT_RECORD_TTL_SECONDS,
    PUT_RETRY_MAX_BACKOFF_SECONDS,
    ProducerDriver,
)


class Burst(Producer):
    """``size`` records at its first tick, then ``later`` at each later tick."""

    def __init__(self, rng, size: int = 10, later: int = 0):
        super().__init__(rng)
        self.size, self.later, self.n, self.ticks = size, later, 0, 0

    def emit(self, now):
        self.ticks += 1
        out = []
        for _ in range(self.size if self.ticks == 1 else self.later):
            self.n += 1
            out.append(Record(json.dumps({"n": self.n}).encode(), f"k{self.n}"))
        return out


def sent_batches(cloud) -> list[tuple[float, list[int]]]:
    """Record when, and with the ``n`` of which entries, every PutRecords is sent (botocore's
    own event hook: what goes over the wire)."""
    batches: list[tuple[float, list[int]]] = []

    def note(params, **_):
        entries = [json.loads(entry["Data"])["n"] for entry in params["Records"]]
        batches.append((cloud.clock.now, entries))

    cloud.client("kinesis").meta.events.register("provide-client-params.kinesis.PutRecords", note)
    return batches


def driver(cloud, producer, ledger, *, batch=10, rate=1.0, count=None) -> ProducerDriver:
    return ProducerDriver(
        name="p",
        producer=producer,
        clock=cloud.clock,
        client_for=lambda: cloud.client("kinesis"),
        ledger=ledger,
        stream="s",
        rate=rate,
        start=cloud.clock.now,
        count=count,
        batch=batch,
        rng=random.Random(0),
    )


def test_only_the_refused_entries_are_sent_again(cloud):
    cloud.client("kinesis").create_stream(StreamName="s", ShardCount=1)
    clock = cloud.clock
    effect = FaultEffect(0, "stream_throttle", "s", 0, 1, None)
    throttles = StreamThrottles()
    reach = Reach(lambda: clock.now, clock.now, clock.now + 0.5, None)
    throttles.faults.append(StreamThrottle(reach, 0.5, random.Random(5), effect))
    cloud.kinesis.set_put_fault("s", throttles)
    batches = sent_batches(cloud)
    ledger = Ledger()
    d = driver(cloud, Burst(random.Random(0), size=10), ledger, count=10)
    cloud.advance(60)
    [(_, first), (_, second)] = batches
    refused = effect.counters["records_throttled"]
    assert first == list(range(1, 11)) and 0 < refused < 10
    assert len(second) == refused and set(second) < set(first)  # only the failed ones
    assert second == sorted(second)  # in their order
    assert d.retried_records == refused
    assert ledger.accepted["p"] == 10 and not ledger.refused


def test_newer_records_wait_behind_refused_ones(cloud):
    cloud.client("kinesis").create_stream(StreamName="s", ShardCount=1)
    until = cloud.clock.now + 3
    cloud.kinesis.throttle("s", until=until)
    batches = sent_batches(cloud)
    ledger = Ledger()
    driver(cloud, Burst(random.Random(0), size=2, later=1), ledger, rate=1.0, count=8)
    cloud.advance(60)
    refused = [entries for when, entries in batches if when < until]
    assert len(refused) >= 2  # the first records were refused, and retried, while throttled
    for entries in refused:  # every send while throttled: the backlog from its oldest record
        assert entries == list(range(1, len(entries) + 1))
    later = [entries for when, entries in batches if when >= until]
    assert later[0] == list(range(1, len(later[0]) + 1)) and len(later[0]) >= 3
    assert [n for entries in later for n in entries] == list(range(1, 9))
    assert ledger.accepted["p"] == 8 and not ledger.refused


def test_a_record_refused_past_its_time_to_live_is_reported_refused(cloud):
    cloud.client("kinesis").create_stream(StreamName="s", ShardCount=1)
    cloud.kinesis.throttle("s", until=cloud.clock.now + 1000)
    ledger = Ledger()
    d = driver(cloud, Burst(random.Random(0), size=5), ledger, batch=1, count=5)
    cloud.advance(PUT_RECORD_TTL_SECONDS - 1)
    assert not ledger.refused and d.pending == 5  # still being retried
    cloud.advance(PUT_RETRY_MAX_BACKOFF_SECONDS + 2)
    assert ledger.refused == {("p", "ProvisionedThroughputExceededException"): 5}
    assert d.expired_records == 5 and not d.backlog
    assert ledger.produced["p"] == 5 and ledger.gaps() == []
    assert d.calls < 12  # the backoff grew: far fewer sends than one per second


class Huge(Producer):
    """One record over the stream's 1 MiB record limit."""

    def emit(self, now):
        return [Record(b"x" * (1024 * 1024 + 1), "k")]


def test_a_record_refused_for_good_is_reported_at_once(cloud):
    cloud.client("kinesis").create_stream(StreamName="s", ShardCount=1)
    ledger = Ledger()
    d = driver(cloud, Huge(random.Random(0)), ledger, batch=1, count=1)
    cloud.advance(2)
    assert ledger.refused == {("p", "ValidationException"): 1}
    assert d.calls == 1 and not d.backlog
