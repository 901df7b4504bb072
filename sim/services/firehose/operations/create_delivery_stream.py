"""CreateDeliveryStream: DirectPut or KinesisStreamAsSource, to an S3 destination.

The stream is ACTIVE at once (AWS shows CREATING for a while; boto3's waiter would sleep in
wall time). A Kinesis source is read from its LATEST position at creation. Simulated: S3 and
ExtendedS3 destinations with RoleARN, BucketARN, Prefix, ErrorOutputPrefix, BufferingHints,
CompressionFormat UNCOMPRESSED or GZIP and the AppendDelimiterToRecord processor; the bucket is
not checked here (AWS checks it when it delivers). Anything else answers NotImplementedException.
"""

from __future__ import annotations

from typing import Any

from sim.services.firehose import limits
from sim.services.firehose.backend import Call
from sim.services.firehose.exceptions import (
    InvalidArgumentException,
    NotSimulatedException,
    already_exists,
)
from sim.services.firehose.models import DeliveryStream, SourceShard
from sim.services.firehose.prefixes import check_prefixes

_OTHER_DESTINATIONS = (
    "RedshiftDestinationConfiguration",
    "ElasticsearchDestinationConfiguration",
    "AmazonopensearchserviceDestinationConfiguration",
    "SplunkDestinationConfiguration",
    "HttpEndpointDestinationConfiguration",
    "AmazonOpenSearchServerlessDestinationConfiguration",
    "SnowflakeDestinationConfiguration",
    "IcebergDestinationConfiguration",
)
_SIMULATED_OPTIONS = frozenset(
    {
        "RoleARN",
        "BucketARN",
        "Prefix",
        "ErrorOutputPrefix",
        "BufferingHints",
        "CompressionFormat",
        "EncryptionConfiguration",
        "CloudWatchLoggingOptions",
        "ProcessingConfiguration",
        "S3BackupMode",
    }
)


def _not_simulated(what: str) -> NotSimulatedException:
    return NotSimulatedException(
        f"streamlab's Firehose does not simulate {what}; it simulates DirectPut and "
        "KinesisStreamAsSource delivery streams with an S3 or ExtendedS3 destination "
        "(buffering hints, prefixes, GZIP, AppendDelimiterToRecord)."
    )


def _append_delimiter(config: dict[str, Any]) -> bool:
    processing = config.get("ProcessingConfiguration") or {}
    if not processing.get("Enabled", False):
        return False
    append = False
    for processor in processing.get("Processors") or []:
        if processor.get("Type") == "AppendDelimiterToRecord":
            append = True
        else:
            raise _not_simulated(f"the {processor.get('Type')} processor")
    return append


def run(call: Call, request: dict) -> dict:
    backend = call.backend
    name = request["DeliveryStreamName"]
    kind = request.get("DeliveryStreamType", "DirectPut")
    if kind not in ("DirectPut", "KinesisStreamAsSource"):
        raise _not_simulated(f"DeliveryStreamType {kind}")
    for key in _OTHER_DESTINATIONS:
        if request.get(key) is not None:
            raise _not_simulated(key)
    extended = request.get("ExtendedS3DestinationConfiguration")
    plain = request.get("S3DestinationConfiguration")
    if (extended is None) == (plain is None):
        raise InvalidArgumentException(
            "Exactly one destination configuration must be specified "
            "(ExtendedS3DestinationConfiguration or S3DestinationConfiguration)."
        )
    config = extended if extended is not None else plain
    unsimulated = sorted(set(config) - _SIMULATED_OPTIONS)
    if unsimulated:
        raise _not_simulated(f"destination option {unsimulated[0]}")
    source = request.get("KinesisStreamSourceConfiguration")
    if kind == "KinesisStreamAsSource" and source is None:
        raise InvalidArgumentException(
            "KinesisStreamSourceConfiguration is required when DeliveryStreamType is "
            "KinesisStreamAsSource."
        )
    if kind == "DirectPut" and source is not None:
        raise InvalidArgumentException(
            "KinesisStreamSourceConfiguration is only allowed when DeliveryStreamType is "
            "KinesisStreamAsSource."
        )
    if name in backend.streams:
        raise already_exists(name, call.account_id)

    compression = config.get("CompressionFormat", "UNCOMPRESSED")
    if compression not in ("UNCOMPRESSED", "GZIP"):
        raise _not_simulated(f"CompressionFormat {compression}")
    prefix = config.get("Prefix") or None
    error_prefix = config.get("ErrorOutputPrefix") or None
    check_prefixes(prefix, error_prefix)
    hints = config.get("BufferingHints") or {}
    size_mb = hints.get("SizeInMBs", limits.BUFFER_SIZE_MB_DEFAULT)
    interval = hints.get("IntervalInSeconds", limits.BUFFER_INTERVAL_DEFAULT)
    append_delimiter = _append_delimiter(config) if extended is not None else False

    description: dict[str, Any] = {
        "RoleARN": config["RoleARN"],
        "BucketARN": config["BucketARN"],
        "BufferingHints": {"SizeInMBs": size_mb, "IntervalInSeconds": interval},
        "CompressionFormat": compression,
        "EncryptionConfiguration": config.get("EncryptionConfiguration")
        or {"NoEncryptionConfig": "NoEncryption"},
        "CloudWatchLoggingOptions": config.get("CloudWatchLoggingOptions") or {"Enabled": False},
    }
    if prefix is not None:
        description["Prefix"] = prefix
    if error_prefix is not None:
        description["ErrorOutputPrefix"] = error_prefix
    if extended is not None:
        if config.get("ProcessingConfiguration") is not None:
            description["ProcessingConfiguration"] = config["ProcessingConfiguration"]
        description["S3BackupMode"] = config.get("S3BackupMode", "Disabled")

    stream = DeliveryStream(
        name=name,
        arn=f"arn:{backend.partition}:firehose:{backend.region}:{call.account_id}:"
        f"deliverystream/{name}",
        type=kind,
        created_at=call.now,
        destination_kind="ExtendedS3" if extended is not None else "S3",
        destination=description,
        bucket=config["BucketARN"].split(":::", 1)[1],
        prefix=prefix,
        error_output_prefix=error_prefix,
        size_bytes=size_mb * limits.MiB,
        interval=interval,
        compression=compression,
        append_delimiter=append_delimiter,
        tags={tag["Key"]: tag.get("Value", "") for tag in request.get("Tags") or []},
    )
    if source is not None:
        arn = source["KinesisStreamARN"]
        stream_name = arn.rsplit("/", 1)[-1]
        try:
            shards = backend.source_shards(stream_name)
        except Exception:
            raise InvalidArgumentException(
                f"Kinesis stream {arn} does not exist or is not accessible."
            ) from None
        stream.source_stream_arn = arn
        stream.source_stream_name = stream_name
        stream.source_role_arn = source["RoleARN"]
        for shard in shards:  # LATEST: records already on the stream are not read
            stream.shards[shard.shard_id] = SourceShard(shard, shard.end_index, shard.end_index)
    backend.streams[name] = stream
    return {"DeliveryStreamARN": stream.arn}
