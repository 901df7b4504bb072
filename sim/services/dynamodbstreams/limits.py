"""Every DynamoDB Streams (and TTL) limit streamlab applies, as a named constant with its source.

Sources (short names used below):

* STREAMS: https://docs.aws.amazon.com/amazondynamodb/latest/developerguide/Streams.html
* ITERATOR: https://docs.aws.amazon.com/amazondynamodb/latest/APIReference/API_streams_GetShardIterator.html
* GET_RECORDS: https://docs.aws.amazon.com/amazondynamodb/latest/APIReference/API_streams_GetRecords.html
* BOTOCORE: botocore's ``dynamodbstreams`` 2012-08-10 service model (shapes' min/max/pattern,
  operation documentation).
* TTL: https://docs.aws.amazon.com/amazondynamodb/latest/developerguide/TTL.html and
  https://docs.aws.amazon.com/amazondynamodb/latest/APIReference/API_UpdateTimeToLive.html
* TTL_START: https://docs.aws.amazon.com/amazondynamodb/latest/developerguide/time-to-live-ttl-before-you-start.html

Values marked **assumption, not AWS-documented** are streamlab's choices.
"""

from __future__ import annotations

# -- Retention and iterators ------------------------------------------------------------------
# "The stream records within a shard are removed automatically after 24 hours"; a disabled
# stream stays readable for 24 hours (STREAMS, "Data retention limit for DynamoDB Streams").
RETENTION_SECONDS = 24 * 3600
# "A shard iterator expires 15 minutes after it is returned to the requester" (ITERATOR).
ITERATOR_LIFETIME_MS = 15 * 60 * 1000

# -- Request limits ---------------------------------------------------------------------------
# GetRecords: "a maximum of 1 MB of data or 1000 stream records, whichever comes first"
# (GET_RECORDS). The 1 MB is counted in the records' SizeBytes (assumption, not AWS-documented).
GET_RECORDS_MAX_RECORDS = 1000
GET_RECORDS_MAX_BYTES = 1024 * 1024
# DescribeStream / ListStreams Limit: "The upper limit is 100" (BOTOCORE). A larger Limit is
# refused with a ValidationException, as a larger GetRecords Limit is (assumption, not
# AWS-documented: the model only says min 1).
DESCRIBE_STREAM_MAX_SHARDS = 100
LIST_STREAMS_MAX_STREAMS = 100

# -- Shapes (BOTOCORE) ------------------------------------------------------------------------
STREAM_ARN_MIN_LENGTH = 37
STREAM_ARN_MAX_LENGTH = 1024
SHARD_ID_MIN_LENGTH = 28
SHARD_ID_MAX_LENGTH = 65
SEQUENCE_NUMBER_MIN_LENGTH = 21
SEQUENCE_NUMBER_MAX_LENGTH = 40
SHARD_ITERATOR_MIN_LENGTH = 1
SHARD_ITERATOR_MAX_LENGTH = 2048
TABLE_NAME_MIN_LENGTH = 3
TABLE_NAME_MAX_LENGTH = 255
TABLE_NAME_PATTERN = r"[a-zA-Z0-9_.-]+"

# -- Shards -----------------------------------------------------------------------------------
# AWS documents only that "shards are ephemeral: they are created and deleted automatically"
# (STREAMS). Stream consumers observe a shard closing and a child shard opening every ~4 hours
# (opensearch-project/data-prepper#5208, estuary/connectors#3418). streamlab rolls the open
# shard over every SHARD_ROLLOVER_SECONDS of simulated time (assumption, not AWS-documented;
# ``None`` keeps one shard open for the stream's life). Shards never split on write load.
SHARD_ROLLOVER_SECONDS: float | None = 4 * 3600

# Sequence numbers: the shard's serial (one per shard in a region) times SEQUENCE_SHARD_SPAN
# plus the record's position + 1, zero-padded to 21 digits like AWS's "000000000000000075450"
# (streamlab's layout; AWS documents only a 21 to 40 digit string, BOTOCORE SequenceNumber).
SEQUENCE_SHARD_SPAN = 10**15
SEQUENCE_DIGITS = 21

# -- Time to live -----------------------------------------------------------------------------
# AWS deletes expired items "typically within a few days of their expiration" (TTL) / "within
# two days" (UpdateTimeToLive). streamlab sweeps every TTL_SWEEP_INTERVAL_SECONDS of simulated
# time and deletes every item expired at that instant (assumption, not AWS-documented: a
# short, deterministic delay suits a simulation; configurable per backend).
TTL_SWEEP_INTERVAL_SECONDS = 60.0
# "To be considered for expiry and deletion, the TTL can't be more than five years in the past"
# (TTL_START). Five years of 365 days (assumption, not AWS-documented: leap days unspecified).
TTL_MAX_AGE_SECONDS = 5 * 365 * 24 * 3600
