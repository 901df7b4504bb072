"""Every Kinesis Data Streams limit streamlab enforces, as a named constant with its source.

Sources (short names used below):

* QUOTAS: https://docs.aws.amazon.com/streams/latest/dev/service-sizes-and-limits.html
* PUT_RECORDS: https://docs.aws.amazon.com/kinesis/latest/APIReference/API_PutRecords.html
* ENTRY: https://docs.aws.amazon.com/kinesis/latest/APIReference/API_PutRecordsRequestEntry.html
* GET_RECORDS: https://docs.aws.amazon.com/kinesis/latest/APIReference/API_GetRecords.html
* ITERATOR: https://docs.aws.amazon.com/kinesis/latest/APIReference/API_GetShardIterator.html
* RETENTION: https://docs.aws.amazon.com/streams/latest/dev/kinesis-extended-retention.html
* LARGE: https://docs.aws.amazon.com/streams/latest/dev/large-records.html and
  https://docs.aws.amazon.com/kinesis/latest/APIReference/API_UpdateMaxRecordSize.html
* SIZING: https://docs.aws.amazon.com/streams/latest/dev/how-do-i-size-a-stream.html
* LIST_SHARDS: https://docs.aws.amazon.com/kinesis/latest/APIReference/API_ListShards.html
* KINESALITE: github mhart/kinesalite (validations/*.js, actions/*.js): messages and bounds
  its author matched against AWS.
* BOTOCORE: botocore's kinesis-2013-12-02 service model (the shapes' min/max/pattern).

Values marked **streamlab choice** are not documented by AWS; see the package docstring.
"""

from __future__ import annotations

KiB = 1024
MiB = 1024 * KiB

# -- Requests ---------------------------------------------------------------------------------
# PutRecords: at most 500 records per request (PUT_RECORDS; BOTOCORE PutRecordsRequestEntryList).
PUT_RECORDS_MAX_RECORDS = 500
# PutRecords: at most 5 MiB per request, partition keys included (PUT_RECORDS).
PUT_RECORDS_MAX_REQUEST_BYTES = 5 * MiB
# Data blob: at most 10 MiB before base64 (ENTRY; BOTOCORE Data max 10485760).
DATA_MAX_BYTES = 10 * MiB
# Partition key: 1 to 256 Unicode characters (ENTRY).
PARTITION_KEY_MIN_LENGTH = 1
PARTITION_KEY_MAX_LENGTH = 256
# ExplicitHashKey / hash keys: decimal, 0 .. 2^128-1 (ENTRY; KINESALITE putRecord.js).
HASH_KEY_PATTERN = r"0|([1-9]\d{0,38})"
HASH_KEY_LIMIT = 2**128
# Sequence numbers: decimal strings matching this pattern (API_PutRecord.html SequenceNumber).
SEQUENCE_NUMBER_PATTERN = r"0|([1-9]\d{0,128})"
# Stream and shard names (BOTOCORE StreamName / ShardId).
NAME_PATTERN = r"[a-zA-Z0-9_.-]+"
NAME_MAX_LENGTH = 128
STREAM_ARN_PATTERN = r"arn:aws.*:kinesis:.*:\d{12}:stream/\S+"
RESOURCE_ARN_PATTERN = r"arn:aws.*:kinesis:.*:\d{12}:.*(stream|channel|queue)/\S+"
ARN_MAX_LENGTH = 2048

# -- Record size ------------------------------------------------------------------------------
# A record (data + partition key) may not exceed the stream's maximum record size, 1 MiB by
# default for new and existing streams (QUOTAS, LARGE).
DEFAULT_MAX_RECORD_SIZE_KIB = 1024
# UpdateMaxRecordSize / CreateStream MaxRecordSizeInKiB: 1024 .. 10240 KiB (LARGE; BOTOCORE).
MAX_RECORD_SIZE_KIB_MIN = 1024
MAX_RECORD_SIZE_KIB_MAX = 10240

# -- Shard throughput -------------------------------------------------------------------------
# Writes per shard: 1 MiB/s (data + partition keys) and 1,000 records/s, in both capacity modes
# (QUOTAS; https://docs.aws.amazon.com/streams/latest/dev/working-with-streams.html;
# partition keys count: https://docs.aws.amazon.com/streams/latest/dev/key-concepts.html).
SHARD_WRITE_BYTES_PER_SECOND = 1 * MiB
SHARD_WRITE_RECORDS_PER_SECOND = 1000
# Length of a throughput window, in simulated seconds (streamlab choice: AWS meters per second).
THROUGHPUT_WINDOW_SECONDS = 1

