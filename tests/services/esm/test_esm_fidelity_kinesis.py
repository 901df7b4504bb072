"""The Kinesis mapping's events pass the fidelity harness (``tests/esm_fidelity.py``): Powertools'
parser models and the keys of AWS SAM's sample events. Also proves the harness itself: SAM's
samples and AWS's documented examples pass it, and events that differ from AWS's fail it with a
message naming the difference.
"""

from __future__ import annotations

import base64
import copy
import hashlib
import json
from datetime import UTC, datetime

import pytest
from aws_lambda_powertools.utilities.parser.models import (
    DynamoDBStreamModel,
    KinesisDataStreamModel,
    SnsModel,
    SqsModel,
)
from esm_lab import ACCOUNT, REGION
from pydantic import ValidationError

from sim.services.sns.notifications import Message, Urls, aws_json, lambda_event
from sim.services.sns.notifications import notification_document as sns_notification_document
from tests.esm_fidelity import (
    SAM_EVENTS,
    FidelityError,
    assert_dynamodb_event,
    assert_dynamodb_window_event,
    assert_kinesis_event,
    assert_kinesis_window_event,
    assert_sns_notification,
    assert_sqs_event,
    assert_stream_failure_record,
    sam_keys,
)

STREAM_ARN = f"arn:aws:kinesis:{REGION}:{ACCOUNT}:stream/orders"
KEYS = ["order-1", "order-2", "clé-ü-😀", 'quote"back\\slash', "x" * 256]
DATA = [
    b'{"order": 1}',
    bytes(range(256)),  # every byte value: not UTF-8
    b"\xff\xfe\x00\x80 binary",
    "😀 ünïcode".encode(),
    b"\xc3\x28",  # an invalid UTF-8 sequence
]


def _streamlab_events(lab, encode_events: bool, shards: int = 3) -> list:
    """Several puts, partition keys and shards through the real mapping; returns what the
    mapping passed to ``invoke`` (bytes or dict), after checking the handlers got every record."""
    lab.create_stream("orders", shards=shards)
    lab.mapping(stream="orders", encode_events=encode_events, batch_size=4)
    lab.put(*DATA, stream="orders", keys=KEYS, at=0.25)
    lab.put(*DATA[::-1], stream="orders", keys=KEYS, at=0.98765)
    lab.run(5)
    received = sorted(data for batch in lab.batches() for data in batch)
    assert received == sorted(DATA * 2)
    assert len(lab.captured) >= shards  # several batches, from several shards
    return lab.captured


# -- streamlab's Kinesis mapping -------------------------------------------------------------------


@pytest.mark.parametrize("encode_events", [True, False], ids=["bytes", "dict"])
def test_streamlab_kinesis_events_pass_the_harness(lab, encode_events):
    sent = _streamlab_events(lab, encode_events)
    assert all(isinstance(e, bytes if encode_events else dict) for e in sent)

    decoded = []
    for event in sent:  # what the mapping sends ...
        model = assert_kinesis_event(event)
        decoded += [record.kinesis.data for record in model.Records]
        assert {r.eventSourceARN for r in model.Records} == {STREAM_ARN}
    for event in lab.events():  # ... and what the handlers received
        assert_kinesis_event(event)
    # Powertools decodes ``data`` back to the exact bytes that were put, binary included
    assert sorted(decoded) == sorted(DATA * 2)


def test_streamlab_kinesis_event_keys_are_sams(lab):
    """Not only present: the key set of each record is exactly SAM's sample's."""
    [event, *_] = _streamlab_events(lab, encode_events=False)
    keys = {"Records"}
    for record in event["Records"]:
        keys |= {f"Records[].{key}" for key in record}
        keys |= {f"Records[].kinesis.{key}" for key in record["kinesis"]}
    assert keys == sam_keys("kinesis-get-records")


# -- the harness catches what differs --------------------------------------------------------------


