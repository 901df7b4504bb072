"""Publish and PublishBatch through boto3: AWS's answers and AWS's refusals (codes, messages and
statuses as recorded from AWS; see sim/services/sns/limits.py)."""

from __future__ import annotations

import json
from typing import Any

import pytest
from botocore.exceptions import ClientError
from sns_support import error_of, make_queue, receive_all

from sim.services.sns.limits import DEFAULT_MAX_MESSAGE_BYTES

ATTRIBUTES = {"attr1": {"DataType": "Number", "StringValue": "1"}}
# name + data type + value, as AWS counts them
ATTRIBUTES_SIZE = len("attr1") + len("Number") + len("1")


def invalid(excinfo: Any, message: str, code: str = "InvalidParameter") -> None:
    assert error_of(excinfo) == (code, message, 400)


def test_publish_answers_a_message_id_and_delivers(sns: Any, sqs: Any, topic_arn: str) -> None:
    url, arn = make_queue(sqs, "q")
    sns.subscribe(TopicArn=topic_arn, Protocol="sqs", Endpoint=arn)
    answer = sns.publish(TopicArn=topic_arn, Message="hello")
    body = json.loads(receive_all(sqs, url)[0]["Body"])
    assert body["MessageId"] == answer["MessageId"]
    assert "SequenceNumber" not in answer


def test_target_arn_naming_a_topic_publishes_to_it(sns: Any, sqs: Any, topic_arn: str) -> None:
    url, arn = make_queue(sqs, "q")
    sns.subscribe(TopicArn=topic_arn, Protocol="sqs", Endpoint=arn)
    sns.publish(TargetArn=topic_arn, Message="via target")
    assert json.loads(receive_all(sqs, url)[0]["Body"])["Message"] == "via target"


def test_message_ids_repeat_for_the_same_seed(backend: Any, sns: Any, topic_arn: str) -> None:
    first = [sns.publish(TopicArn=topic_arn, Message="m")["MessageId"] for _ in range(3)]
    backend.reset(seed=3)
    topic = sns.create_topic(Name="alerts")["TopicArn"]
    again = [sns.publish(TopicArn=topic, Message="m")["MessageId"] for _ in range(3)]
    assert first == again and len(set(first)) == 3


def test_unknown_topic_is_not_found(sns: Any) -> None:
    with pytest.raises(ClientError) as excinfo:
        sns.publish(TopicArn="arn:aws:sns:us-east-1:123456789012:nope", Message="m")
    assert error_of(excinfo) == ("NotFound", "Topic does not exist", 404)


@pytest.mark.parametrize(("arn", "count"), [("randomstring", 1), ("randomstring:1", 2)])
def test_a_topic_arn_that_is_no_arn_is_refused(sns: Any, arn: str, count: int) -> None:
    with pytest.raises(ClientError) as excinfo:
        sns.publish(TopicArn=arn, Message="m")
    invalid(
        excinfo,
        f"Invalid parameter: TopicArn Reason: An ARN must have at least 6 elements, not {count}",
    )


