"""Subscription filter policies: the operators (cases from AWS's filter-policy pages and from
LocalStack's AWS-validated filter tests), then both scopes end to end through SQS."""

from __future__ import annotations

import json
from typing import Any

import pytest
from sns_support import make_queue, receive_all

from sim.services.sns.attributes import MessageAttribute
from sim.services.sns.filter_policy import matches


def attrs(**values: tuple[str, str]) -> dict[str, MessageAttribute]:
    return {name: MessageAttribute(kind, string_value=v) for name, (kind, v) in values.items()}


def by_attributes(policy: dict[str, Any], **values: tuple[str, str]) -> bool:
    return matches(policy, attributes=attrs(**values))


def by_body(policy: dict[str, Any], body: Any) -> bool:
    return matches(policy, scope="MessageBody", body=json.dumps(body))


S = "String"
N = "Number"
A = "String.Array"


@pytest.mark.parametrize(
    ("policy", "values", "expected"),
    [
        # exact strings: any value of the list, case-sensitive
        ({"store": ["a", "example_corp"]}, {"store": (S, "example_corp")}, True),
        ({"store": ["Example_Corp"]}, {"store": (S, "example_corp")}, False),
        # every key must match (AND)
        ({"store": ["x"], "event": ["y"]}, {"store": (S, "x")}, False),
        ({"store": ["x"], "event": ["y"]}, {"store": (S, "x"), "event": (S, "y")}, True),
        # a JSON text in a String attribute is just text
        ({"store": ["x"]}, {"store": (S, '["x"]')}, False),
        # String.Array: any element
        ({"interests": ["rugby"]}, {"interests": (A, '["soccer", "rugby"]')}, True),
        ({"interests": ["golf"]}, {"interests": (A, '["soccer", "rugby"]')}, False),
        # prefix / suffix / equals-ignore-case
        ({"event": [{"prefix": "order-"}]}, {"event": (S, "order-placed")}, True),
        ({"event": [{"prefix": "order-"}]}, {"event": (S, "refund")}, False),
        ({"event": [{"suffix": "-placed"}]}, {"event": (S, "order-placed")}, True),
        ({"event": [{"equals-ignore-case": "ORDER"}]}, {"event": (S, "order")}, True),
        # anything-but: a list, a value, a prefix; a missing key never matches
        ({"size": [{"anything-but": ["small", "medium"]}]}, {"size": (S, "large")}, True),
        ({"size": [{"anything-but": ["small", "medium"]}]}, {"size": (S, "small")}, False),
        ({"size": [{"anything-but": "small"}]}, {"size": (S, "small")}, False),
        ({"size": [{"anything-but": {"prefix": "sm"}}]}, {"size": (S, "small")}, False),
        ({"size": [{"anything-but": {"prefix": "sm"}}]}, {"size": (S, "big")}, True),
        ({"size": [{"anything-but": "small"}]}, {"other": (S, "x")}, False),
        ({"price": [{"anything-but": [100, 500]}]}, {"price": (N, "101")}, True),
        ({"price": [{"anything-but": [100, 500]}]}, {"price": (N, "100")}, False),
        # numeric: exact (3.015e2 == 301.5), ranges, only Number attributes
        ({"price_usd": [{"numeric": ["=", 301.5]}]}, {"price_usd": (N, "3.015e2")}, True),
        ({"price_usd": [{"numeric": [">", 0, "<=", 150]}]}, {"price_usd": (N, "150")}, True),
        ({"price_usd": [{"numeric": [">", 0, "<=", 150]}]}, {"price_usd": (N, "150.5")}, False),
        ({"price_usd": [{"numeric": ["<", 0]}]}, {"price_usd": (N, "-1")}, True),
        ({"price_usd": [{"numeric": [">", 0]}]}, {"price_usd": (S, "5")}, False),
        ({"price_usd": [210.75]}, {"price_usd": (N, "210.75")}, True),
        ({"price": [{"numeric": [">", 0]}]}, {"price": ("Number.float", "2.5")}, True),
        # exists
        ({"store": [{"exists": True}]}, {"store": (N, "99")}, True),
        ({"store": [{"exists": True}]}, {"other": (N, "99")}, False),
        ({"store": [{"exists": False}]}, {"other": (N, "99")}, True),
        ({"store": [{"exists": False}]}, {"store": (N, "99")}, False),
        # null does not match a missing attribute (AWS-validated in LocalStack)
        ({"attr1": [None, {"anything-but": "whatever"}]}, {}, False),
        # $or
        (
            {"source": ["aws.cloudwatch"], "$or": [{"metric": ["CPU"]}, {"ns": ["EC2"]}]},
            {"source": (S, "aws.cloudwatch"), "ns": (S, "EC2")},
            True,
        ),
        (
            {"source": ["aws.cloudwatch"], "$or": [{"metric": ["CPU"]}, {"ns": ["EC2"]}]},
            {"source": (S, "aws.cloudwatch"), "ns": (S, "S3")},
            False,
        ),
        # cidr
        ({"ip": [{"cidr": "10.0.0.0/24"}]}, {"ip": (S, "10.0.0.7")}, True),
        ({"ip": [{"cidr": "10.0.0.0/24"}]}, {"ip": (S, "10.0.1.7")}, False),
    ],
)
def test_attribute_operators(policy: dict[str, Any], values: dict[str, Any], expected: bool):
    assert by_attributes(policy, **values) is expected


