"""The DynamoDB Streams event source mapping, as Lambda runs it, on the simulated clock.

It is the stream mapping of :mod:`.stream` (the same parameters as Kinesis: batching, retries,
bisect, partial batch responses, failure destinations with ``DDBStreamBatchInfo``,
parallelization, tumbling windows, filters) over a table's stream in
:mod:`sim.services.dynamodbstreams`, with three differences AWS documents:

* Lambda polls each shard four times a second (with-ddb.html);
* the starting position is TRIM_HORIZON or LATEST (no AT_TIMESTAMP);
* each record is the stream record as the service wrote it (``eventID``, ``eventName``,
  ``eventVersion``, ``eventSource``, ``awsRegion``, ``dynamodb``, and for TTL deletions
  ``userIdentity``), plus the stream's ``eventSourceARN``. A partial batch response names records
  by ``dynamodb.SequenceNumber``; a record's lane (``ParallelizationFactor``) is chosen by its
  item's key.
"""

from __future__ import annotations

import json
from typing import Any, ClassVar

from sim.services.esm import limits
from sim.services.esm.stream import StreamEventSourceMapping, StreamMappingConfig


class DynamoDBMappingConfig(StreamMappingConfig):
    """A DynamoDB Streams mapping's parameters: BatchSize up to 10,000 (the current API limit;
    older tools enforce 1,000); TRIM_HORIZON or LATEST."""

    STARTING_POSITIONS: ClassVar[tuple[str, ...]] = ("TRIM_HORIZON", "LATEST")


class DynamoDBEventSourceMapping(StreamEventSourceMapping):
    """A mapping from one table's stream (``stream_name`` is the table's name) to one
    function."""

    source_service = "dynamodb"
    batch_info_key = "DDBStreamBatchInfo"
    poll_interval = limits.DYNAMODB_POLL_INTERVAL_SECONDS
    config_class = DynamoDBMappingConfig

    def hop_source(self) -> str:
        return f"table {self.stream_name} stream"

    def _get_stream(self) -> Any:
        stream = self.store.get_stream(self.stream_name)
        self._arn_tail = f', "eventSourceARN": {json.dumps(stream.arn)}}}'
        return stream

    def _record_text(self, record: Any, shard_id: str) -> str:
        return json.dumps(record.record)[:-1] + self._arn_tail

    def _lane_key(self, record: Any) -> str:
        return json.dumps(record.record["dynamodb"]["Keys"], sort_keys=True)
