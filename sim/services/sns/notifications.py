"""What SNS delivers, in AWS's formats: the notification document (SQS, email-json), the Lambda
event, the email texts, and the subscription confirmation.

Formats, with where they come from:

* The JSON notification (an SQS message body without raw delivery; an email-json body), key
  order and layout as real SNS bodies received in SQS show them (``"Key" : value`` lines, two
  spaces of indent, message attributes one per line as compact ``{"Type":...,"Value":...}``;
  quoted in many repositories, e.g. the SQS events in ``lambda_handler`` tests): ``Type``,
  ``MessageId``, ``TopicArn``, ``Subject`` (only when the publish had one), ``Message``,
  ``Timestamp``, ``SignatureVersion``, ``Signature``, ``SigningCertURL``, ``UnsubscribeURL``,
  ``MessageAttributes`` (only when there are any). FIFO topics put ``SequenceNumber`` after
  ``MessageId`` and sign nothing (LocalStack's AWS-validated snapshot of a FIFO delivery).
  https://docs.aws.amazon.com/sns/latest/dg/sns-message-and-json-formats.html
* The Lambda event: aws-semantics.md §7 (Lambda's with-sns.md): ``Subject`` is null without a
  subject, ``MessageAttributes`` is ``{}`` without attributes (LocalStack's AWS-validated
  snapshot), ``SignatureVersion`` is always ``"1"``, the URL keys are spelled ``SigningCertUrl``
  and ``UnsubscribeUrl``.
* Emails: the message, then ``\\n\\n--\\n`` and AWS's footer with the unsubscribe link
  (``https://sns.REGION.amazonaws.com/unsubscribe.html?SubscriptionArn=ARN&Endpoint=ADDRESS``);
  the confirmation email names the topic and gives the confirmation link
  (``https://sns.REGION.amazonaws.com/confirmation.html?TopicArn=ARN&Token=TOKEN&Endpoint=
  ADDRESS``). See docs/sns.md for the sources and for what is not known exactly.

Signatures: AWS signs with its own key, which nobody outside AWS has. ``Signature`` here is 256
bytes in base64 (the size of AWS's RSA-2048 signatures) derived from the string AWS signs, so
the same message gives the same bytes run after run; it does not verify, and ``SigningCertURL``
names no certificate. Code that verifies SNS signatures must skip that in simulation.
"""

from __future__ import annotations

import base64
import hashlib
import json
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from sim.clock import iso
from sim.services.sns.attributes import MessageAttribute
from sim.services.sns.limits import (
    LAMBDA_EVENT_SOURCE,
    LAMBDA_EVENT_VERSION,
    SIGNATURE_VERSION,
)

NOTIFICATION = "Notification"
SUBSCRIPTION_CONFIRMATION = "SubscriptionConfirmation"


@dataclass(frozen=True)
class Message:
    """One published message, as every subscription of its topic receives it."""

    message_id: str
    topic_arn: str
    body: str
    timestamp: float
    subject: str | None = None
    attributes: Mapping[str, MessageAttribute] = field(default_factory=dict)
    # MessageStructure=json: the message for each protocol ("default" for the others).
    per_protocol: Mapping[str, str] | None = None
    group_id: str | None = None
    deduplication_id: str | None = None
    sequence_number: str | None = None

    @property
    def region(self) -> str:
        return self.topic_arn.split(":")[3]

    @property
    def fifo(self) -> bool:
        return self.topic_arn.endswith(".fifo")

    def content(self, protocol: str) -> str:
        """The text a subscription of ``protocol`` receives."""
        if self.per_protocol is None:
            return self.body
        return self.per_protocol.get(protocol, self.per_protocol["default"])

    def notification_attributes(self) -> dict[str, dict[str, str]]:
        return {name: attr.notification() for name, attr in self.attributes.items()}


@dataclass(frozen=True)
class Urls:
    """The URLs SNS writes into what it delivers, for one region."""

    region: str
    certificate_id: str  # 32 hex characters, as in AWS's SimpleNotificationService-<id>.pem

    @property
    def base(self) -> str:
        return f"https://sns.{self.region}.amazonaws.com"

    @property
    def signing_cert(self) -> str:
        return f"{self.base}/SimpleNotificationService-{self.certificate_id}.pem"

    def unsubscribe(self, subscription_arn: str) -> str:
        return f"{self.base}/?Action=Unsubscribe&SubscriptionArn={subscription_arn}"

    def subscribe(self, topic_arn: str, token: str) -> str:
        return f"{self.base}/?Action=ConfirmSubscription&TopicArn={topic_arn}&Token={token}"

    def email_unsubscribe(self, subscription_arn: str, address: str) -> str:
        return f"{self.base}/unsubscribe.html?SubscriptionArn={subscription_arn}&Endpoint={address}"

    def email_confirmation(self, topic_arn: str, token: str, address: str) -> str:
        return (
            f"{self.base}/confirmation.html?TopicArn={topic_arn}&Token={token}&Endpoint={address}"
        )


def signature(document: Mapping[str, Any], fields: tuple[str, ...]) -> str:
    """The stand-in signature of ``document`` (see the module docstring): over the string AWS
    signs, ``name\\nvalue\\n`` for each of ``fields`` present (not None), in that order
    (https://docs.aws.amazon.com/sns/latest/dg/sns-verify-signature-of-message.html)."""
    canonical = "".join(
        f"{name}\n{document[name]}\n" for name in fields if document.get(name) is not None
    )
    digest = hashlib.sha256(canonical.encode("utf-8")).digest()
    raw = b"".join(hashlib.sha256(bytes([i]) + digest).digest() for i in range(8))
    return base64.b64encode(raw).decode("ascii")


