"""Reading and marking moto's SNS state (topics and subscriptions live in moto).

moto 5.2.5 keeps one ``SNSBackend`` per account and region (``moto.sns.models.sns_backends``)
with ``topics`` (ARN → ``Topic``) and ``subscriptions`` (ARN → ``Subscription``, insertion
order). A subscription's ``attributes`` dict is what GetSubscriptionAttributes answers (moto
writes booleans as ``true`` / ``false``), so marking a subscription pending there makes moto's
GetSubscriptionAttributes right too.
"""

from __future__ import annotations

from typing import Any

from moto.sns.models import sns_backends

from sim.services.sns.exceptions import NotFoundException, arn_too_short, topic_not_found


def truthy(value: Any) -> bool:
    """A moto attribute that may be a bool or the text ``true`` / ``false``."""
    if isinstance(value, str):
        return value.strip().lower() == "true"
    return bool(value)


def arn_parts(arn: str, parameter: str = "TopicArn") -> list[str]:
    """``arn:partition:sns:region:account:resource[:id]`` split; AWS's error when it is not."""
    parts = (arn or "").split(":")
    if len(parts) < 6 or parts[0] != "arn":
        raise arn_too_short(parameter, arn or "")
    return parts


def backend(account_id: str, region: str) -> Any:
    return sns_backends[account_id][region]


def topic(arn: str, region: str | None) -> Any:
    """moto's topic ``arn`` as seen from ``region`` (a topic of another region is not found,
    as on AWS and in moto)."""
    parts = arn_parts(arn)
    found = backend(parts[4], region or parts[3]).topics.get(arn)
    if found is None:
        raise topic_not_found()
    return found


def topic_subscriptions(found_topic: Any) -> list[Any]:
    """The topic's subscriptions, in the order they were created."""
    store = found_topic.sns_backend
    return [s for s in list(store.subscriptions.values()) if s.topic.arn == found_topic.arn]


def subscription(arn: str) -> Any | None:
    parts = (arn or "").split(":")
    if len(parts) < 7 or parts[0] != "arn":
        return None
    return backend(parts[4], parts[3]).subscriptions.get(arn)


def require_subscription(arn: str) -> Any:
    found = subscription(arn)
    if found is None:
        raise NotFoundException("Subscription does not exist")
    return found


def is_pending(found: Any) -> bool:
    return truthy(found.attributes.get("PendingConfirmation"))


def mark_pending(found: Any) -> None:
    found.attributes["PendingConfirmation"] = True
    found.attributes["ConfirmationWasAuthenticated"] = False
    found.confirmed = False


def mark_confirmed(found: Any, *, authenticated: bool) -> None:
    found.attributes["PendingConfirmation"] = False
    found.attributes["ConfirmationWasAuthenticated"] = authenticated
    found.confirmed = True


def max_message_bytes(found_topic: Any, default: int) -> int:
    """The topic's ``MaximumMessageSize`` when set (moto keeps attributes it does not know as
    snake_case fields), else ``default``."""
    value = getattr(found_topic, "maximum_message_size", None)
    try:
        return int(value) if value not in (None, "") else default
    except (TypeError, ValueError):
        return default
