"""DescribeStreamSummary: the stream without its shard list, with its open shard count."""

from __future__ import annotations

from sim.services.kinesis.backend import Call
from sim.services.kinesis.operations import EpochSeconds
from sim.services.kinesis.operations._common import STREAM_ARN, STREAM_NAME

INPUT = {
    "StreamName": STREAM_NAME,
    "StreamARN": STREAM_ARN,
}


def run(call: Call, request: dict) -> dict:
    stream = call.stream(request)
    summary = {
        "StreamName": stream.name,
        "StreamARN": stream.arn,
        "StreamStatus": stream.status,
        "StreamModeDetails": {"StreamMode": stream.mode},
        "RetentionPeriodHours": stream.retention_hours,
        "StreamCreationTimestamp": EpochSeconds(int(stream.created_at)),
        "EnhancedMonitoring": [{"ShardLevelMetrics": []}],
        "EncryptionType": stream.encryption_type,
        "OpenShardCount": len(stream.open()),
        "ConsumerCount": 0,
        "MaxRecordSizeInKiB": stream.max_record_size_kib,
    }
    if stream.key_id is not None:
        summary["KeyId"] = stream.key_id
    return {"StreamDescriptionSummary": summary}
