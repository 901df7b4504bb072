"""Email and email-json subscriptions: pending until confirmed, the confirmation email, the
token, and the notification emails in the outbox."""

from __future__ import annotations

import json
import re
from typing import Any

import pytest
from botocore.exceptions import ClientError
from sns_support import error_of

from sim.clock import Clock, ProcessTime, to_epoch

ADDRESS = "ops@example.com"
LINK = re.compile(r"https://sns\.us-east-1\.amazonaws\.com/confirmation\.html\?\S+")


def subscribe(sns: Any, topic_arn: str, protocol: str = "email", **kwargs: Any) -> str:
    return sns.subscribe(TopicArn=topic_arn, Protocol=protocol, Endpoint=ADDRESS, **kwargs)[
        "SubscriptionArn"
    ]


def token_of(body: str) -> str:
    """The token of the confirmation link in an email body (as a user would copy it)."""
    link = LINK.search(body).group(0)
    return link.split("&Token=")[1].split("&Endpoint=")[0]


def test_an_email_subscription_is_pending(backend: Any, sns: Any, topic_arn: str) -> None:
    assert subscribe(sns, topic_arn) == "pending confirmation"
    listed = sns.list_subscriptions_by_topic(TopicArn=topic_arn)["Subscriptions"]
    assert listed == [
        {
            "SubscriptionArn": "PendingConfirmation",
            "Owner": "123456789012",
            "Protocol": "email",
            "Endpoint": ADDRESS,
            "TopicArn": topic_arn,
        }
    ]
    assert sns.list_subscriptions()["Subscriptions"][0]["SubscriptionArn"] == "PendingConfirmation"
    [arn] = backend.sns().pending_subscriptions()
    attributes = sns.get_subscription_attributes(SubscriptionArn=arn)["Attributes"]
    assert attributes["PendingConfirmation"] == "true"
    assert attributes["ConfirmationWasAuthenticated"] == "false"


def test_return_subscription_arn_gives_the_pending_subscriptions_arn(
    backend: Any, sns: Any, topic_arn: str
) -> None:
    arn = subscribe(sns, topic_arn, ReturnSubscriptionArn=True)
    assert backend.sns().pending_subscriptions() == [arn]


def test_the_confirmation_email(backend: Any, sns: Any, topic_arn: str) -> None:
    subscribe(sns, topic_arn)
    [email] = backend.outbox().emails()
    assert email.kind == "confirmation"
    assert email.to == ADDRESS
    assert email.sender == "AWS Notifications <no-reply@sns.amazonaws.com>"
    assert email.subject == "AWS Notification - Subscription Confirmation"
    token = token_of(email.body)
    assert re.fullmatch(r"[0-9a-f]{288}", token)
    assert email.body == (
        f"You have chosen to subscribe to the topic:\n{topic_arn}\n\n"
        "To confirm this subscription, click or visit the link below (If this was in error no "
        "action is necessary):\n"
        f"https://sns.us-east-1.amazonaws.com/confirmation.html?TopicArn={topic_arn}"
        f"&Token={token}&Endpoint={ADDRESS}\n\n"
        "Please do not reply directly to this email. If you wish to remove yourself from "
        "receiving all future SNS subscription confirmation requests please send an email to "
        "sns-opt-out@amazon.com"
    )


def test_pending_gets_nothing_until_confirmed_with_the_token(
    backend: Any, sns: Any, topic_arn: str
) -> None:
    subscribe(sns, topic_arn)
    sns.publish(TopicArn=topic_arn, Message="before")
    outbox = backend.outbox()
    assert [email.kind for email in outbox.emails()] == ["confirmation"]
    [stats] = backend.sns().stats()
    assert (stats.pending_confirmation, stats.delivered) == (1, 0)

    token = token_of(outbox.emails()[0].body)
    arn = sns.confirm_subscription(TopicArn=topic_arn, Token=token)["SubscriptionArn"]
    assert arn.startswith(topic_arn + ":")
    assert (
        sns.list_subscriptions_by_topic(TopicArn=topic_arn)["Subscriptions"][0]["SubscriptionArn"]
        == arn
    )
    attributes = sns.get_subscription_attributes(SubscriptionArn=arn)["Attributes"]
    assert attributes["PendingConfirmation"] == "false"
    assert attributes["ConfirmationWasAuthenticated"] == "false"
    # confirming again is harmless
    assert sns.confirm_subscription(TopicArn=topic_arn, Token=token)["SubscriptionArn"] == arn

    sns.publish(TopicArn=topic_arn, Message="after")
    emails = outbox.emails()
    assert [email.kind for email in emails] == ["confirmation", "notification"]
    assert emails[1].body.startswith("after\n\n--\n")
    [stats] = backend.sns().stats()
    assert (stats.pending_confirmation, stats.delivered) == (1, 1)
    assert backend.sns().pending_subscriptions() == []


