"""Every Amazon Data Firehose limit streamlab enforces, as a named constant with its source.

Sources (short names used below):

* HINTS: https://docs.aws.amazon.com/firehose/latest/APIReference/API_BufferingHints.html
* BATCH: https://docs.aws.amazon.com/firehose/latest/APIReference/API_PutRecordBatch.html
* RECORD: https://docs.aws.amazon.com/firehose/latest/APIReference/API_Record.html
* PUT: https://docs.aws.amazon.com/firehose/latest/APIReference/API_PutRecord.html
* DELIVER: https://docs.aws.amazon.com/firehose/latest/dev/basic-deliver.html
* PREFIXES: https://docs.aws.amazon.com/firehose/latest/dev/s3-prefixes.html
* NAMES: https://docs.aws.amazon.com/firehose/latest/dev/s3-object-name.html
* KDS: https://docs.aws.amazon.com/firehose/latest/dev/writing-with-kinesis-streams.html
* BOTOCORE: botocore's firehose-2015-08-04 service model (the shapes' min/max/pattern).

Values marked **streamlab choice** are not documented by AWS; see the package docstring.
"""

from __future__ import annotations

KiB = 1024
MiB = 1024 * KiB

# -- Direct PUT -------------------------------------------------------------------------------
# PutRecordBatch: at most 500 records (BATCH; BOTOCORE PutRecordBatchRequestEntryList max 500).
PUT_RECORD_BATCH_MAX_RECORDS = 500
# PutRecordBatch: at most 4 MiB per request, all records together (BATCH: "up to a limit of
# 4 MB for the entire request"; AWS answers "Records size exceeds 4 MB limit").
PUT_RECORD_BATCH_MAX_BYTES = 4 * MiB
# A record's data: at most 1,000 KiB = 1,024,000 bytes before base64 (RECORD; BOTOCORE Data).
RECORD_MAX_BYTES = 1_024_000

# -- Buffering hints --------------------------------------------------------------------------
# SizeInMBs 1..128, default 5; IntervalInSeconds 0..900, default 300 (HINTS; BOTOCORE).
# Firehose delivers when either is reached, whichever comes first (DELIVER). The size counts
# MiB of record data as received (before the delimiter processor and compression).
BUFFER_SIZE_MB_MIN = 1
BUFFER_SIZE_MB_MAX = 128
BUFFER_SIZE_MB_DEFAULT = 5
BUFFER_INTERVAL_MIN = 0
BUFFER_INTERVAL_MAX = 900
BUFFER_INTERVAL_DEFAULT = 300

# -- Kinesis Data Streams source --------------------------------------------------------------
# Firehose calls GetRecords once per second per shard, starting at LATEST (KDS).
SOURCE_POLL_SECONDS = 1.0
# One read takes at most what one GetRecords returns: 10,000 records, 10 MiB.
SOURCE_READ_MAX_RECORDS = 10_000
SOURCE_READ_MAX_BYTES = 10 * MiB

# -- Delivery ---------------------------------------------------------------------------------
# A failed S3 delivery is retried for up to 24 hours; older data is dropped (DELIVER).
# streamlab retries at each tick (every SOURCE_POLL_SECONDS).
DELIVERY_RETRY_SECONDS = 24 * 3600
# The object-name suffix ends in a UUID (NAMES); !{firehose:random-string} is 11 characters
# (PREFIXES).
RANDOM_STRING_LENGTH = 11
# An evaluated prefix may not exceed 512 characters (PREFIXES).
EVALUATED_PREFIX_MAX_LENGTH = 512
# The prefix appended to a Prefix without a timestamp expression, and used without Prefix
# (NAMES, PREFIXES).
DEFAULT_TIMESTAMP_PREFIX = "yyyy/MM/dd/HH/"

# -- Names ------------------------------------------------------------------------------------
# DeliveryStreamName: 1..64 of [a-zA-Z0-9_.-] (BOTOCORE).
NAME_MAX_LENGTH = 64
# ListDeliveryStreams Limit: 1..10000, default 10 (BOTOCORE; API_ListDeliveryStreams.html).
LIST_DEFAULT_LIMIT = 10
# Tags: at most 50 per delivery stream (API_TagDeliveryStream.html).
TAGS_MAX = 50