def test_binary_attributes_are_not_compared() -> None:
    binary = {"blob": MessageAttribute("Binary", binary_value=b"x")}
    assert not matches({"blob": ["eA=="]}, attributes=binary)
    assert matches({"blob": [{"exists": True}]}, attributes=binary)


@pytest.mark.parametrize(
    ("policy", "body", "expected"),
    [
        ({"store": ["example_corp"]}, {"store": "example_corp"}, True),
        # nesting, and dots in keys, as AWS flattens both
        ({"object": {"nested": ["v"]}}, {"object": {"nested": "v"}}, True),
        ({"object.nested": ["v"]}, {"object": {"nested": "v"}}, True),
        ({"object": {"nested": ["v"]}}, {"object.nested": "v"}, True),
        ({"object": {"nested": ["v"]}}, {"object": {"nested": "w"}}, False),
        # arrays offer each element
        ({"headers": {"route-to": ["queue1"]}}, {"headers": {"route-to": ["queue1", "q2"]}}, True),
        ({"headers": {"route-to": ["queue3"]}}, {"headers": {"route-to": ["queue1", "q2"]}}, False),
        (
            {"Records": {"eventName": [{"prefix": "ObjectCreated:"}]}},
            {
                "Records": [
                    {"eventName": "ObjectRemoved:Delete"},
                    {"eventName": "ObjectCreated:Put"},
                ]
            },
            True,
        ),
        # numbers, null, booleans
        ({"price_usd": [{"numeric": ["=", 301.5]}]}, {"price_usd": 3.015e2}, True),
        ({"price": [{"anything-but": [100, 500]}]}, {"price": [100, 50]}, True),
        ({"price": [{"anything-but": [100, 500]}]}, {"price": 100}, False),
        ({"count": [{"numeric": [">", 1]}]}, {"count": "5"}, False),
        ({"count": [{"prefix": "5"}]}, {"count": 5}, False),
        ({"gone": [None]}, {"gone": None}, True),
        ({"flag": [True]}, {"flag": True}, True),
        ({"flag": [True]}, {"flag": 1}, False),
        # exists on leaves; an empty array holds nothing
        ({"detail": {"id": [{"exists": True}]}}, {"detail": {"id": "1"}}, True),
        ({"resources": [{"exists": False}]}, {"resources": []}, True),
        (
            {"detail": {"eventVersion": [""]}},
            {"resources": [], "detail": {"eventVersion": ""}},
            True,
        ),
        # $or inside the body scope
        ({"$or": [{"a": ["1"]}, {"b": ["2"]}]}, {"b": "2"}, True),
        ({"$or": [{"a": ["1"]}, {"b": ["2"]}]}, {"b": "3"}, False),
    ],
)
def test_body_operators(policy: dict[str, Any], body: Any, expected: bool) -> None:
    assert by_body(policy, body) is expected


