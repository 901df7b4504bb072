"""Drives a producer on the clock and puts its records onto its target through boto3.

Each tick (``rate`` ticks per simulated second) asks the producer for the records of that
instant and puts them with PutRecord (``batch: 1``, what the labs' scripts did) or PutRecords in
chunks of ``batch``. Records the stream refuses for throughput are retried on the simulated clock
with backoff, like the Kinesis Producer Library does; after the last attempt they are reported
as refused, with AWS's error code as the reason. Nothing is dropped silently.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from botocore.exceptions import ClientError

from producers.base import Producer, Record
from sim.clock import Clock, to_datetime
from sim.ledger import Ledger

PUT_ATTEMPTS_MAX = 5
PUT_RETRY_FIRST_DELAY_SECONDS = 0.1
PUT_RETRY_MAX_DELAY_SECONDS = 5.0
PUT_RECORDS_MAX = 500  # PutRecords: at most 500 records per request


@dataclass
class ProducerDriver:
    name: str
    producer: Producer
    clock: Clock
    client_for: Callable[[], Any]
    ledger: Ledger
    stream: str
    rate: float
    start: float
    stop: float | None = None
    count: int | None = None
    batch: int = 1

    def __post_init__(self) -> None:
        if not 1 <= self.batch <= PUT_RECORDS_MAX:
            raise ValueError(f"batch must be 1..{PUT_RECORDS_MAX}")
        self.emitted = 0
        self.calls = 0
        self._ticks = 0
        self._target = f"stream {self.stream}"
        self.clock.call_at(max(self.start, self.clock.now), self._tick)

    @property
    def done(self) -> bool:
        return self.producer.finished or (self.count is not None and self.emitted >= self.count)

    def _tick(self) -> None:
        now = self.clock.now
        if self.stop is not None and now >= self.stop or self.done:
            return
        records = self.producer.emit(to_datetime(now))
        if self.count is not None:
            records = records[: self.count - self.emitted]
        if records:
            self.emitted += len(records)
            self.ledger.record_produced(self.name, len(records))
            self._put(records, attempt=1)
        if not self.done:
            self._ticks += 1
            self.clock.call_at(self.start + self._ticks / self.rate, self._tick)

    def _put(self, records: list[Record], attempt: int) -> None:
        if self.batch == 1:
            failed = [(r, code) for r in records if (code := self._put_record(r)) is not None]
        else:
            failed = []
            for i in range(0, len(records), self.batch):
                failed += self._put_records(records[i : i + self.batch])
        if not failed:
            return
        retry = [r for r, code in failed if code == "ProvisionedThroughputExceededException"]
        for _, code in failed:
            if code != "ProvisionedThroughputExceededException" or attempt >= PUT_ATTEMPTS_MAX:
                self.ledger.record_refused(self.name, code)
        if retry and attempt < PUT_ATTEMPTS_MAX:
            delay = min(
                PUT_RETRY_FIRST_DELAY_SECONDS * 2 ** (attempt - 1), PUT_RETRY_MAX_DELAY_SECONDS
            )
            self.clock.call_later(delay, self._put, retry, attempt + 1)

    def _put_record(self, record: Record) -> str | None:
        kwargs: dict[str, Any] = {
            "StreamName": self.stream,
            "Data": record.data,
            "PartitionKey": record.partition_key,
        }
        if record.explicit_hash_key is not None:
            kwargs["ExplicitHashKey"] = record.explicit_hash_key
        self.calls += 1
        try:
            self.client_for().put_record(**kwargs)
        except ClientError as error:
            return error.response["Error"]["Code"]
        self.ledger.record_accepted(self.name, self._target)
        return None

    def _put_records(self, records: list[Record]) -> list[tuple[Record, str]]:
        entries = []
        for record in records:
            entry: dict[str, Any] = {"Data": record.data, "PartitionKey": record.partition_key}
            if record.explicit_hash_key is not None:
                entry["ExplicitHashKey"] = record.explicit_hash_key
            entries.append(entry)
        self.calls += 1
        try:
            response = self.client_for().put_records(StreamName=self.stream, Records=entries)
        except ClientError as error:
            code = error.response["Error"]["Code"]
            return [(record, code) for record in records]
        failed = [
            (record, result["ErrorCode"])
            for record, result in zip(records, response["Records"], strict=True)
            if "ErrorCode" in result
        ]
        self.ledger.record_accepted(self.name, self._target, len(records) - len(failed))
        return failed
