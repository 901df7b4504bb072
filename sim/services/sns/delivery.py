"""Delivering one message to one subscription, and counting what happened.

For each subscription of the topic, in the order they were created:

1. a subscription pending confirmation gets nothing (counted ``pending_confirmation``);
2. a message its filter policy does not accept is not delivered (``filtered_out``);
3. else it is delivered (``delivered``) or the delivery fails (``failed``, with the error):

   * ``email`` / ``email-json``: an :class:`~sim.services.sns.outbox.Email` in the outbox;
   * ``sqs``: SQS ``SendMessage`` through a boto3 client of the backend (the notification
     document, or with ``RawMessageDelivery`` the message itself, its attributes becoming SQS
     message attributes; FIFO topics pass the group and deduplication ids to FIFO queues, the
     content's SHA-256 as deduplication id when the topic deduplicates by content);
   * ``lambda``: an asynchronous invocation (``invoke_async``) with the SNS event, tagged
     ``sns:<topic name>``; retries are the Lambda runtime's;
   * ``http``, ``https``, ``sms``, ``application``, ``firehose``: not simulated
     (``not_simulated``).

AWS retries failed deliveries per the delivery policy and can send them to a subscription's
dead-letter queue (``RedrivePolicy``); neither is simulated: a failed delivery is counted once.
"""

from __future__ import annotations

import hashlib
import json
import threading
from collections.abc import Callable
from dataclasses import asdict, dataclass
from typing import Any

from botocore.exceptions import BotoCoreError, ClientError

from sim.errors import AwsError
from sim.services.sns import filter_policy, store
from sim.services.sns.limits import (
    EMAIL_DEFAULT_SENDER_NAME,
    EMAIL_DEFAULT_SUBJECT,
    EMAIL_SENDER_ADDRESS,
)
from sim.services.sns.notifications import (
    Message,
    Urls,
    aws_json,
    email_body,
    lambda_event,
    notification_document,
)
from sim.services.sns.outbox import NOTIFICATION, Email, Outbox

EMAIL_PROTOCOLS = ("email", "email-json")


@dataclass
class DeliveryStats:
    """What one subscription got: counts per outcome and the last delivery error."""

    subscription_arn: str
    topic_arn: str
    protocol: str
    endpoint: str
    delivered: int = 0
    filtered_out: int = 0
    pending_confirmation: int = 0
    failed: int = 0
    not_simulated: int = 0
    last_error: str | None = None

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


class DeliveryFailed(Exception):
    """A delivery the endpoint refused (no such queue or function, ...)."""


def sender(topic: Any) -> str:
    """The From line: the topic's DisplayName, else "AWS Notifications"."""
    name = getattr(topic, "display_name", "") or EMAIL_DEFAULT_SENDER_NAME
    return f"{name} <{EMAIL_SENDER_ADDRESS}>"


