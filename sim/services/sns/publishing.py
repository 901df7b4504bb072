"""Publish and PublishBatch requests turned into checked :class:`Message` objects.

The checks and their order follow AWS as LocalStack's AWS-validated tests recorded it (see
:mod:`sim.services.sns.validation` and :mod:`sim.services.sns.attributes`), with the topic looked
up before the size check because a topic's ``MaximumMessageSize`` sets the limit (LARGE in
:mod:`sim.services.sns.limits`).

PublishBatch: an error in the request as a whole (more than 10 entries, repeated or malformed
Ids, an invalid message attribute, all messages together over 256 KiB) fails the request, as
recorded from AWS; an entry that fails the per-message checks (empty message, subject, message
structure, size) is reported in ``Failed`` with the error's code and message and
``SenderFault`` true, and the other entries are published. (Which per-message errors AWS
reports per entry rather than for the whole batch is not recorded; this split is streamlab's.)

FIFO topics: ``MessageGroupId`` is required, and ``MessageDeduplicationId`` unless the topic
has ``ContentBasedDeduplication``; a standard topic refuses ``MessageDeduplicationId``
(RECORDED). Each FIFO message gets a ``SequenceNumber`` (a per-topic counter written with 20
digits; AWS's numbers are opaque and only increase). Deduplication within the 5-minute window
is left to the subscribed FIFO queues.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

from sim.errors import AwsError
from sim.services.sns import attributes as message_attributes
from sim.services.sns import store
from sim.services.sns.exceptions import (
    BatchEntryIdsNotDistinctException,
    BatchRequestTooLongException,
    EmptyBatchRequestException,
    InvalidBatchEntryIdException,
    InvalidParameterException,
    TooManyEntriesInBatchRequestException,
)
from sim.services.sns.limits import (
    BATCH_ID_MAX_CHARS,
    BATCH_ID_PATTERN,
    BATCH_MAX_BYTES,
    BATCH_MAX_ENTRIES,
    DEFAULT_MAX_MESSAGE_BYTES,
)
from sim.services.sns.notifications import Message
from sim.services.sns.validation import (
    check_message,
    check_size,
    check_subject,
    message_structure,
)
from sim.services.sns.wire import indexed

SEQUENCE_BASE = 10**19  # 20-digit sequence numbers


@dataclass
class BatchEntry:
    """One PublishBatch entry: its Id and either its message or the error it failed with."""

    entry_id: str
    message: Message | None = None
    error: AwsError | None = None


class Publisher:
    """Checks publish requests against moto's topics; ``new_id()`` gives message ids and
    ``now()`` the publish time (simulated)."""

    def __init__(self, *, new_id: Callable[[], str], now: Callable[[], float]):
        self._new_id = new_id
        self._now = now
        self._sequences: dict[str, int] = {}

    def reset(self) -> None:
        self._sequences.clear()

    def publish(self, form: Mapping[str, str], region: str | None) -> Message:
        """A Publish request's message (TopicArn or TargetArn naming a topic)."""
        topic_arn = form.get("TopicArn") or form.get("TargetArn") or ""
        store.arn_parts(topic_arn, "TopicArn")
        check_subject(form.get("Subject"))
        check_message(form.get("Message"))
        attributes = message_attributes.parse(form)
        topic = store.topic(topic_arn, region)
        return self._message(topic, form, attributes)

    def publish_batch(self, form: Mapping[str, str], region: str | None) -> list[BatchEntry]:
        topic_arn = form.get("TopicArn") or ""
        store.arn_parts(topic_arn, "TopicArn")
        entries = indexed(form, "PublishBatchRequestEntries.member")
        if not entries:
            # The text of SQS's EmptyBatchRequest; SNS's is not recorded.
            raise EmptyBatchRequestException("The batch request doesn't contain any entries.")
        if len(entries) > BATCH_MAX_ENTRIES:
            raise TooManyEntriesInBatchRequestException(
                "The batch request contains more entries than permissible."
            )
        topic = store.topic(topic_arn, region)
        ids = [entry.get("Id", "") for entry in entries]
        if len(set(ids)) != len(ids):
            raise BatchEntryIdsNotDistinctException(
                "Two or more batch entries in the request have the same Id."
            )
        for entry_id in ids:
            _check_batch_id(entry_id)
        parsed = [
            message_attributes.parse(entry, batch_position=position)
            for position, entry in enumerate(entries, start=1)
        ]
        total = sum(
            len((entry.get("Message") or "").encode("utf-8")) + message_attributes.total_size(a)
            for entry, a in zip(entries, parsed, strict=True)
        )
        if total > BATCH_MAX_BYTES:
            raise BatchRequestTooLongException(
                "The length of all the messages put together is more than the limit."
            )
        results = []
        for entry, attributes in zip(entries, parsed, strict=True):
            result = BatchEntry(entry["Id"])
            try:
                check_subject(entry.get("Subject"))
                check_message(entry.get("Message"))
                result.message = self._message(topic, entry, attributes)
            except InvalidParameterException as error:
                result.error = error
            results.append(result)
        return results

    def _message(
        self, topic: Any, fields: Mapping[str, str], attributes: dict[str, Any]
    ) -> Message:
        body = fields["Message"]
        check_size(body, attributes, store.max_message_bytes(topic, DEFAULT_MAX_MESSAGE_BYTES))
        group_id = fields.get("MessageGroupId")
        deduplication_id = fields.get("MessageDeduplicationId")
        fifo = store.truthy(getattr(topic, "fifo_topic", False))
        if fifo:
            if not group_id:
                raise InvalidParameterException(
                    "Invalid parameter: The MessageGroupId parameter is required for FIFO topics"
                )
            if not deduplication_id and not store.truthy(topic.content_based_deduplication):
                raise InvalidParameterException(
                    "Invalid parameter: The topic should either have ContentBasedDeduplication "
                    "enabled or MessageDeduplicationId provided explicitly"
                )
        elif deduplication_id:
            raise InvalidParameterException(
                "Invalid parameter: MessageDeduplicationId Reason: The request includes "
                "MessageDeduplicationId parameter that is not valid for this topic type"
            )
        per_protocol = message_structure(body, fields.get("MessageStructure"))
        sequence = None
        if fifo:
            count = self._sequences.get(topic.arn, 0) + 1
            self._sequences[topic.arn] = count
            sequence = str(SEQUENCE_BASE + count)
        return Message(
            message_id=self._new_id(),
            topic_arn=topic.arn,
            body=body,
            timestamp=self._now(),
            subject=fields.get("Subject"),
            attributes=attributes,
            per_protocol=per_protocol,
            group_id=group_id if fifo else None,
            deduplication_id=deduplication_id,
            sequence_number=sequence,
        )


def _check_batch_id(entry_id: str) -> None:
    if len(entry_id) > BATCH_ID_MAX_CHARS:
        raise InvalidBatchEntryIdException(
            f"The Id of a batch entry in the batch request is too long: {entry_id}"
        )
    if not re.fullmatch(BATCH_ID_PATTERN, entry_id):
        raise InvalidBatchEntryIdException(
            "The Id of a batch entry in the batch request contains an impermissible character: "
            f"{entry_id}"
        )