def test_exactly_the_limit_passes_and_one_byte_more_is_too_long(
    sns: Any, sqs: Any, topic_arn: str
) -> None:
    url, arn = make_queue(sqs, "q")
    sns.subscribe(
        TopicArn=topic_arn,
        Protocol="sqs",
        Endpoint=arn,
        Attributes={"RawMessageDelivery": "true"},
    )
    fits = "a" * (DEFAULT_MAX_MESSAGE_BYTES - ATTRIBUTES_SIZE)
    sns.publish(TopicArn=topic_arn, Message=fits, MessageAttributes=ATTRIBUTES)
    with pytest.raises(ClientError) as excinfo:
        sns.publish(TopicArn=topic_arn, Message=fits + "a", MessageAttributes=ATTRIBUTES)
    invalid(excinfo, "Invalid parameter: Message too long")
    # without attributes the same body fits, bytes not characters count
    sns.publish(TopicArn=topic_arn, Message=fits + "a")
    with pytest.raises(ClientError) as excinfo:
        sns.publish(TopicArn=topic_arn, Message="é" * (DEFAULT_MAX_MESSAGE_BYTES // 2 + 1))
    invalid(excinfo, "Invalid parameter: Message too long")
    assert [len(m["Body"]) for m in receive_all(sqs, url)] == [len(fits), len(fits) + 1]


def test_the_topics_maximum_message_size_sets_the_limit(sns: Any) -> None:
    topic = sns.create_topic(Name="small", Attributes={"MaximumMessageSize": "1024"})["TopicArn"]
    sns.publish(TopicArn=topic, Message="a" * 1024)
    with pytest.raises(ClientError) as excinfo:
        sns.publish(TopicArn=topic, Message="a" * 1025)
    invalid(excinfo, "Invalid parameter: Message too long")


def test_an_empty_message_is_refused(sns: Any, sqs: Any, topic_arn: str) -> None:
    url, arn = make_queue(sqs, "q")
    sns.subscribe(TopicArn=topic_arn, Protocol="sqs", Endpoint=arn)
    with pytest.raises(ClientError) as excinfo:
        sns.publish(TopicArn=topic_arn, Message="")
    invalid(excinfo, "Invalid parameter: Empty message")
    assert receive_all(sqs, url) == []


@pytest.mark.parametrize("subject", ["", "x" * 101, "two\nlines", "tab\there"])
def test_subject_rules(sns: Any, topic_arn: str, subject: str) -> None:
    with pytest.raises(ClientError) as excinfo:
        sns.publish(TopicArn=topic_arn, Message="m", Subject=subject)
    invalid(excinfo, "Invalid parameter: Subject")


def test_a_subject_of_100_characters_passes(sns: Any, topic_arn: str) -> None:
    assert sns.publish(TopicArn=topic_arn, Message="m", Subject="x" * 100)["MessageId"]


@pytest.mark.parametrize(
    ("message", "error"),
    [
        (
            json.dumps({"sqs": "only sqs"}),
            "Invalid parameter: Message Structure - No default entry in JSON message body",
        ),
        ("{not json", "Invalid parameter: Message Structure - JSON message body failed to parse"),
        (
            json.dumps({"default": 1}),
            "Invalid parameter: Message Structure - No default entry in JSON message body",
        ),
    ],
)
def test_message_structure_json_errors(sns: Any, topic_arn: str, message: str, error: str) -> None:
    with pytest.raises(ClientError) as excinfo:
        sns.publish(TopicArn=topic_arn, Message=message, MessageStructure="json")
    invalid(excinfo, error)


@pytest.mark.parametrize(
    ("attributes", "error"),
    [
        (
            {"attr1": {"DataType": "String", "StringValue": ""}},
            "The message attribute 'attr1' must contain non-empty message attribute value for "
            "message attribute type 'String'.",
        ),
        (
            {"attr1": {"DataType": "String", "BinaryValue": b"123"}},
            "The message attribute 'attr1' with type 'String' must use field 'String'.",
        ),
        (
            {"attr1": {"DataType": "Binary", "StringValue": "123"}},
            "The message attribute 'attr1' with type 'Binary' must use field 'Binary'.",
        ),
        (
            {"attr1": {"DataType": "InvalidType", "StringValue": "123"}},
            "The message attribute 'attr1' has an invalid message attribute type, the set of "
            "supported type prefixes is Binary, Number, and String.",
        ),
        (
            {"a^*?": {"DataType": "String", "StringValue": "123"}},
            "Invalid non-alphanumeric character '#x5E' was found in the message attribute name. "
            "Can only include alphanumeric characters, hyphens, underscores, or dots.",
        ),
        (
            {".abc": {"DataType": "String", "StringValue": "1"}},
            "Invalid message attribute name starting with character '.' was found.",
        ),
        (
            {"abc.": {"DataType": "String", "StringValue": "1"}},
            "Invalid message attribute name ending with character '.' was found.",
        ),
        (
            {"a..bc": {"DataType": "String", "StringValue": "1"}},
            "Message attribute name can not have successive '.' character.",
        ),
        (
            {"a" * 257: {"DataType": "String", "StringValue": "1"}},
            "Length of message attribute name must be less than 256 bytes.",
        ),
    ],
)
def test_message_attribute_errors(
    sns: Any, topic_arn: str, attributes: dict[str, Any], error: str
) -> None:
    with pytest.raises(ClientError) as excinfo:
        sns.publish(TopicArn=topic_arn, Message="m", MessageAttributes=attributes)
    invalid(excinfo, error, code="ParameterValueInvalid")


def test_custom_attribute_types_pass(sns: Any, topic_arn: str) -> None:
    attributes = {"attr1": {"DataType": "String.prefixed", "StringValue": "v"}}
    assert sns.publish(TopicArn=topic_arn, Message="m", MessageAttributes=attributes)


def test_publish_batch_reports_successful_and_failed_entries(
    sns: Any, sqs: Any, topic_arn: str
) -> None:
    url, arn = make_queue(sqs, "q")
    sns.subscribe(
        TopicArn=topic_arn, Protocol="sqs", Endpoint=arn, Attributes={"RawMessageDelivery": "true"}
    )
    answer = sns.publish_batch(
        TopicArn=topic_arn,
        PublishBatchRequestEntries=[
            {"Id": "one", "Message": "first"},
            {"Id": "two", "Message": "second", "Subject": ""},
            {"Id": "three", "Message": "third", "MessageAttributes": ATTRIBUTES},
        ],
    )
    assert [entry["Id"] for entry in answer["Successful"]] == ["one", "three"]
    assert answer["Failed"] == [
        {
            "Id": "two",
            "Code": "InvalidParameter",
            "Message": "Invalid parameter: Subject",
            "SenderFault": True,
        }
    ]
    bodies = sorted(message["Body"] for message in receive_all(sqs, url))
    assert bodies == ["first", "third"]


def test_publish_batch_request_errors(sns: Any, topic_arn: str) -> None:
    with pytest.raises(ClientError) as excinfo:
        sns.publish_batch(
            TopicArn=topic_arn,
            PublishBatchRequestEntries=[{"Id": str(i), "Message": "m"} for i in range(11)],
        )
    assert error_of(excinfo) == (
        "TooManyEntriesInBatchRequest",
        "The batch request contains more entries than permissible.",
        400,
    )
    with pytest.raises(ClientError) as excinfo:
        sns.publish_batch(
            TopicArn=topic_arn,
            PublishBatchRequestEntries=[{"Id": "a", "Message": "m"}, {"Id": "a", "Message": "n"}],
        )
    assert error_of(excinfo)[:2] == (
        "BatchEntryIdsNotDistinct",
        "Two or more batch entries in the request have the same Id.",
    )
    with pytest.raises(ClientError) as excinfo:
        sns.publish_batch(
            TopicArn=topic_arn, PublishBatchRequestEntries=[{"Id": "message.id", "Message": "m"}]
        )
    assert error_of(excinfo)[:2] == (
        "InvalidBatchEntryId",
        "The Id of a batch entry in the batch request contains an impermissible character: "
        "message.id",
    )


def test_publish_batch_counts_all_messages_together(sns: Any, topic_arn: str) -> None:
    with pytest.raises(ClientError) as excinfo:
        sns.publish_batch(
            TopicArn=topic_arn,
            PublishBatchRequestEntries=[
                {
                    "Id": "1",
                    "Message": "a" * (DEFAULT_MAX_MESSAGE_BYTES - ATTRIBUTES_SIZE),
                    "MessageAttributes": ATTRIBUTES,
                },
                {"Id": "2", "Message": "b"},
            ],
        )
    assert error_of(excinfo) == (
        "BatchRequestTooLong",
        "The length of all the messages put together is more than the limit.",
        400,
    )


def test_fifo_topic_rules_and_sequence_numbers(sns: Any, sqs: Any) -> None:
    topic = sns.create_topic(Name="orders.fifo", Attributes={"FifoTopic": "true"})["TopicArn"]
    url, arn = make_queue(sqs, "orders.fifo", FifoQueue="true")
    sns.subscribe(TopicArn=topic, Protocol="sqs", Endpoint=arn)
    with pytest.raises(ClientError) as excinfo:
        sns.publish(TopicArn=topic, Message="m")
    invalid(excinfo, "Invalid parameter: The MessageGroupId parameter is required for FIFO topics")
    with pytest.raises(ClientError) as excinfo:
        sns.publish(TopicArn=topic, Message="m", MessageGroupId="g")
    invalid(
        excinfo,
        "Invalid parameter: The topic should either have ContentBasedDeduplication enabled or "
        "MessageDeduplicationId provided explicitly",
    )
    first = sns.publish(
        TopicArn=topic, Message="m1", MessageGroupId="g", MessageDeduplicationId="1"
    )
    second = sns.publish(
        TopicArn=topic, Message="m2", MessageGroupId="g", MessageDeduplicationId="2"
    )
    assert int(second["SequenceNumber"]) > int(first["SequenceNumber"])
    messages = receive_all(sqs, url)
    bodies = [json.loads(m["Body"]) for m in messages]
    assert [b["Message"] for b in bodies] == ["m1", "m2"]
    assert bodies[0]["SequenceNumber"] == first["SequenceNumber"]
    assert "Signature" not in bodies[0]
    assert messages[0]["Attributes"]["MessageGroupId"] == "g"


def test_standard_topic_refuses_a_deduplication_id(sns: Any, topic_arn: str) -> None:
    with pytest.raises(ClientError) as excinfo:
        sns.publish(TopicArn=topic_arn, Message="m", MessageDeduplicationId="1")
    invalid(
        excinfo,
        "Invalid parameter: MessageDeduplicationId Reason: The request includes "
        "MessageDeduplicationId parameter that is not valid for this topic type",
    )


def test_sms_publishes_stay_motos(sns: Any) -> None:
    assert sns.publish(PhoneNumber="+15551234567", Message="hi")["MessageId"]
