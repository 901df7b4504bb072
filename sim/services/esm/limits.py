"""Event source mapping limits and defaults, each with its source.

https://docs.aws.amazon.com/lambda/latest/dg/with-kinesis.html (parameter table) and
https://docs.aws.amazon.com/lambda/latest/api/API_CreateEventSourceMapping.html
"""

# BatchSize: default 100, at most 10,000 for Kinesis.
KINESIS_BATCH_SIZE_DEFAULT = 100
KINESIS_BATCH_SIZE_MAX = 10_000
# MaximumBatchingWindowInSeconds: 0..300.
BATCHING_WINDOW_MAX_SECONDS = 300
# MaximumRetryAttempts: -1 (retry until the record expires) .. 10,000.
RETRY_ATTEMPTS_INFINITE = -1
RETRY_ATTEMPTS_MAX = 10_000
# MaximumRecordAgeInSeconds: -1 (infinite) or 60..604,800.
RECORD_AGE_INFINITE = -1
RECORD_AGE_MIN_SECONDS = 60
RECORD_AGE_MAX_SECONDS = 604_800
# Lambda polls each shard at a base rate of once per second (standard iterators).
POLL_INTERVAL_SECONDS = 1.0
# A batch stops growing at the synchronous invocation payload limit, 6 MB: the request body
# Lambda's Invoke accepts, 6,291,456 bytes (the figure its RequestTooLargeException quotes).
# https://docs.aws.amazon.com/lambda/latest/dg/gettingstarted-limits.html ; API_Invoke.html
# streamlab measures the event exactly as it sends it: JSON with Python's default separators and
# ASCII escapes (what ``json.dumps`` gives for the same event), so a batch passed as a dict and
# one passed as encoded bytes are cut at the same record.
INVOKE_PAYLOAD_MAX_BYTES = 6 * 1024 * 1024
# A record whose event alone exceeds the payload limit (possible with Kinesis large records,
# MaxRecordSizeInKiB above ~4,500) can never be sent. AWS does not document this case; streamlab
# treats it as a failure before invocation (aws-semantics §2): the function is not called,
# MaximumRetryAttempts does not count it, and the record is retried until it passes
# MaximumRecordAgeInSeconds or leaves the stream's retention (assumption, not AWS-documented).
PAYLOAD_TOO_LARGE_REASON = "RequestTooLargeException"
# ParallelizationFactor: 1..10 concurrent batches per shard, order kept per partition key.
# https://docs.aws.amazon.com/lambda/latest/api/API_CreateEventSourceMapping.html
PARALLELIZATION_FACTOR_DEFAULT = 1
PARALLELIZATION_FACTOR_MAX = 10
# With ParallelizationFactor above 1, a shard's records are read ahead and queued per partition
# key group; a group blocked by a failing batch holds at most this many batches' worth of
# records before reading stops for the whole shard (assumption, not AWS-documented: Lambda does
# not publish its read-ahead).
PARALLEL_READ_AHEAD_BATCHES = 10
# TumblingWindowInSeconds: 0..900 (0: no window). The state carried between invocations of a
# window is limited to 1 MB; above it the window ends early.
# https://docs.aws.amazon.com/lambda/latest/dg/services-kinesis-windows.html
TUMBLING_WINDOW_MAX_SECONDS = 900
WINDOW_STATE_MAX_BYTES = 1024 * 1024
# FunctionResponseTypes: the one value Lambda accepts for stream and queue sources.
FUNCTION_RESPONSE_TYPES = ("ReportBatchItemFailures",)
# FilterCriteria: at most 5 filters per mapping by default (a quota AWS raises to 10 on request).
# https://docs.aws.amazon.com/lambda/latest/dg/invocation-eventfiltering.html
FILTERS_MAX_DEFAULT = 5
# DestinationConfig.OnFailure for stream sources: an SQS queue, an SNS topic or an S3 bucket.
# https://docs.aws.amazon.com/lambda/latest/dg/kinesis-on-failure-destination.html
ON_FAILURE_SERVICES = ("sqs", "sns", "s3")
# An SNS destination takes messages up to 256 KB (API_OnFailure.html).
SNS_MESSAGE_MAX_BYTES = 256 * 1024
# The failure record's ``condition``: retries used up, or records older than
# MaximumRecordAgeInSeconds (AWS's example shows the first; LocalStack and the community's
# captures show ``RecordAgeExceeded`` for the second).
CONDITION_RETRIES_EXHAUSTED = "RetryAttemptsExhausted"
CONDITION_RECORD_AGE = "RecordAgeExceeded"
# DynamoDB Streams: Lambda polls each shard four times a second (with-ddb.html); only
# TRIM_HORIZON and LATEST are starting positions there.
DYNAMODB_POLL_INTERVAL_SECONDS = 0.25
# AWS does not document how soon a failed batch is retried. streamlab retries after 1 s and
# doubles the delay on each further failure, up to 60 s (assumption, not AWS-documented).
RETRY_DELAY_FIRST_SECONDS = 1.0
RETRY_DELAY_MAX_SECONDS = 60.0