def test_authenticate_on_unsubscribe_marks_the_confirmation_authenticated(
    backend: Any, sns: Any, topic_arn: str
) -> None:
    subscribe(sns, topic_arn)
    token = token_of(backend.outbox().emails()[0].body)
    arn = sns.confirm_subscription(
        TopicArn=topic_arn, Token=token, AuthenticateOnUnsubscribe="true"
    )["SubscriptionArn"]
    attributes = sns.get_subscription_attributes(SubscriptionArn=arn)["Attributes"]
    assert attributes["ConfirmationWasAuthenticated"] == "true"


def test_wrong_tokens(backend: Any, sns: Any, topic_arn: str) -> None:
    subscribe(sns, topic_arn)
    token = token_of(backend.outbox().emails()[0].body)
    with pytest.raises(ClientError) as excinfo:
        sns.confirm_subscription(TopicArn=topic_arn, Token="randomtoken")
    assert error_of(excinfo) == ("InvalidParameter", "Invalid token", 400)
    well_formed = ("0" if token[0] != "0" else "1") + token[1:]
    with pytest.raises(ClientError) as excinfo:
        sns.confirm_subscription(TopicArn=topic_arn, Token=well_formed)
    assert error_of(excinfo) == ("InvalidParameter", "Invalid parameter: Token", 400)
    other = sns.create_topic(Name="other")["TopicArn"]
    with pytest.raises(ClientError) as excinfo:
        sns.confirm_subscription(TopicArn=other, Token=token)
    assert error_of(excinfo)[1] == "Invalid parameter: Token"
    assert len(backend.sns().pending_subscriptions()) == 1


def test_confirm_as_if_the_link_was_opened(backend: Any, sns: Any, topic_arn: str) -> None:
    subscribe(sns, topic_arn)
    [arn] = backend.sns().pending_subscriptions()
    assert backend.sns().confirm(arn) == arn
    assert (
        sns.get_subscription_attributes(SubscriptionArn=arn)["Attributes"]["PendingConfirmation"]
        == "false"
    )
    sns.publish(TopicArn=topic_arn, Message="hello")
    assert [email.kind for email in backend.outbox().emails()] == ["confirmation", "notification"]


def test_confirming_an_unknown_subscription_is_an_error(backend: Any, topic_arn: str) -> None:
    with pytest.raises(Exception, match="Subscription does not exist"):
        backend.sns().confirm(topic_arn + ":00000000-0000-4000-8000-000000000000")


def test_subscribe_already_confirmed_sends_no_confirmation(
    backend: Any, sns: Any, topic_arn: str
) -> None:
    arn = backend.sns().subscribe(topic_arn, "email", ADDRESS, confirmed=True)
    assert backend.outbox().emails() == []
    assert (
        sns.list_subscriptions_by_topic(TopicArn=topic_arn)["Subscriptions"][0]["SubscriptionArn"]
        == arn
    )
    sns.publish(TopicArn=topic_arn, Message="hello")
    assert [email.kind for email in backend.outbox().emails()] == ["notification"]


def test_the_notification_email(backend: Any, sns: Any, topic_arn: str) -> None:
    arn = backend.sns().subscribe(topic_arn, "email", ADDRESS, confirmed=True)
    message_id = sns.publish(TopicArn=topic_arn, Message="Disk full\non host-1")["MessageId"]
    sns.publish(TopicArn=topic_arn, Message="second", Subject="Alarm: disk")
    first, second = backend.outbox().emails()
    assert first.subject == "AWS Notification Message"
    assert second.subject == "Alarm: disk"
    assert first.body == (
        "Disk full\non host-1\n\n--\n"
        "If you wish to stop receiving notifications from this topic, please click or visit the "
        "link below to unsubscribe:\n"
        f"https://sns.us-east-1.amazonaws.com/unsubscribe.html?SubscriptionArn={arn}"
        f"&Endpoint={ADDRESS}\n\n"
        "Please do not reply directly to this email. If you have any questions or comments "
        "regarding this email, please contact us at https://aws.amazon.com/support"
    )
    assert first.to_dict() | {"body": None, "time": None} == {
        "time": None,
        "to": ADDRESS,
        "from": "AWS Notifications <no-reply@sns.amazonaws.com>",
        "subject": "AWS Notification Message",
        "body": None,
        "kind": "notification",
        "protocol": "email",
        "topic_arn": topic_arn,
        "message_id": message_id,
        "subscription_arn": arn,
    }