class Deliverer:
    """Delivers messages to subscriptions (see the module docstring) and keeps the counts."""

    def __init__(
        self,
        *,
        outbox: Outbox,
        client: Callable[[str, str], Any],
        lambda_runtime: Callable[[], Any],
        urls: Callable[[str], Urls],
    ):
        self._outbox = outbox
        self._client = client
        self._lambda_runtime = lambda_runtime
        self._urls = urls
        self._stats: dict[str, DeliveryStats] = {}
        self._queue_urls: dict[str, str] = {}
        self._policies: dict[str, Any] = {}
        self._lock = threading.Lock()

    def reset(self) -> None:
        with self._lock:
            self._stats.clear()
            self._queue_urls.clear()
            self._policies.clear()

    def stats(self) -> list[DeliveryStats]:
        with self._lock:
            return list(self._stats.values())

    def deliver(self, topic: Any, message: Message) -> None:
        for subscription in store.topic_subscriptions(topic):
            self._deliver_one(topic, subscription, message)

    def _deliver_one(self, topic: Any, subscription: Any, message: Message) -> None:
        stats = self._stats_of(subscription)
        if store.is_pending(subscription):
            stats.pending_confirmation += 1
            return
        protocol = subscription.protocol
        if not self._accepts(subscription, message):
            stats.filtered_out += 1
            return
        handler = {
            "email": self._email,
            "email-json": self._email,
            "sqs": self._sqs,
            "lambda": self._lambda,
        }.get(protocol)
        if handler is None:
            stats.not_simulated += 1
            return
        try:
            handler(topic, subscription, message)
        except DeliveryFailed as error:
            stats.failed += 1
            stats.last_error = str(error)
        else:
            stats.delivered += 1

    def _stats_of(self, subscription: Any) -> DeliveryStats:
        with self._lock:
            stats = self._stats.get(subscription.arn)
            if stats is None:
                stats = self._stats[subscription.arn] = DeliveryStats(
                    subscription.arn,
                    subscription.topic.arn,
                    subscription.protocol,
                    subscription.endpoint,
                )
            return stats

    def _accepts(self, subscription: Any, message: Message) -> bool:
        text = subscription.attributes.get("FilterPolicy")
        if not text:
            return True
        policy = self._policies.get(text)
        if policy is None:
            try:
                policy = self._policies[text] = json.loads(text) if isinstance(text, str) else text
            except ValueError:
                return True  # moto refuses an unparsable policy when it is set
        scope = subscription.attributes.get("FilterPolicyScope") or filter_policy.MESSAGE_ATTRIBUTES
        return filter_policy.matches(
            policy,
            scope=scope,
            attributes=message.attributes,
            body=message.content(subscription.protocol),
        )

    # -- protocols ------------------------------------------------------------------------
    def _email(self, topic: Any, subscription: Any, message: Message) -> None:
        urls = self._urls(message.region)
        address = subscription.endpoint
        if subscription.protocol == "email":
            link = urls.email_unsubscribe(subscription.arn, address)
            body = email_body(message.content("email"), link)
        else:
            document = notification_document(message, "email-json", subscription.arn, urls)
            body = aws_json(document)
        self._outbox.add(
            Email(
                time=message.timestamp,
                to=address,
                sender=sender(topic),
                subject=message.subject or EMAIL_DEFAULT_SUBJECT,
                body=body,
                kind=NOTIFICATION,
                protocol=subscription.protocol,
                topic_arn=message.topic_arn,
                message_id=message.message_id,
                subscription_arn=subscription.arn,
            )
        )

    def _sqs(self, topic: Any, subscription: Any, message: Message) -> None:
        queue_arn = subscription.endpoint
        parts = queue_arn.split(":")
        if len(parts) < 6:
            raise DeliveryFailed(f"not a queue ARN: {queue_arn}")
        region, account, name = parts[3], parts[4], parts[5]
        client = self._client("sqs", region)
        raw = store.truthy(subscription.attributes.get("RawMessageDelivery"))
        content = message.content("sqs")
        if raw:
            body = content
        else:
            urls = self._urls(message.region)
            body = aws_json(notification_document(message, "sqs", subscription.arn, urls))
        request: dict[str, Any] = {"MessageBody": body}
        if raw and message.attributes:
            request["MessageAttributes"] = {n: a.sqs() for n, a in message.attributes.items()}
        if message.fifo and name.endswith(".fifo"):
            request["MessageGroupId"] = message.group_id
            request["MessageDeduplicationId"] = (
                message.deduplication_id or hashlib.sha256(content.encode("utf-8")).hexdigest()
            )
        try:
            request["QueueUrl"] = self._queue_url(client, queue_arn, name, account)
            client.send_message(**request)
        except ClientError as error:
            details = error.response.get("Error", {})
            raise DeliveryFailed(
                f"SQS {details.get('Code')}: {details.get('Message')} ({queue_arn})"
            ) from None
        except BotoCoreError as error:
            raise DeliveryFailed(f"SQS: {error} ({queue_arn})") from None

    def _queue_url(self, client: Any, queue_arn: str, name: str, account: str) -> str:
        url = self._queue_urls.get(queue_arn)
        if url is None:
            response = client.get_queue_url(QueueName=name, QueueOwnerAWSAccountId=account)
            url = self._queue_urls[queue_arn] = response["QueueUrl"]
        return url

    def _lambda(self, topic: Any, subscription: Any, message: Message) -> None:
        parts = subscription.endpoint.split(":")
        if len(parts) < 7:
            raise DeliveryFailed(f"not a function ARN: {subscription.endpoint}")
        event = lambda_event(message, subscription.arn, self._urls(message.region))
        try:
            self._lambda_runtime().invoke_async(parts[6], event, source=f"sns:{topic.name}")
        except AwsError as error:
            raise DeliveryFailed(f"Lambda {error} ({subscription.endpoint})") from None
