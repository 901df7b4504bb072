"""Email subscriptions pending confirmation, their tokens, and how listings show them.

On AWS an ``email`` or ``email-json`` subscription starts **pending**: Subscribe answers
``pending confirmation`` (unless ``ReturnSubscriptionArn``), GetSubscriptionAttributes says
``PendingConfirmation`` ``true`` and ``ConfirmationWasAuthenticated`` ``false``,
ListSubscriptions(ByTopic) show ``PendingConfirmation`` where the ARN would be, and nothing is
delivered to it. SNS emails the address a confirmation link carrying a token; opening the link
or calling ConfirmSubscription with the token confirms it
(https://docs.aws.amazon.com/sns/latest/api/API_Subscribe.html, API_ConfirmSubscription.html,
aws-semantics.md §7). moto 5.2.5 confirms every subscription at once and accepts any token;
this module keeps the pending state in moto's subscription attributes and owns the tokens.

ConfirmSubscription errors (RECORDED in :mod:`sim.services.sns.limits`): a token not in AWS's
form gets ``Invalid token``; a well-formed token that confirms nothing on that topic gets
``Invalid parameter: Token``. The form AWS checks is not documented; streamlab takes its
tokens' form, 288 lowercase hexadecimal characters. Confirming twice is harmless.
``ConfirmationWasAuthenticated`` becomes ``true`` when ConfirmSubscription is signed and asks
``AuthenticateOnUnsubscribe``, ``false`` for a link opened (:meth:`Subscriptions.confirm`).

Not simulated: tokens expiring (3 days, or 2 in newer texts) and AWS deleting subscriptions
left unconfirmed for 48 hours.
"""

from __future__ import annotations

import random
import re
from collections.abc import Callable, Mapping
from typing import Any

from sim.ids import hex_id, uuid4
from sim.services.sns import store
from sim.services.sns.delivery import EMAIL_PROTOCOLS, sender
from sim.services.sns.exceptions import InvalidParameterException
from sim.services.sns.limits import (
    EMAIL_CONFIRMATION_SUBJECT,
    LIST_PAGE_SIZE,
    PENDING_ARN_IN_LISTS,
    TOKEN_HEX_CHARS,
)
from sim.services.sns.notifications import (
    Urls,
    aws_json,
    confirmation_document,
    confirmation_email_body,
)
from sim.services.sns.outbox import CONFIRMATION, Email, Outbox

_TOKEN = re.compile(rf"[0-9a-f]{{{TOKEN_HEX_CHARS}}}")
_BOOLEAN_ATTRIBUTES = ("RawMessageDelivery",)