_NOTIFICATION_SIGNED = ("Message", "MessageId", "Subject", "Timestamp", "TopicArn", "Type")
_CONFIRMATION_SIGNED = (
    "Message",
    "MessageId",
    "SubscribeURL",
    "Timestamp",
    "Token",
    "TopicArn",
    "Type",
)


def notification_document(
    message: Message, protocol: str, subscription_arn: str, urls: Urls
) -> dict[str, Any]:
    """The JSON notification as an SQS queue (without raw delivery) or email-json receives it."""
    document: dict[str, Any] = {"Type": NOTIFICATION, "MessageId": message.message_id}
    if message.fifo:
        document["SequenceNumber"] = message.sequence_number
    document["TopicArn"] = message.topic_arn
    if message.subject is not None:
        document["Subject"] = message.subject
    document["Message"] = message.content(protocol)
    document["Timestamp"] = iso(message.timestamp)
    if not message.fifo:
        document["SignatureVersion"] = SIGNATURE_VERSION
        document["Signature"] = signature(document, _NOTIFICATION_SIGNED)
        document["SigningCertURL"] = urls.signing_cert
    document["UnsubscribeURL"] = urls.unsubscribe(subscription_arn)
    if message.attributes:
        document["MessageAttributes"] = message.notification_attributes()
    return document


def confirmation_document(
    topic_arn: str, token: str, message_id: str, timestamp: float, urls: Urls
) -> dict[str, Any]:
    """The SubscriptionConfirmation document (what an email-json address receives; HTTP/S
    endpoints get the same, https://docs.aws.amazon.com/sns/latest/dg/http-subscription-
    confirmation-json.html)."""
    document: dict[str, Any] = {
        "Type": SUBSCRIPTION_CONFIRMATION,
        "MessageId": message_id,
        "Token": token,
        "TopicArn": topic_arn,
        "Message": (
            f"You have chosen to subscribe to the topic {topic_arn}.\n"
            "To confirm the subscription, visit the SubscribeURL included in this message."
        ),
        "SubscribeURL": urls.subscribe(topic_arn, token),
        "Timestamp": iso(timestamp),
        "SignatureVersion": SIGNATURE_VERSION,
    }
    document["Signature"] = signature(document, _CONFIRMATION_SIGNED)
    document["SigningCertURL"] = urls.signing_cert
    return document


def aws_json(document: Mapping[str, Any]) -> str:
    """``document`` laid out as SNS lays out the JSON it delivers (see the module docstring)."""

    def value(item: Any) -> str:
        return json.dumps(item, ensure_ascii=False)

    lines = []
    for key, item in document.items():
        if key == "MessageAttributes":
            inner = ",\n".join(
                f"    {value(name)} : {json.dumps(attr, ensure_ascii=False, separators=(',', ':'))}"
                for name, attr in item.items()
            )
            lines.append(f"  {value(key)} : {{\n{inner}\n  }}")
        else:
            lines.append(f"  {value(key)} : {value(item)}")
    return "{\n" + ",\n".join(lines) + "\n}"


def lambda_event(message: Message, subscription_arn: str, urls: Urls) -> dict[str, Any]:
    """The event a Lambda subscriber is invoked with (aws-semantics.md §7)."""
    signed_fields = {
        "Type": NOTIFICATION,
        "MessageId": message.message_id,
        "TopicArn": message.topic_arn,
        "Subject": message.subject,
        "Message": message.content("lambda"),
        "Timestamp": iso(message.timestamp),
    }
    return {
        "Records": [
            {
                "EventVersion": LAMBDA_EVENT_VERSION,
                "EventSubscriptionArn": subscription_arn,
                "EventSource": LAMBDA_EVENT_SOURCE,
                "Sns": {
                    "SignatureVersion": SIGNATURE_VERSION,
                    "Timestamp": signed_fields["Timestamp"],
                    "Signature": signature(signed_fields, _NOTIFICATION_SIGNED),
                    "SigningCertUrl": urls.signing_cert,
                    "MessageId": message.message_id,
                    "Message": signed_fields["Message"],
                    "MessageAttributes": message.notification_attributes(),
                    "Type": NOTIFICATION,
                    "UnsubscribeUrl": urls.unsubscribe(subscription_arn),
                    "TopicArn": message.topic_arn,
                    "Subject": message.subject,
                },
            }
        ]
    }


def email_body(text: str, unsubscribe_link: str) -> str:
    """A notification email: the message, then AWS's footer."""
    return (
        f"{text}\n\n--\n"
        "If you wish to stop receiving notifications from this topic, please click or visit the "
        f"link below to unsubscribe:\n{unsubscribe_link}\n\n"
        "Please do not reply directly to this email. If you have any questions or comments "
        "regarding this email, please contact us at https://aws.amazon.com/support"
    )


def confirmation_email_body(topic_arn: str, confirmation_link: str) -> str:
    """The subscription confirmation email, as text. AWS sends it as HTML, where the link is
    the anchor "Confirm subscription" and "sns-opt-out" a mailto: link to
    sns-opt-out@amazon.com; here both are written out."""
    return (
        f"You have chosen to subscribe to the topic:\n{topic_arn}\n\n"
        "To confirm this subscription, click or visit the link below (If this was in error no "
        f"action is necessary):\n{confirmation_link}\n\n"
        "Please do not reply directly to this email. If you wish to remove yourself from "
        "receiving all future SNS subscription confirmation requests please send an email to "
        "sns-opt-out@amazon.com"
    )