def _one_streamlab_event(lab) -> dict:
    lab.create_stream("orders")
    lab.mapping(stream="orders", encode_events=False)
    lab.put(b"Hello, this is a test.", b"\x00\xff", stream="orders", keys=["1", "2"], at=0.5)
    lab.run(1.5)
    [event] = lab.captured
    assert_kinesis_event(event)
    return copy.deepcopy(event)


def _break(event: dict, change) -> dict:
    broken = copy.deepcopy(event)
    change(broken["Records"][1])
    return broken


def test_a_string_arrival_time_fails_though_powertools_accepts_it(lab):
    event = _break(
        _one_streamlab_event(lab),
        lambda r: r["kinesis"].update(approximateArrivalTimestamp="1700000000.5"),
    )
    KinesisDataStreamModel.model_validate(event)  # pydantic's lax mode parses the string
    with pytest.raises(FidelityError, match=r"record 1: `Records\[\]\.kinesis\.approximateArr"):
        assert_kinesis_event(event)


def test_a_missing_key_fails_naming_powertools_model(lab):
    event = _break(_one_streamlab_event(lab), lambda r: r.pop("eventVersion"))
    with pytest.raises(FidelityError, match=r"KinesisDataStreamModel:[\s\S]*eventVersion"):
        assert_kinesis_event(event)


def test_an_extra_key_passes(lab):
    event = _break(_one_streamlab_event(lab), lambda r: r["kinesis"].update(encryptionType="KMS"))
    assert_kinesis_event(event)


@pytest.mark.parametrize(
    ("change", "message"),
    [
        (lambda r: r["kinesis"].update(data="SGVs\nbG8="), "not canonical base64"),
        (lambda r: r.update(eventID="shardId-000000000000:1"), "eventID"),
        (lambda r: r.update(eventID=r["eventID"].replace("0:", "1:", 1)), "mixes shards"),
        (lambda r: r["kinesis"].update(sequenceNumber="49x"), "not a decimal number"),
        (
            lambda r: r["kinesis"].update(approximateArrivalTimestamp=1700000000.0005),
            "millisecond",
        ),
        (lambda r: r.update(eventSourceARN=r["eventSourceARN"] + "-2"), "mixes streams"),
    ],
    ids=["base64", "event-id", "two-shards", "sequence", "microseconds", "two-streams"],
)
def test_aws_facts_beyond_the_models_are_checked(lab, change, message):
    event = _break(_one_streamlab_event(lab), change)
    with pytest.raises(FidelityError, match=message):
        assert_kinesis_event(event)


def test_events_that_are_not_json_fail():
    with pytest.raises(FidelityError, match="not a JSON document"):
        assert_kinesis_event(b"\xff{")
    with pytest.raises(FidelityError, match="not a JSON document"):
        assert_kinesis_event({"Records": [b"raw bytes"]})
    with pytest.raises(FidelityError, match="no records"):
        assert_kinesis_event({"Records": []})


# -- SAM's samples ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("name", "model", "check"),
    [
        ("kinesis-get-records", KinesisDataStreamModel, assert_kinesis_event),
        ("dynamodb-update", DynamoDBStreamModel, assert_dynamodb_event),
        ("sqs-receive-message", SqsModel, assert_sqs_event),
    ],
    ids=["kinesis", "dynamodb", "sqs"],
)
def test_sam_samples_validate_against_powertools(name, model, check):
    text = (SAM_EVENTS / f"{name}.json").read_text()
    model.model_validate_json(text)
    for form in (text, text.encode(), json.loads(text)):
        check(form)


def test_sam_sns_sample_fails_powertools_only_on_its_example_urls():
    sample = json.loads((SAM_EVENTS / "sns-notification.json").read_text())
    with pytest.raises(ValidationError) as raised:
        SnsModel.model_validate(sample)
    assert {error["loc"][-1] for error in raised.value.errors()} == {
        "SigningCertUrl",
        "UnsubscribeUrl",
    }
    sns = sample["Records"][0]["Sns"]
    sns["SigningCertUrl"] = "https://sns.us-east-1.amazonaws.com/SimpleNotificationService-0.pem"
    sns["UnsubscribeUrl"] = "https://sns.us-east-1.amazonaws.com/?Action=Unsubscribe"
    assert assert_sns_notification(sample) == ["example message"]