# ---------------------------------------------------------------------------------------------
# SQS (sim/services/esm/sqs.py). Sources:
# https://docs.aws.amazon.com/lambda/latest/dg/services-sqs-parameters.html (parameter table),
# https://docs.aws.amazon.com/lambda/latest/dg/with-sqs.html ,
# https://docs.aws.amazon.com/lambda/latest/dg/services-sqs-scaling.html ,
# https://docs.aws.amazon.com/lambda/latest/dg/services-sqs-errorhandling.html ,
# https://docs.aws.amazon.com/lambda/latest/api/API_ScalingConfig.html
# ---------------------------------------------------------------------------------------------
# BatchSize: default 10; at most 10,000 for standard queues and 10 for FIFO queues.
SQS_BATCH_SIZE_DEFAULT = 10
SQS_BATCH_SIZE_MAX = 10_000
SQS_FIFO_BATCH_SIZE_MAX = 10
# "For a batch size over 10, you must also set the MaximumBatchingWindowInSeconds parameter to at
# least 1 second" (with-sqs.html); AWS answers "Maximum batch window in seconds must be greater
# than 0 if maximum batch size is greater than 10" otherwise.
SQS_BATCH_SIZE_WITHOUT_WINDOW_MAX = 10
# ReceiveMessage returns at most 10 messages a call (API_ReceiveMessage, MaxNumberOfMessages).
SQS_RECEIVE_MAX_MESSAGES = 10
# DeleteMessageBatch takes at most 10 entries (API_DeleteMessageBatch).
SQS_DELETE_BATCH_MAX = 10
# ScalingConfig.MaximumConcurrency: 2..1,000 (API_ScalingConfig).
SQS_MAXIMUM_CONCURRENCY_MIN = 2
SQS_MAXIMUM_CONCURRENCY_MAX = 1_000
# Poller scaling (services-sqs-scaling.html): "Lambda starts processing five batches at a time
# with five concurrent invocations of your function. If messages are still available, Lambda
# increases the number of processes that are reading batches by up to 300 more instances per
# minute. The maximum number of batches that an event source mapping can process simultaneously
# is 1,000." streamlab adds the 300 a minute pro rata, 5 for each second of backlog, and falls
# back to 5 when a poll finds the queue empty (assumption, not AWS-documented: AWS gives the
# rates, not the steps). The error back-off (fewer pollers while the function fails) and the
# low-traffic optimisation to 2 batches are not modelled.
SQS_INITIAL_CONCURRENT_BATCHES = 5
SQS_SCALE_UP_PER_MINUTE = 300
SQS_MAX_CONCURRENT_BATCHES = 1_000
# Lambda long-polls an idle queue (with-sqs.html). streamlab checks the queue once a simulated
# second instead (assumption, not AWS-documented): a message sent at t is received at the next
# whole second after the mapping's creation phase, not at once.
SQS_POLL_INTERVAL_SECONDS = 1.0
# A throttled invoke (TooManyRequestsException): "Lambda continues to retry the message until the
# message's timestamp exceeds your queue's visibility timeout, at which point Lambda drops the
# message" (services-sqs-errorhandling.html): the batch is given up, not deleted, and comes back
# when its visibility timeout ends. The retry delays are not documented: streamlab waits 1 s and
# doubles the wait on each throttle, up to 60 s (assumption, not AWS-documented).
SQS_THROTTLE_RETRY_DELAY_FIRST_SECONDS = 1.0
SQS_THROTTLE_RETRY_DELAY_MAX_SECONDS = 60.0
# A failed batch's messages come back when their visibility timeout ends; Lambda's long poll sees
# them then. streamlab wakes its poller at that instant plus 1 ms, SQS's timestamp resolution:
# moto counts a message visible only once the clock is strictly past its visibility deadline.
SQS_VISIBILITY_WAKE_DELAY_SECONDS = 0.001
# The reason recorded in the ledger for messages SQS deleted at the end of the queue's
# MessageRetentionPeriod before the function got them.
SQS_RETENTION_EXPIRED_REASON = "MessageRetentionPeriodExpired"
