"""The Kinesis event source mapping, as Lambda runs it, on the simulated clock.

How a stream mapping polls, batches, retries, bisects, reports partial failures, keeps tumbling
windows, filters and sends to its failure destination is in :mod:`.stream`; this module gives the
Kinesis records' shape and the partition key that picks a record's lane.

On the embedded backend the poller reads streamlab's shard store directly (no boto3 round trip);
the store's absolute positions make the checkpoint a plain integer. On an external backend it
reads a mirror of the stream filled through boto3 (:mod:`.kinesis_remote`): each poll that needs
records makes one ``GetRecords`` call.

Where AWS is silent or streamlab departs from it (constants and reasons in :mod:`.limits`): the
retry backoff; a record too large for any event (a failure before invocation); and a
StartingPositionTimestamp in the future, which AWS refuses (and so does the scenario checker)
but a mapping built directly honours (records arriving before it are skipped).
"""

from __future__ import annotations

from binascii import b2a_base64
from json.encoder import encode_basestring_ascii
from typing import Any

from sim.services.esm.stream import (
    THROTTLED_REASON,
    BatchOutcome,
    StreamEventSourceMapping,
    StreamMappingConfig,
)

STARTING_POSITIONS = StreamMappingConfig.STARTING_POSITIONS

__all__ = [
    "STARTING_POSITIONS",
    "THROTTLED_REASON",
    "BatchOutcome",
    "KinesisEventSourceMapping",
    "KinesisMappingConfig",
]


class KinesisMappingConfig(StreamMappingConfig):
    """A Kinesis mapping's parameters: BatchSize up to 10,000; TRIM_HORIZON, LATEST or
    AT_TIMESTAMP."""


class KinesisEventSourceMapping(StreamEventSourceMapping):
    """A mapping from one Kinesis stream to one function (see :mod:`.stream` for how it runs).

    Each record's JSON text is built once, when it is read, in AWS's key order::

        {"kinesis": {"kinesisSchemaVersion", "partitionKey", "sequenceNumber", "data",
                     "approximateArrivalTimestamp"},
         "eventSource": "aws:kinesis", "eventVersion": "1.0", "eventID": "<shard>:<seq>",
         "eventName": "aws:kinesis:record", "invokeIdentityArn", "awsRegion", "eventSourceARN"}
    """

    source_service = "kinesis"
    batch_info_key = "KinesisBatchInfo"
    config_class = KinesisMappingConfig

    def _get_stream(self) -> Any:
        stream = self.store.get_stream(self.stream_name)
        # the parts of every record's JSON text that depend on the mapping only
        self._record_tail = (
            f', "invokeIdentityArn": {encode_basestring_ascii(self.role_arn)}'
            f', "awsRegion": {encode_basestring_ascii(self.region)}'
            f', "eventSourceARN": {encode_basestring_ascii(stream.arn)}}}'
        )
        self._arrival: float | None = None
        self._stamp = ""
        return stream

    def _record_text(self, record: Any, shard_id: str) -> str:
        seq = record.sequence_number
        if record.arrival != self._arrival:  # records of one put share their arrival
            self._arrival = record.arrival
            self._stamp = repr(round(record.arrival, 3))
        return (
            '{"kinesis": {"kinesisSchemaVersion": "1.0", "partitionKey": '
            f"{encode_basestring_ascii(record.partition_key)}, "
            f'"sequenceNumber": "{seq}", '
            f'"data": "{b2a_base64(record.data, newline=False).decode("ascii")}", '
            f'"approximateArrivalTimestamp": {self._stamp}}}, '
            '"eventSource": "aws:kinesis", "eventVersion": "1.0", '
            f'"eventID": "{shard_id}:{seq}", "eventName": "aws:kinesis:record"{self._record_tail}'
        )

    def _lane_key(self, record: Any) -> str:
        return record.partition_key