def test_sam_keys():
    kinesis = sam_keys("kinesis-get-records.json")
    assert {"Records", "Records[].kinesis", "Records[].kinesis.partitionKey"} <= kinesis
    assert len(kinesis) == 14
    dynamodb = sam_keys("dynamodb-update")
    assert {"Records[].dynamodb.Keys", "Records[].dynamodb.NewImage"} <= dynamodb
    assert not {k for k in dynamodb if ".Keys." in k or "Image." in k}  # the user's names
    assert "Records[].messageAttributes" in sam_keys("sqs-receive-message")
    assert "Records[].attributes.SentTimestamp" in sam_keys("sqs-receive-message")


def test_dynamodb_images_follow_the_event_and_view_type():
    sample = json.loads((SAM_EVENTS / "dynamodb-update.json").read_text())
    keys_only = copy.deepcopy(sample)
    for record in keys_only["Records"]:
        record["dynamodb"]["StreamViewType"] = "KEYS_ONLY"
        record["dynamodb"].pop("NewImage", None)
        record["dynamodb"].pop("OldImage", None)
    assert_dynamodb_event(keys_only)
    insert_with_old = copy.deepcopy(sample)
    insert_with_old["Records"][0]["dynamodb"]["OldImage"] = {"Id": {"N": "100"}}
    with pytest.raises(FidelityError, match="INSERT record .* carries \\['NewImage'\\]"):
        assert_dynamodb_event(insert_with_old)
    modify_without_old = copy.deepcopy(sample)
    del modify_without_old["Records"][1]["dynamodb"]["OldImage"]
    with pytest.raises(FidelityError, match=r"record 1: missing `Records\[\]\.dynamodb\.OldImage`"):
        assert_dynamodb_event(modify_without_old)


def test_sqs_body_md5_is_checked():
    sample = json.loads((SAM_EVENTS / "sqs-receive-message.json").read_text())
    sample["Records"][0]["body"] = "changed"
    with pytest.raises(FidelityError, match="md5OfBody"):
        assert_sqs_event(sample)


# -- tumbling windows: AWS's example ---------------------------------------------------------------

# https://docs.aws.amazon.com/lambda/latest/dg/services-kinesis-windows.html, KinesisTimeWindowEvent
AWS_WINDOW_EVENT = {
    "Records": [
        {
            "kinesis": {
                "kinesisSchemaVersion": "1.0",
                "partitionKey": "1",
                "sequenceNumber": "49590338271490256608559692538361571095921575989136588898",
                "data": "SGVsbG8sIHRoaXMgaXMgYSB0ZXN0Lg==",
                "approximateArrivalTimestamp": 1607497475.000,
            },
            "eventSource": "aws:kinesis",
            "eventVersion": "1.0",
            "eventID": "shardId-000000000006:49590338271490256608559692538361571095921575989136588898",
            "eventName": "aws:kinesis:record",
            "invokeIdentityArn": "arn:aws:iam::123456789012:role/lambda-kinesis-role",
            "awsRegion": "us-east-1",
            "eventSourceARN": "arn:aws:kinesis:us-east-1:123456789012:stream/lambda-stream",
        }
    ],
    "window": {"start": "2020-12-09T07:04:00Z", "end": "2020-12-09T07:06:00Z"},
    "state": {"1": 282, "2": 715},
    "shardId": "shardId-000000000006",
    "eventSourceARN": "arn:aws:kinesis:us-east-1:123456789012:stream/lambda-stream",
    "isFinalInvokeForWindow": False,
    "isWindowTerminatedEarly": False,
}