class Subscriptions:
    """Subscribe / confirm for email protocols, on top of moto's subscriptions."""

    def __init__(
        self, *, outbox: Outbox, now: Callable[[], float], urls: Callable[[str], Urls]
    ) -> None:
        self._outbox = outbox
        self._now = now
        self._urls = urls
        self._rng = random.Random(0)
        self._tokens: dict[str, str] = {}  # token -> subscription ARN
        self._token_of: dict[str, str] = {}  # subscription ARN -> token
        self._created: list[str] = []  # email subscriptions created here, in order

    def reset(self, rng: random.Random) -> None:
        self._rng = rng
        self._tokens.clear()
        self._token_of.clear()
        self._created.clear()

    def subscribe(
        self,
        topic: Any,
        protocol: str,
        endpoint: str,
        attributes: Mapping[str, str] | None = None,
        *,
        confirmed: bool = False,
    ) -> Any:
        """Subscribe ``endpoint`` (moto creates the subscription, or finds the existing one);
        an email protocol one stays pending and gets a confirmation email unless
        ``confirmed``. Returns moto's subscription."""
        backend = topic.sns_backend
        existing = next(
            (
                s
                for s in backend.subscriptions.values()
                if s.topic.arn == topic.arn and s.endpoint == endpoint and s.protocol == protocol
            ),
            None,
        )
        subscription = backend.subscribe(topic.arn, endpoint, protocol)
        _set_attributes(backend, subscription.arn, attributes or {})
        if protocol not in EMAIL_PROTOCOLS:
            return subscription
        if existing is None:
            self._created.append(subscription.arn)
            if confirmed:
                store.mark_confirmed(subscription, authenticated=True)
            else:
                store.mark_pending(subscription)
                self._send_confirmation(topic, subscription)
        elif store.is_pending(existing):
            if confirmed:
                store.mark_confirmed(existing, authenticated=True)
            else:  # subscribing again asks again (streamlab's reading of the console's resend)
                self._send_confirmation(topic, existing)
        return subscription

    def confirm_with_token(self, topic_arn: str, token: str | None, *, authenticated: bool) -> str:
        """ConfirmSubscription: the subscription ARN, or AWS's error."""
        if not token or not _TOKEN.fullmatch(token):
            raise InvalidParameterException("Invalid token")
        arn = self._tokens.get(token)
        subscription = store.subscription(arn) if arn else None
        if subscription is None or subscription.topic.arn != topic_arn:
            raise InvalidParameterException("Invalid parameter: Token")
        if store.is_pending(subscription):
            store.mark_confirmed(subscription, authenticated=authenticated)
        return subscription.arn

    def confirm(self, subscription_arn: str) -> str:
        """Confirm as if the address's owner opened the link (unauthenticated)."""
        subscription = store.require_subscription(subscription_arn)
        if store.is_pending(subscription):
            store.mark_confirmed(subscription, authenticated=False)
        return subscription.arn

    def pending(self) -> list[Any]:
        """moto's email subscriptions that still wait for confirmation, in creation order."""
        found = [store.subscription(arn) for arn in self._created]
        return [s for s in found if s is not None and store.is_pending(s)]

    def _token(self, subscription_arn: str) -> str:
        token = self._token_of.get(subscription_arn)
        if token is None:
            token = hex_id(self._rng, TOKEN_HEX_CHARS)
            self._tokens[token] = subscription_arn
            self._token_of[subscription_arn] = token
        return token

    def _send_confirmation(self, topic: Any, subscription: Any) -> None:
        token = self._token(subscription.arn)
        region = topic.arn.split(":")[3]
        urls = self._urls(region)
        address = subscription.endpoint
        now = self._now()
        message_id = uuid4(self._rng)
        if subscription.protocol == "email":
            link = urls.email_confirmation(topic.arn, token, address)
            body = confirmation_email_body(topic.arn, link)
        else:
            body = aws_json(confirmation_document(topic.arn, token, message_id, now, urls))
        self._outbox.add(
            Email(
                time=now,
                to=address,
                sender=sender(topic),
                subject=EMAIL_CONFIRMATION_SUBJECT,
                body=body,
                kind=CONFIRMATION,
                protocol=subscription.protocol,
                topic_arn=topic.arn,
                message_id=message_id,
                subscription_arn=subscription.arn,
            )
        )


def _set_attributes(backend: Any, arn: str, attributes: Mapping[str, str]) -> None:
    """Subscribe's Attributes, as moto's own Subscribe applies them (FilterPolicyScope first:
    the policy is checked against it)."""
    ordered = sorted(attributes.items(), key=lambda item: item[0] != "FilterPolicyScope")
    for name, value in ordered:
        if name in _BOOLEAN_ATTRIBUTES:
            value = store.truthy(value)
        backend.set_subscription_attributes(arn, name, value)


def list_page(
    subscriptions: list[Any], next_token: str | None
) -> tuple[list[dict[str, str]], str | None]:
    """One page of ListSubscriptions(ByTopic), pending ones shown as AWS shows them."""
    try:
        start = int(next_token) if next_token else 0
    except ValueError:
        raise InvalidParameterException("Invalid parameter: NextToken") from None  # assumed
    page = subscriptions[start : start + LIST_PAGE_SIZE]
    members = [
        {
            "TopicArn": s.topic.arn,
            "Protocol": s.protocol,
            "SubscriptionArn": PENDING_ARN_IN_LISTS if store.is_pending(s) else s.arn,
            "Owner": s.owner,
            "Endpoint": s.endpoint,
        }
        for s in page
    ]
    more = start + LIST_PAGE_SIZE < len(subscriptions)
    return members, str(start + LIST_PAGE_SIZE) if more else None
