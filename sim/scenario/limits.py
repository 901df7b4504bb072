"""AWS limits the scenario schema enforces, as named constants with their source.

Values come from /work/shared/aws-semantics.md and the AWS pages it cites; the scenario rejects
what AWS's API would reject, so a scenario that loads here also deploys there.
"""

from __future__ import annotations

# Kinesis Data Streams -------------------------------------------------------------------------
# CreateStream: StreamName 1-128 of [a-zA-Z0-9_.-]. API_CreateStream.html
STREAM_NAME_MAX = 128
# streamlab's own cap on shards per stream (a simulation bound, not an AWS quota: the default
# account quota is 20,000 shards in the large Regions, 1,000 or 6,000 elsewhere).
STREAM_SHARDS_MAX = 500
# Retention: 24 h default, at most 8760 h (365 days). kinesis-extended-retention.html
RETENTION_HOURS_MIN = 24
RETENTION_HOURS_MAX = 8760
# PutRecords takes at most 500 records per request. API_PutRecords.html
PUT_RECORDS_MAX = 500
# A producer retries a refused record until this long after it produced it: the Kinesis Producer
# Library's RecordTtl default, 30,000 ms ("Records that do not get successfully put within the
# limit are failed"; amazon-kinesis-producer, KinesisProducerConfiguration.java).
PUT_RECORD_TTL_SECONDS = 30.0

# Lambda ---------------------------------------------------------------------------------------
# CreateFunction FunctionName (plain name): 1-64 of [a-zA-Z0-9-_]. API_CreateFunction.html
FUNCTION_NAME_MAX = 64
# Timeout default 3 s, max 900 s. CreateFunction Timeout.
TIMEOUT_DEFAULT = 3
TIMEOUT_MAX = 900
# Memory 128-10,240 MB. gettingstarted-limits.html
MEMORY_MIN = 128
MEMORY_MAX = 10_240
DEFAULT_RUNTIME = "python3.11"

# Event source mapping for Kinesis. API_CreateEventSourceMapping.html; with-kinesis.md
BATCH_SIZE_DEFAULT = 100
BATCH_SIZE_MAX = 10_000
BATCHING_WINDOW_MAX = 300  # MaximumBatchingWindowInSeconds 0..300
RETRY_ATTEMPTS_MAX = 10_000  # MaximumRetryAttempts -1..10000 (-1 = until the record expires)
RECORD_AGE_MIN = 60  # MaximumRecordAgeInSeconds -1 or 60..604800
RECORD_AGE_MAX = 604_800
PARALLELIZATION_FACTOR_MAX = 10  # ParallelizationFactor 1..10
TUMBLING_WINDOW_MAX = 900  # TumblingWindowInSeconds 0..900
FILTERS_MAX = 5  # FilterCriteria: 5 filters per mapping (a quota, 10 on request)
# SQS event source mapping (with-sqs.html, API_ScalingConfig.html): BatchSize default 10, at
# most 10,000 for standard queues and 10 for FIFO; above 10 a batching window of at least 1 s.
SQS_BATCH_SIZE_DEFAULT = 10
SQS_BATCH_SIZE_MAX = 10_000
SQS_FIFO_BATCH_SIZE_MAX = 10
SQS_MAXIMUM_CONCURRENCY_MIN = 2
SQS_MAXIMUM_CONCURRENCY_MAX = 1_000

# DynamoDB -------------------------------------------------------------------------------------
# TableName / IndexName: 3-255 of [a-zA-Z0-9_.-]. API_CreateTable.html
TABLE_NAME_MIN = 3
TABLE_NAME_MAX = 255

# S3 -------------------------------------------------------------------------------------------
# Bucket names: 3-63 characters, lowercase letters, digits, dots and hyphens, starting and
# ending with a letter or digit, no "..", not an IP address. bucketnamingrules.html
BUCKET_NAME_MIN = 3
BUCKET_NAME_MAX = 63

# SNS / SQS ------------------------------------------------------------------------------------
# Topic names: 1-256 of [a-zA-Z0-9_-]. API_CreateTopic.html
TOPIC_NAME_MAX = 256
# Queue names: 1-80 of [a-zA-Z0-9_-]; FIFO queues end in ".fifo" (counted). API_CreateQueue.html
QUEUE_NAME_MAX = 80
# VisibilityTimeout 0-43,200 s (12 h), default 30. API_CreateQueue.html
VISIBILITY_TIMEOUT_DEFAULT = 30
VISIBILITY_TIMEOUT_MAX = 43_200
# MessageRetentionPeriod 60 s..14 days, default 4 days; RedrivePolicy maxReceiveCount 1..1000.
# API_SetQueueAttributes.html; sqs-dead-letter-queues.html
MESSAGE_RETENTION_MIN = 60
MESSAGE_RETENTION_MAX = 1_209_600
MESSAGE_RETENTION_DEFAULT = 345_600
MAX_RECEIVE_COUNT_MAX = 1_000

# IAM ------------------------------------------------------------------------------------------
# Role names 1-64, inline policy names 1-128, of [\w+=,.@-]. API_CreateRole / API_PutRolePolicy
ROLE_NAME_MAX = 64
# EventBridge rule names and Scheduler schedule names: 1..64 of [.-_A-Za-z0-9] (PutRule Name,
# CreateSchedule Name).
RULE_NAME_MAX = 64
POLICY_NAME_MAX = 128
POLICY_VERSIONS = ("2012-10-17", "2008-10-17")

# Asynchronous invocation (PutFunctionEventInvokeConfig): retries 0..2 (default 2), event age
# 60..21600 s (default 6 h). aws-semantics.md §3.
ASYNC_RETRY_ATTEMPTS_DEFAULT = 2
ASYNC_RETRY_ATTEMPTS_MAX = 2
ASYNC_EVENT_AGE_MIN = 60
ASYNC_EVENT_AGE_MAX = 21_600
# EventBridge Scheduler FlexibleTimeWindow.MaximumWindowInMinutes: 1..1440.
FLEXIBLE_WINDOW_MINUTES_MAX = 1440