def test_aws_window_example_passes():
    model = assert_kinesis_window_event(AWS_WINDOW_EVENT)
    assert model.window.start == "2020-12-09T07:04:00Z" and model.state == {"1": 282, "2": 715}
    assert_kinesis_window_event({**AWS_WINDOW_EVENT, "Records": [], "isFinalInvokeForWindow": True})


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"isFinalInvokeForWindow": "false"}, "isFinalInvokeForWindow"),
        ({"state": None}, "state"),
        ({"window": {"start": "2020-12-09T07:04:00.000Z", "end": "2020-12-09T07:06:00Z"}}, "start"),
        ({"window": {"start": "2020-12-09T07:05:00Z", "end": "2020-12-09T07:06:00Z"}}, "outside"),
        ({"window": {"start": "2020-12-09T07:00:00Z", "end": "2020-12-09T07:20:00Z"}}, "1..900"),
        ({"shardId": "shardId-000000000007"}, "not the event's"),
        ({"eventSourceARN": "arn:aws:kinesis:us-east-1:123456789012:stream/x"}, "eventSourceARN"),
    ],
    ids=["bool", "state", "millis", "outside", "too-long", "shard", "arn"],
)
def test_window_differences_fail(change, message):
    with pytest.raises(FidelityError, match=message):
        assert_kinesis_window_event({**AWS_WINDOW_EVENT, **change})


def test_window_fields_are_required():
    event = {k: v for k, v in AWS_WINDOW_EVENT.items() if k != "isWindowTerminatedEarly"}
    with pytest.raises(FidelityError, match="isWindowTerminatedEarly"):
        assert_kinesis_window_event(event)


# -- on-failure records: AWS's examples ------------------------------------------------------------

# https://docs.aws.amazon.com/lambda/latest/dg/kinesis-on-failure-destination.html
AWS_KINESIS_FAILURE = {
    "requestContext": {
        "requestId": "c9b8fa9f-5a7f-xmpl-af9c-0c604cde93a5",
        "functionArn": "arn:aws:lambda:us-east-2:123456789012:function:myfunction",
        "condition": "RetryAttemptsExhausted",
        "approximateInvokeCount": 1,
    },
    "responseContext": {
        "statusCode": 200,
        "executedVersion": "$LATEST",
        "functionError": "Unhandled",
    },
    "version": "1.0",
    "timestamp": "2019-11-14T00:38:06.021Z",
    "KinesisBatchInfo": {
        "shardId": "shardId-000000000001",
        "startSequenceNumber": "49601189658422359378836298521827638475320189012309704722",
        "endSequenceNumber": "49601189658422359378836298522902373528957594348623495186",
        "approximateArrivalOfFirstRecord": "2019-11-14T00:38:04.835Z",
        "approximateArrivalOfLastRecord": "2019-11-14T00:38:05.580Z",
        "batchSize": 500,
        "streamArn": "arn:aws:kinesis:us-east-2:123456789012:stream/mystream",
    },
}
# https://docs.aws.amazon.com/lambda/latest/dg/services-dynamodb-errors.html
AWS_DYNAMODB_FAILURE = {
    "requestContext": {
        "requestId": "316aa6d0-8154-xmpl-9af7-85d5f4a6bc81",
        "functionArn": "arn:aws:lambda:us-east-2:123456789012:function:myfunction",
        "condition": "RetryAttemptsExhausted",
        "approximateInvokeCount": 1,
    },
    "responseContext": {
        "statusCode": 200,
        "executedVersion": "$LATEST",
        "functionError": "Unhandled",
    },
    "version": "1.0",
    "timestamp": "2019-11-14T00:13:49.717Z",
    "DDBStreamBatchInfo": {
        "shardId": "shardId-00000001573689847184-864758bb",
        "startSequenceNumber": "800000000003126276362",
        "endSequenceNumber": "800000000003126276362",
        "approximateArrivalOfFirstRecord": "2019-11-14T00:13:19Z",
        "approximateArrivalOfLastRecord": "2019-11-14T00:13:19Z",
        "batchSize": 1,
        "streamArn": (
            "arn:aws:dynamodb:us-east-2:123456789012:table/mytable/stream/2019-11-14T00:04:06.388"
        ),
    },
}


def test_aws_failure_examples_pass():
    for destination in ("sqs", "sns"):
        assert_stream_failure_record(AWS_KINESIS_FAILURE, "kinesis", destination=destination)
        assert_stream_failure_record(json.dumps(AWS_DYNAMODB_FAILURE), "dynamodb")


