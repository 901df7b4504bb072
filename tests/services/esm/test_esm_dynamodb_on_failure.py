"""DestinationConfig.OnFailure on a DynamoDB Streams mapping: a batch given up sends AWS's failure
record, with ``DDBStreamBatchInfo`` (the stream's ARN, the shard's id and the batch's sequence
range), to an SQS queue or an S3 bucket (with the invocation payload), and the ledger counts
its records as sent there
(https://docs.aws.amazon.com/lambda/latest/dg/services-dynamodb-errors.html)."""

from __future__ import annotations

import json

import esm_ddb_lab
from esm_ddb_lab import T0, DdbLab

from sim.clock import iso
from tests.esm_fidelity import assert_stream_failure_record

# the lab's fixtures (see esm_ddb_lab)
ddb_backend = esm_ddb_lab.ddb_backend
ddb = esm_ddb_lab.ddb


def test_retries_exhausted_send_ddb_stream_batch_info_to_sqs(ddb: DdbLab):
    url, queue_arn = ddb.queue("ddb-failures")
    stream_arn = ddb.table()
    mapping = ddb.mapping(
        "poisoned",
        "esm_ddb_poison:handler",
        batch_size=10,
        maximum_retry_attempts=2,
        on_failure=queue_arn,
    )
    ddb.put("ok", at=0.1)
    ddb.put("poison", at=0.2)
    ddb.put("next", at=5)
    ddb.run(30)
    [body] = ddb.messages(url)
    record = assert_stream_failure_record(json.loads(body), "dynamodb", destination="sqs")
    [shard] = ddb.stream().shards
    stored = ddb.stored()
    assert record["DDBStreamBatchInfo"] == {
        "shardId": shard.shard_id,
        "startSequenceNumber": stored[0]["dynamodb"]["SequenceNumber"],
        "endSequenceNumber": stored[1]["dynamodb"]["SequenceNumber"],
        "approximateArrivalOfFirstRecord": iso(T0 + 0.1),
        "approximateArrivalOfLastRecord": iso(T0 + 0.2),
        "batchSize": 2,
        "streamArn": stream_arn,
    }
    assert record["requestContext"] == {
        "requestId": mapping.batches[2].request_id,  # the last invocation's
        "functionArn": mapping.function_arn,
        "condition": "RetryAttemptsExhausted",
        "approximateInvokeCount": 3,
    }
    assert record["responseContext"] == {
        "statusCode": 200,
        "executedVersion": "$LATEST",
        "functionError": "Unhandled",
    }
    assert record["timestamp"] == iso(mapping.batches[3].time)
    assert "KinesisBatchInfo" not in record and "payload" not in record
    hop = ddb.hop(mapping)
    assert hop.to_destination == {"queue ddb-failures": 2}
    assert hop.dropped == {}
    assert hop.delivered == 1  # "next": the shard moved on
    assert mapping.batches[3].destination == "queue ddb-failures"


def test_records_too_old_go_to_the_queue_with_record_age_exceeded(ddb: DdbLab):
    url, queue_arn = ddb.queue("ddb-aged")
    ddb.table()
    mapping = ddb.mapping(
        "aged", "esm_ddb_poison:handler", maximum_record_age=60, on_failure=queue_arn
    )
    ddb.put("poison", at=0.1)
    ddb.run(150)
    [body] = ddb.messages(url)
    record = assert_stream_failure_record(json.loads(body), "dynamodb", destination="sqs")
    assert record["requestContext"]["condition"] == "RecordAgeExceeded"
    assert record["requestContext"]["approximateInvokeCount"] >= 1
    assert record["DDBStreamBatchInfo"]["batchSize"] == 1
    assert ddb.hop(mapping).to_destination == {"queue ddb-aged": 1}


def test_an_s3_destination_gets_the_record_and_the_invocation_payload(ddb: DdbLab):
    s3 = ddb.backend.client("s3")
    s3.create_bucket(Bucket="ddb-failures")
    stream_arn = ddb.table()
    mapping = ddb.mapping(
        "to-s3",
        "esm_ddb_poison:handler",
        batch_size=10,
        maximum_retry_attempts=0,
        on_failure="arn:aws:s3:::ddb-failures",
    )
    ddb.put("poison-1", "poison-2", at=0.1)
    ddb.run(10)
    [obj] = s3.list_objects_v2(Bucket="ddb-failures")["Contents"]
    [shard] = ddb.stream().shards
    # given up at the first poll (T0 + 0.25): aws/lambda/<ESM UUID>/<shard id>/YYYY/MM/DD/...
    prefix = f"aws/lambda/{mapping.uuid}/{shard.shard_id}/2023/11/14/2023-11-14T22.13.20-"
    assert obj["Key"].startswith(prefix) and len(obj["Key"]) == len(prefix) + 36
    body = s3.get_object(Bucket="ddb-failures", Key=obj["Key"])["Body"].read()
    record = assert_stream_failure_record(json.loads(body), "dynamodb", destination="s3")
    payload = json.loads(record["payload"])
    assert payload == ddb.events("to-s3")[0]  # the event the function got
    info = record["DDBStreamBatchInfo"]
    assert info["streamArn"] == stream_arn and info["shardId"] == shard.shard_id
    assert info["batchSize"] == 2
    assert [info["startSequenceNumber"], info["endSequenceNumber"]] == [
        r["dynamodb"]["SequenceNumber"] for r in payload["Records"]
    ]
    assert ddb.hop(mapping).to_destination == {"bucket ddb-failures": 2}


def test_a_bisected_batch_sends_only_the_poison_records_range(ddb: DdbLab):
    url, queue_arn = ddb.queue("ddb-bisected")
    ddb.table()
    mapping = ddb.mapping(
        "bisected",
        "esm_ddb_poison:handler",
        batch_size=4,
        bisect_batch_on_function_error=True,
        maximum_retry_attempts=0,
        on_failure=queue_arn,
    )
    ddb.put("a", "b", "poison", "d", at=0.1)
    ddb.run(20)
    [body] = ddb.messages(url)
    record = assert_stream_failure_record(json.loads(body), "dynamodb", destination="sqs")
    poison = ddb.stored()[2]["dynamodb"]["SequenceNumber"]
    info = record["DDBStreamBatchInfo"]
    assert (info["startSequenceNumber"], info["endSequenceNumber"]) == (poison, poison)
    assert info["batchSize"] == 1
    hop = ddb.hop(mapping)
    assert hop.to_destination == {"queue ddb-bisected": 1}
    assert hop.delivered == 3


def test_a_missing_queue_drops_the_records_with_the_reason(ddb: DdbLab):
    ddb.table()
    mapping = ddb.mapping(
        "refused",
        "esm_ddb_poison:handler",
        maximum_retry_attempts=0,
        on_failure="arn:aws:sqs:us-east-1:123456789012:no-such-queue",
    )
    ddb.put("poison", at=0.1)
    ddb.run(10)
    assert ddb.hop(mapping).dropped == {"RetryAttemptsExhausted": 1}
    assert ddb.hop(mapping).to_destination == {}
    assert "queue no-such-queue" in mapping.destination_errors[0]