# -- Reads ------------------------------------------------------------------------------------
# GetRecords returns at most 10,000 records and at most 10 MiB per call (GET_RECORDS, QUOTAS).
GET_RECORDS_MAX_RECORDS = 10_000
GET_RECORDS_MAX_BYTES = 10 * MiB
GET_RECORDS_DEFAULT_LIMIT = 10_000
# A shard iterator expires 5 minutes after it is issued (ITERATOR); AWS's message says
# "tolerated delay of 300000 milliseconds" (KINESALITE getRecords.js).
ITERATOR_LIFETIME_MS = 300_000
# Shard iterator length (BOTOCORE ShardIterator max 512).
ITERATOR_MAX_LENGTH = 512

# -- Retention --------------------------------------------------------------------------------
# 24 h by default; 24 .. 8760 h (RETENTION).
RETENTION_DEFAULT_HOURS = 24
RETENTION_MIN_HOURS = 24
RETENTION_MAX_HOURS = 8760

# -- Streams, shards, accounts ----------------------------------------------------------------
# CreateStream ShardCount and UpdateShardCount TargetShardCount: 1 .. 100000 (KINESALITE
# createStream.js / updateShardCount.js; BOTOCORE has min 1 only).
SHARD_COUNT_MAX = 100_000
# Default shard quota per account: 20,000 in us-east-1, us-west-2 and eu-west-1; 1,000 or
# 6,000 elsewhere (QUOTAS). streamlab uses 6,000 for the other regions.
SHARD_LIMIT_LARGE_REGIONS = frozenset({"us-east-1", "us-west-2", "eu-west-1"})
SHARD_LIMIT_LARGE = 20_000
SHARD_LIMIT_OTHER = 6_000
# On-demand data streams per account: 50 by default (QUOTAS).
ON_DEMAND_STREAM_LIMIT = 50
# UpdateShardCount may at most double, and at least halve, the open shard count
# (KINESALITE updateShardCount.js; API_UpdateShardCount.html).
UPDATE_SHARD_COUNT_MAX_FACTOR = 2
# Capacity mode can be switched twice per rolling 24 hours (SIZING).
STREAM_MODE_SWITCHES_PER_DAY = 2
# Tags: at most 50 per stream (https://docs.aws.amazon.com/streams/latest/dev/tagging.html);
# a request carries at most 10 tags / 10 keys for Add/RemoveTagsToStream (KINESALITE), the
# current model allows 200 / 50 (BOTOCORE TagMap / TagKeyList).
TAGS_PER_STREAM_MAX = 50
TAG_KEY_MAX_LENGTH = 128
TAG_VALUE_MAX_LENGTH = 256

# -- Paging -----------------------------------------------------------------------------------
# DescribeStream Limit: 1 .. 10000, default 100 (API_DescribeStream.html; KINESALITE).
DESCRIBE_STREAM_DEFAULT_LIMIT = 100
DESCRIBE_STREAM_MAX_LIMIT = 10_000
# ListStreams Limit: 1 .. 10000; default 100, at most 100 returned (API_ListStreams.html).
LIST_STREAMS_DEFAULT_LIMIT = 100
LIST_STREAMS_MAX_RETURNED = 100
# ListShards MaxResults: 1 .. 10000, default 1000 (LIST_SHARDS).
LIST_SHARDS_DEFAULT_LIMIT = 1000
LIST_SHARDS_MAX_LIMIT = 10_000
# A ListShards NextToken is valid for 300 seconds (LIST_SHARDS).
NEXT_TOKEN_LIFETIME_SECONDS = 300
# ListTagsForStream Limit: 1 .. 50 (BOTOCORE); default: all of a stream's tags.
LIST_TAGS_MAX_LIMIT = 50

# -- On-demand capacity mode ------------------------------------------------------------------
# A new on-demand stream starts with 4 MB/s write capacity, i.e. 4 shards (QUOTAS, SIZING).
ON_DEMAND_INITIAL_SHARDS = 4
# Kinesis splits a shard "within 15 minutes" once it receives more than 500 KB/s (SIZING).
# streamlab's rule (streamlab choice): a shard whose writes over one measuring period average
# more than the threshold is split at the midpoint of its hash-key range once the delay has
# passed after that period ends (at the next call touching the stream).
ON_DEMAND_SPLIT_THRESHOLD_BYTES_PER_SECOND = 500 * KiB
ON_DEMAND_MEASURE_SECONDS = 60
ON_DEMAND_SPLIT_DELAY_SECONDS = 60
# Upper bound of ON_DEMAND_MEASURE_SECONDS + ON_DEMAND_SPLIT_DELAY_SECONDS per AWS (SIZING).
ON_DEMAND_SPLIT_WITHIN_SECONDS = 15 * 60