@pytest.mark.parametrize(
    ("path", "value", "message"),
    [
        (("responseContext", "functionError"), None, "lacks functionError although"),
        (("KinesisBatchInfo", "batchSize"), "500", "batchSize"),
        (("KinesisBatchInfo", "endSequenceNumber"), "1", "startSequenceNumber is after"),
        (("timestamp",), "2019-11-14T00:38:06Z", "timestamp"),
        (("timestamp",), "2019-11-14T00:38:05.000Z", "after the record's timestamp"),
        (("version",), 1.0, "version"),
        (("requestContext", "extra"), "x", "extra"),
        (("payload",), "{}", "payload"),
    ],
    ids=["no-error", "string-size", "order", "no-millis", "early", "version", "extra", "payload"],
)
def test_failure_record_differences_fail(path, value, message):
    record = copy.deepcopy(AWS_KINESIS_FAILURE)
    target = record
    for key in path[:-1]:
        target = target[key]
    if value is None:
        del target[path[-1]]
    else:
        target[path[-1]] = value
    with pytest.raises(FidelityError, match=message):
        assert_stream_failure_record(record, "kinesis")


def test_a_batch_never_invoked_may_lack_function_error():
    record = copy.deepcopy(AWS_KINESIS_FAILURE)
    record["requestContext"].update(condition="RecordAgeExceeded", approximateInvokeCount=0)
    del record["responseContext"]["functionError"]
    assert_stream_failure_record(record, "kinesis")
    record["responseContext"]["functionError"] = None
    with pytest.raises(FidelityError, match="functionError"):
        assert_stream_failure_record(record, "kinesis")


def test_dynamodb_failure_record_is_not_a_kinesis_one():
    with pytest.raises(FidelityError, match="KinesisBatchInfo"):
        assert_stream_failure_record(AWS_DYNAMODB_FAILURE, "kinesis")


def _s3_failure_record(event: dict) -> dict:
    """An S3 destination's record for a batch of streamlab's (the harness's input here, not
    something streamlab produces yet)."""
    records = event["Records"]

    def iso(seconds: float) -> str:
        return datetime.fromtimestamp(seconds, UTC).isoformat(timespec="milliseconds")[:-6] + "Z"

    return {
        **copy.deepcopy(AWS_KINESIS_FAILURE),
        "timestamp": iso(records[-1]["kinesis"]["approximateArrivalTimestamp"] + 10),
        "KinesisBatchInfo": {
            "shardId": records[0]["eventID"].split(":")[0],
            "startSequenceNumber": records[0]["kinesis"]["sequenceNumber"],
            "endSequenceNumber": records[-1]["kinesis"]["sequenceNumber"],
            "approximateArrivalOfFirstRecord": iso(
                records[0]["kinesis"]["approximateArrivalTimestamp"]
            ),
            "approximateArrivalOfLastRecord": iso(
                records[-1]["kinesis"]["approximateArrivalTimestamp"]
            ),
            "batchSize": len(records),
            "streamArn": records[0]["eventSourceARN"],
        },
        "payload": json.dumps(event),
    }


def test_s3_failure_record_carries_the_batch_as_payload(lab):
    event = _one_streamlab_event(lab)
    record = _s3_failure_record(event)
    assert_stream_failure_record(record, "kinesis", destination="s3")
    with pytest.raises(FidelityError, match="payload"):  # S3 records need it
        assert_stream_failure_record({**record, "payload": None}, "kinesis", destination="s3")
    fewer = {**record, "payload": json.dumps({"Records": event["Records"][:1]})}
    with pytest.raises(FidelityError, match="batch info says"):
        assert_stream_failure_record(fewer, "kinesis", destination="s3")


# -- SNS: a failure record through streamlab's SNS documents ---------------------------------------

SUBSCRIPTION = "arn:aws:sns:us-east-2:123456789012:failures:c9135db0-26c4-47ec-8998-413945fb5a96"


