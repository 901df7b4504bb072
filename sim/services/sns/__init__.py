"""Simulated SNS delivery on the embedded backend: email outbox, SQS, Lambda, filter policies.

moto keeps topics and subscriptions; :class:`SnsService` answers Publish, PublishBatch, email
Subscribe, ConfirmSubscription and the subscription listings before moto (an interceptor of the
embedded backend) and delivers each message to the topic's subscriptions as AWS does. Emails go
to an :class:`Outbox` instead of the internet. See docs/sns.md.

Public API::

    from sim.services.sns import SnsService, Outbox, Email, export_outbox, read_outbox

    sns = backend.sns()                      # the embedded backend's SnsService
    sns.subscribe(topic_arn, "email", "ops@example.com", confirmed=True)  # auto_confirm
    sns.confirm(subscription_arn)            # as if the link in the email was opened
    sns.stats()                              # per subscription: delivered, filtered_out, ...
    sns.pending_subscriptions()
    backend.outbox().emails(to="ops@example.com")
    export_outbox(backend, "out")            # out/outbox/*.eml + out/outbox/outbox.json
    read_outbox("out/outbox"); render_table(emails)
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from sim.services.sns.delivery import DeliveryStats
from sim.services.sns.filter_policy import matches as filter_policy_matches
from sim.services.sns.outbox import (
    CONFIRMATION,
    NOTIFICATION,
    OUTBOX_FILE,
    Email,
    Outbox,
    read_outbox,
    render_table,
)
from sim.services.sns.service import SnsService

OUTBOX_DIRECTORY = "outbox"

__all__ = [
    "CONFIRMATION",
    "NOTIFICATION",
    "OUTBOX_DIRECTORY",
    "OUTBOX_FILE",
    "DeliveryStats",
    "Email",
    "Outbox",
    "SnsService",
    "export_outbox",
    "filter_policy_matches",
    "read_outbox",
    "render_table",
]


def export_outbox(backend: Any, directory: str | Path) -> int | None:
    """Write ``backend``'s outbox to ``directory/outbox/`` (``.eml`` files and
    ``outbox.json``, also when empty); None, writing nothing, for a backend without an outbox
    (LocalStack, AWS: their emails go out for real, or nowhere)."""
    outbox = getattr(backend, "outbox", None)
    if not callable(outbox):
        return None
    return outbox().write(Path(directory) / OUTBOX_DIRECTORY)
