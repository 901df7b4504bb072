"""AWS list prices the plan's cost estimate uses: US East (N. Virginia), on-demand, USD.

Every constant names its pricing page. The estimate excludes the free tier, taxes, data
transfer and anything not listed here; it is a guide to the order of magnitude, not a quote.

How the numbers were checked (``PRICES_AS_OF``): the stored copies of the pricing pages that
could be searched load their price tables with scripts, so their text confirms the billing
*units* (Kinesis on-demand bills each record rounded up to 1 KB, provisioned mode bills PUT
payload units of 25 KB) but not the numbers. The numbers are the published us-east-1 list
prices as known on that date; the DynamoDB on-demand prices (halved on 2024-11-01) were
confirmed by a third-party copy of the page. Check the pages before relying on a figure.
"""

from __future__ import annotations

PRICES_AS_OF = "2026-11-23"
PRICES_REGION = "us-east-1"

# Kinesis Data Streams ----------------------------------------------------------------------
KINESIS_PRICING_URL = "https://aws.amazon.com/kinesis/data-streams/pricing/"
# On-demand (standard): per stream-hour, per GB written, per GB read. Each record is counted
# rounded up to the nearest 1 KB (1,024 bytes), on the way in and on the way out.
KINESIS_ON_DEMAND_STREAM_HOUR = 0.04
KINESIS_ON_DEMAND_INGEST_PER_GB = 0.08
KINESIS_ON_DEMAND_RETRIEVAL_PER_GB = 0.04
KINESIS_ON_DEMAND_RECORD_UNIT_BYTES = 1024
# Provisioned: per shard-hour, per million PUT payload units (each record counts one unit per
# 25 KB or part of it); reads are included. Extended retention (beyond 24 hours, up to 7 days)
# adds a charge per shard-hour.
KINESIS_SHARD_HOUR = 0.015
KINESIS_PUT_PAYLOAD_UNITS_PER_MILLION = 0.014
KINESIS_PUT_PAYLOAD_UNIT_BYTES = 25 * 1024
KINESIS_EXTENDED_RETENTION_SHARD_HOUR = 0.02

# Lambda ------------------------------------------------------------------------------------
LAMBDA_PRICING_URL = "https://aws.amazon.com/lambda/pricing/"
LAMBDA_REQUESTS_PER_MILLION = 0.20
LAMBDA_GB_SECOND = 0.0000166667  # x86; billed per millisecond of duration

# DynamoDB ----------------------------------------------------------------------------------
DYNAMODB_PRICING_URL = "https://aws.amazon.com/dynamodb/pricing/on-demand/"
DYNAMODB_PROVISIONED_PRICING_URL = "https://aws.amazon.com/dynamodb/pricing/provisioned/"
# On-demand: one write request unit per write of up to 1 KB (more for larger items).
DYNAMODB_WRITE_REQUEST_UNITS_PER_MILLION = 0.625
DYNAMODB_READ_REQUEST_UNITS_PER_MILLION = 0.125
DYNAMODB_WRITE_UNIT_BYTES = 1024
# Provisioned capacity, per unit-hour.
DYNAMODB_WCU_HOUR = 0.00065
DYNAMODB_RCU_HOUR = 0.00013
DYNAMODB_STORAGE_GB_MONTH = 0.25

# CloudWatch Logs ---------------------------------------------------------------------------
CLOUDWATCH_PRICING_URL = "https://aws.amazon.com/cloudwatch/pricing/"
# Ingestion (standard log class; Lambda's logs are billed in tiers starting at this price).
CLOUDWATCH_LOGS_INGEST_PER_GB = 0.50
CLOUDWATCH_LOGS_STORAGE_GB_MONTH = 0.03

# Amazon Data Firehose ----------------------------------------------------------------------
FIREHOSE_PRICING_URL = "https://aws.amazon.com/firehose/pricing/"
# Ingestion for Direct PUT and Kinesis Data Streams as a source, per GB ingested: the first
# (most expensive) tier; higher monthly volumes cost less. Each record is counted rounded up to
# the next 5 KB (5,120 bytes): a 3 KB record counts 5 KB, a 12 KB record 15 KB, record by
# record (two 1 KB records in one PutRecordBatch count 10 KB).
# How it was checked (2026-11-24, with the search tool): the stored copies of the pricing page
# (German, Russian, and an older German one that spells the unit "5 KB (5 120 Bytes)") and a
# third-party quote of it state this unit and rounding for "Direct PUT and KDS as a source";
# they load their price table with a script, so no stored text shows the $0.029: it is the
# us-east-1 list price as known on PRICES_AS_OF. Delivery to S3 costs nothing more in Firehose;
# the objects it writes are S3 PUTs (S3_PUT_PER_THOUSAND).
FIREHOSE_INGEST_PER_GB = 0.029
FIREHOSE_RECORD_UNIT_BYTES = 5 * 1024

# S3, SQS, SNS ------------------------------------------------------------------------------
S3_PRICING_URL = "https://aws.amazon.com/s3/pricing/"
S3_PUT_PER_THOUSAND = 0.005
S3_GET_PER_THOUSAND = 0.0004
S3_STANDARD_GB_MONTH = 0.023
SQS_PRICING_URL = "https://aws.amazon.com/sqs/pricing/"
SQS_STANDARD_REQUESTS_PER_MILLION = 0.40
SQS_FIFO_REQUESTS_PER_MILLION = 0.50
SNS_PRICING_URL = "https://aws.amazon.com/sns/pricing/"
SNS_PUBLISHES_PER_MILLION = 0.50

GB = 1024**3  # the pages' GB: 1,024 KB of 1,024 bytes (Kinesis states "1 KB (1,024 bytes)")

# Assumptions the estimate makes where the scenario cannot say -------------------------------
# Duration of one invocation of a stream-triggered function: a fixed part plus a part per
# record in the batch (e.g. one DynamoDB write of a few milliseconds per record).
ASSUMED_INVOCATION_MS = 100
ASSUMED_MS_PER_RECORD = 5
# What one invocation writes to CloudWatch Logs: the START, END and REPORT lines Lambda writes
# (about 350 bytes together) and a little from the handler.
ASSUMED_LOG_BYTES_PER_INVOCATION = 500
# A delivery stream with a buffering interval of 0 s (zero buffering) is counted as flushing at
# most once a second: one S3 object per second while records arrive.
ASSUMED_MIN_FLUSH_SECONDS = 1