def _sns_message(subject: str | None = None) -> tuple[Message, Urls]:
    message = Message(
        message_id="22b80b92-fdea-4c2c-8f9d-bdfb0c7bf324",
        topic_arn="arn:aws:sns:us-east-2:123456789012:failures",
        body=json.dumps(AWS_KINESIS_FAILURE),
        timestamp=1_700_000_000.5,
        subject=subject,
    )
    return message, Urls("us-east-2", "f3ecfb7224c7233fe7bb5f59f96de52f")


def test_failure_record_through_sns_to_sqs_and_lambda():
    message, urls = _sns_message()
    body = aws_json(sns_notification_document(message, "sqs", SUBSCRIPTION, urls))
    sqs_event = {
        "Records": [
            {
                "messageId": "19dd0b57-b21e-4ac1-bd88-01bbb068cb78",
                "receiptHandle": "MessageReceiptHandle",
                "body": body,
                "attributes": {
                    "ApproximateReceiveCount": "1",
                    "SentTimestamp": "1700000000500",
                    "SenderId": "AIDAIT2UOQQY3AUEKVGXU",
                    "ApproximateFirstReceiveTimestamp": "1700000000600",
                },
                "messageAttributes": {},
                "md5OfBody": hashlib.md5(body.encode()).hexdigest(),
                "eventSource": "aws:sqs",
                "eventSourceARN": "arn:aws:sqs:us-east-2:123456789012:failures",
                "awsRegion": "us-east-2",
            }
        ]
    }
    for form in (body, sqs_event, lambda_event(message, SUBSCRIPTION, urls)):
        [inner] = assert_sns_notification(form)
        assert assert_stream_failure_record(inner, "kinesis", destination="sns") == (
            AWS_KINESIS_FAILURE
        )


def test_sns_notification_differences_fail():
    message, urls = _sns_message(subject="s")
    document = sns_notification_document(message, "sqs", SUBSCRIPTION, urls)
    lambda_spelling = {
        ("SigningCertUrl" if k == "SigningCertURL" else k): v for k, v in document.items()
    }
    with pytest.raises(FidelityError, match="SigningCertURL"):
        assert_sns_notification(lambda_spelling)
    with pytest.raises(FidelityError, match="Timestamp"):
        assert_sns_notification({**document, "Timestamp": "2023-11-14T22:13:20Z"})
    event = lambda_event(message, SUBSCRIPTION, urls)
    del event["Records"][0]["Sns"]["MessageAttributes"]
    with pytest.raises(FidelityError, match=r"`Records\[\]\.Sns\.MessageAttributes`"):
        assert_sns_notification(event)


def test_base64_of_binary_data_round_trips():
    """The harness's own base64 check accepts every byte value (AWS's ``data`` is the base64
    of the raw bytes)."""
    event = copy.deepcopy(json.loads((SAM_EVENTS / "kinesis-get-records.json").read_text()))
    event["Records"][0]["kinesis"]["data"] = base64.b64encode(bytes(range(256))).decode()
    assert assert_kinesis_event(event).Records[0].kinesis.data == bytes(range(256))


def test_dynamodb_window_event():
    """SAM's DynamoDB sample with window fields (AWS's own DynamodbTimeWindowEvent example uses
    placeholders such as ``"shardId": "shard123456789"`` and has no arrival times)."""
    sample = json.loads((SAM_EVENTS / "dynamodb-update.json").read_text())
    event = {
        **sample,
        "window": {"start": "2015-04-09T00:00:00Z", "end": "2015-04-09T00:02:00Z"},
        "state": {"1": "state1"},
        "shardId": "shardId-00000001573689847184-864758bb",
        "eventSourceARN": sample["Records"][0]["eventSourceARN"],
        "isFinalInvokeForWindow": True,
        "isWindowTerminatedEarly": False,
    }
    assert_dynamodb_window_event(event)
    later = {**event, "window": {"start": "2015-04-09T00:02:00Z", "end": "2015-04-09T00:04:00Z"}}
    with pytest.raises(FidelityError, match="outside its window"):
        assert_dynamodb_window_event(later)