def test_the_topics_display_name_is_the_sender(backend: Any, sns: Any, topic_arn: str) -> None:
    sns.set_topic_attributes(
        TopicArn=topic_arn, AttributeName="DisplayName", AttributeValue="Pipeline"
    )
    subscribe(sns, topic_arn)
    assert backend.outbox().emails()[0].sender == "Pipeline <no-reply@sns.amazonaws.com>"


def test_the_time_of_an_email_is_the_simulated_publish_time(
    backend: Any, sns: Any, topic_arn: str
) -> None:
    backend.sns().subscribe(topic_arn, "email", ADDRESS, confirmed=True)
    clock = Clock(start=to_epoch("2021-11-01T09:00:00Z"))
    with ProcessTime(clock):
        clock.run(until=clock.now + 90)
        sns.publish(TopicArn=topic_arn, Message="m")
    assert backend.outbox().emails()[0].to_dict()["time"] == "2021-11-01T09:01:30.000Z"


def test_email_json_gets_the_json_documents(backend: Any, sns: Any, topic_arn: str) -> None:
    subscribe(sns, topic_arn, protocol="email-json")
    [confirmation] = backend.outbox().emails()
    document = json.loads(confirmation.body)
    assert document["Type"] == "SubscriptionConfirmation"
    assert document["Message"] == (
        f"You have chosen to subscribe to the topic {topic_arn}.\n"
        "To confirm the subscription, visit the SubscribeURL included in this message."
    )
    assert document["SubscribeURL"] == (
        "https://sns.us-east-1.amazonaws.com/?Action=ConfirmSubscription"
        f"&TopicArn={topic_arn}&Token={document['Token']}"
    )
    arn = sns.confirm_subscription(TopicArn=topic_arn, Token=document["Token"])["SubscriptionArn"]
    message_id = sns.publish(TopicArn=topic_arn, Message="hello", Subject="S")["MessageId"]
    notification = backend.outbox().emails()[1]
    assert notification.subject == "S"
    body = json.loads(notification.body)
    assert list(body) == [
        "Type",
        "MessageId",
        "TopicArn",
        "Subject",
        "Message",
        "Timestamp",
        "SignatureVersion",
        "Signature",
        "SigningCertURL",
        "UnsubscribeURL",
    ]
    assert (body["Type"], body["MessageId"], body["Message"]) == (
        "Notification",
        message_id,
        "hello",
    )
    assert body["UnsubscribeURL"].endswith(f"?Action=Unsubscribe&SubscriptionArn={arn}")


def test_message_structure_json_picks_the_email_text(
    backend: Any, sns: Any, topic_arn: str
) -> None:
    backend.sns().subscribe(topic_arn, "email", ADDRESS, confirmed=True)
    message = json.dumps({"default": "for everyone", "email": "for people"})
    sns.publish(TopicArn=topic_arn, Message=message, MessageStructure="json")
    assert backend.outbox().emails()[0].first_line == "for people"


def test_reset_empties_the_outbox(backend: Any, sns: Any, topic_arn: str) -> None:
    subscribe(sns, topic_arn)
    assert len(backend.outbox()) == 1
    backend.reset()
    assert len(backend.outbox()) == 0 and backend.sns().pending_subscriptions() == []


def test_listings_page_by_100(sns: Any, topic_arn: str) -> None:
    for index in range(150):
        sns.subscribe(TopicArn=topic_arn, Protocol="email", Endpoint=f"user{index}@example.com")
    first = sns.list_subscriptions_by_topic(TopicArn=topic_arn)
    assert len(first["Subscriptions"]) == 100
    second = sns.list_subscriptions_by_topic(TopicArn=topic_arn, NextToken=first["NextToken"])
    assert len(second["Subscriptions"]) == 50 and "NextToken" not in second
    endpoints = [s["Endpoint"] for s in first["Subscriptions"] + second["Subscriptions"]]
    assert endpoints == [f"user{index}@example.com" for index in range(150)]
    pages = sns.get_paginator("list_subscriptions").paginate()
    assert sum(len(page["Subscriptions"]) for page in pages) == 150
