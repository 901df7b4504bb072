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
# AWS does not document how soon a failed batch is retried. streamlab retries after 1 s and
# doubles the delay on each further failure, up to 60 s (assumption, not AWS-documented).
RETRY_DELAY_FIRST_SECONDS = 1.0
RETRY_DELAY_MAX_SECONDS = 60.0