def test_a_body_that_is_no_json_object_matches_no_policy() -> None:
    assert not matches({"a": ["1"]}, scope="MessageBody", body="not json")
    assert not matches({"a": ["1"]}, scope="MessageBody", body="[1, 2]")
    assert matches(None, scope="MessageBody", body="not json")


def subscribe_filtered(sns: Any, sqs: Any, topic_arn: str, name: str, policy: Any, scope: str):
    url, arn = make_queue(sqs, name)
    sns.subscribe(
        TopicArn=topic_arn,
        Protocol="sqs",
        Endpoint=arn,
        Attributes={
            "RawMessageDelivery": "true",
            "FilterPolicyScope": scope,
            "FilterPolicy": json.dumps(policy),
        },
    )
    return url


def test_attribute_scope_end_to_end(backend: Any, sns: Any, sqs: Any, topic_arn: str) -> None:
    url = subscribe_filtered(
        sns,
        sqs,
        topic_arn,
        "cheap",
        {"price": [{"numeric": [">", 0, "<=", 100]}]},
        "MessageAttributes",
    )
    for price in ("99", "111"):
        sns.publish(
            TopicArn=topic_arn,
            Message=f"costs {price}",
            MessageAttributes={"price": {"DataType": "Number", "StringValue": price}},
        )
    sns.publish(TopicArn=topic_arn, Message="no price")
    assert [m["Body"] for m in receive_all(sqs, url)] == ["costs 99"]
    [stats] = backend.sns().stats()
    assert (stats.delivered, stats.filtered_out) == (1, 2)


def test_body_scope_end_to_end(backend: Any, sns: Any, sqs: Any, topic_arn: str) -> None:
    url = subscribe_filtered(
        sns, sqs, topic_arn, "orders", {"event": [{"prefix": "order-"}]}, "MessageBody"
    )
    sns.publish(TopicArn=topic_arn, Message=json.dumps({"event": "order-placed"}))
    sns.publish(TopicArn=topic_arn, Message=json.dumps({"event": "refund"}))
    sns.publish(
        TopicArn=topic_arn,
        Message="not json",
        MessageAttributes={"event": {"DataType": "String", "StringValue": "order-x"}},
    )
    assert [json.loads(m["Body"]) for m in receive_all(sqs, url)] == [{"event": "order-placed"}]
    [stats] = backend.sns().stats()
    assert (stats.delivered, stats.filtered_out) == (1, 2)


def test_changing_the_policy_takes_effect(sns: Any, sqs: Any, topic_arn: str) -> None:
    url, arn = make_queue(sqs, "q")
    subscription = sns.subscribe(
        TopicArn=topic_arn, Protocol="sqs", Endpoint=arn, Attributes={"RawMessageDelivery": "true"}
    )["SubscriptionArn"]
    sns.set_subscription_attributes(
        SubscriptionArn=subscription,
        AttributeName="FilterPolicy",
        AttributeValue=json.dumps({"color": ["red"]}),
    )
    red = {"color": {"DataType": "String", "StringValue": "red"}}
    sns.publish(TopicArn=topic_arn, Message="blue")
    sns.publish(TopicArn=topic_arn, Message="red", MessageAttributes=red)
    sns.set_subscription_attributes(
        SubscriptionArn=subscription, AttributeName="FilterPolicy", AttributeValue=""
    )
    sns.publish(TopicArn=topic_arn, Message="anything")
    assert [m["Body"] for m in receive_all(sqs, url)] == ["red", "anything"]
