"""The queue an SQS event source mapping reads: through a boto3 client, on any backend, with a
fast path on the embedded backend.

:class:`SqsQueue` reaches the queue only through the SQS API (``ReceiveMessage``,
``DeleteMessageBatch``, ``GetQueueAttributes``), as Lambda's pollers do. It cannot tell whether
a message waits without receiving it, so every idle poll is one ``ReceiveMessage`` call, and it
cannot see where a message went (:attr:`can_locate` is false).

:class:`EmbeddedSqsQueue` is the same queue on the embedded backend, where moto's queue lives in
this process: it receives and deletes through the same boto3 client (so events carry exactly
what SQS returns), but answers the cheap questions by reading moto's queue directly: whether a
``ReceiveMessage`` could return anything now (an idle poll costs a list check, not a request),
the queue's attributes, and where a message is (still queued, moved to the dead-letter queue by
the redrive policy, or gone).

Use :func:`open_queue` to get the right one.
"""

from __future__ import annotations

import json
from collections.abc import Collection, Iterable
from dataclasses import dataclass
from typing import Any

from sim.services.esm import limits

# ReceiveMessage asks for every system attribute and every message attribute, as Lambda's event
# carries them all; WaitTimeSeconds 0: the simulated poller must never block in wall time (moto
# would honour a queue's ReceiveMessageWaitTimeSeconds by sleeping).
_RECEIVE_OPTIONS = {
    "WaitTimeSeconds": 0,
    "MessageSystemAttributeNames": ["All"],
    "MessageAttributeNames": ["All"],
}

IN_QUEUE = "queue"
IN_DEAD_LETTER_QUEUE = "dlq"
GONE = "gone"


@dataclass(frozen=True)
class RedrivePolicy:
    """The source queue's RedrivePolicy: after ``max_receive_count`` receives SQS moves a message
    to the dead-letter queue."""

    dead_letter_target_arn: str
    max_receive_count: int

    @property
    def dead_letter_queue(self) -> str:
        return self.dead_letter_target_arn.rsplit(":", 1)[-1]


class SqsQueue:
    """A queue reached through a boto3 SQS client (any backend).

    The queue's attributes (visibility timeout, retention, redrive policy) are read once, when the
    mapping is created; call :meth:`refresh` after changing them.
    """

    can_locate = False

    def __init__(self, client: Any, queue_name: str):
        self.client = client
        self.url: str = client.get_queue_url(QueueName=queue_name)["QueueUrl"]
        self.receive_calls = 0
        self.delete_calls = 0
        self.refresh()
        self.arn: str = self._attributes["QueueArn"]
        self.name = self.arn.rsplit(":", 1)[-1]
        self.fifo = self._attributes.get("FifoQueue") == "true"

    def refresh(self) -> None:
        self._attributes: dict[str, str] = self.client.get_queue_attributes(
            QueueUrl=self.url, AttributeNames=["All"]
        )["Attributes"]

    # -- attributes -----------------------------------------------------------------------
    def visibility_timeout(self) -> int:
        return int(self._attributes.get("VisibilityTimeout", 30))

    def retention_period(self) -> int:
        return int(self._attributes.get("MessageRetentionPeriod", 345_600))

    def redrive_policy(self) -> RedrivePolicy | None:
        policy = self._attributes.get("RedrivePolicy")
        if not policy:
            return None
        document = json.loads(policy)
        return RedrivePolicy(document["deadLetterTargetArn"], int(document["maxReceiveCount"]))

    # -- messages -------------------------------------------------------------------------
    def has_messages(self) -> bool:
        """Whether a ``ReceiveMessage`` could return something now. Unknown without asking, so
        always true: the caller's ``ReceiveMessage`` is the poll."""
        return True

    def receive(self, count: int, visibility_timeout: int | None = None) -> list[dict[str, Any]]:
        """One ``ReceiveMessage`` call for up to ``count`` (1..10) messages, as boto3 returns them
        (``MessageId``, ``ReceiptHandle``, ``MD5OfBody``, ``Body``, ``Attributes``, and
        ``MessageAttributes`` with ``MD5OfMessageAttributes`` when the message has attributes).
        ``visibility_timeout`` overrides the queue's for these messages."""
        self.receive_calls += 1
        options: dict[str, Any] = dict(_RECEIVE_OPTIONS)
        if visibility_timeout is not None:
            options["VisibilityTimeout"] = visibility_timeout
        answer = self.client.receive_message(
            QueueUrl=self.url, MaxNumberOfMessages=count, **options
        )
        return answer.get("Messages", [])

    def delete(self, receipt_handles: list[str]) -> set[int]:
        """Delete messages (``DeleteMessageBatch``, 10 a call); the indexes that failed."""
        failed: set[int] = set()
        step = limits.SQS_DELETE_BATCH_MAX
        for start in range(0, len(receipt_handles), step):
            entries = [
                {"Id": str(start + i), "ReceiptHandle": handle}
                for i, handle in enumerate(receipt_handles[start : start + step])
            ]
            self.delete_calls += 1
            answer = self.client.delete_message_batch(QueueUrl=self.url, Entries=entries)
            failed.update(int(entry["Id"]) for entry in answer.get("Failed", []))
        return failed

    def locate(self, message_ids: Iterable[str]) -> dict[str, str]:
        """Where each message is (:data:`IN_QUEUE`, :data:`IN_DEAD_LETTER_QUEUE`, :data:`GONE`).
        Only queues with :attr:`can_locate` answer."""
        raise NotImplementedError("the SQS API cannot look a message up without receiving it")

    def census(self, exclude: Collection[str], now: float) -> tuple[int, int]:
        """(messages waiting, messages past the retention period) in the queue, leaving out
        ``exclude``. Through the API: SQS's approximate counts less ``exclude`` (assumed still in
        the queue); expired messages are already gone from a real queue, so none."""
        self.refresh()
        attributes = self._attributes
        total = sum(
            int(attributes.get(name, 0))
            for name in (
                "ApproximateNumberOfMessages",
                "ApproximateNumberOfMessagesNotVisible",
                "ApproximateNumberOfMessagesDelayed",
            )
        )
        return max(0, total - len(exclude)), 0


class EmbeddedSqsQueue(SqsQueue):
    """The queue on the embedded backend: reads moto's in-process queue for the cheap questions.

    What it reads mirrors moto's ``SQSBackend.receive_message``: a message can be received when
    it is visible (the clock strictly past its visibility deadline) and not delayed, and, in a
    FIFO queue, no message of its group is in flight.
    """

    can_locate = True

    def __init__(self, client: Any, queue_name: str):
        super().__init__(client, queue_name)
        _, _, _, self._region, self._account, _ = self.arn.split(":", 5)

    def _moto_queue(self) -> Any:
        from moto.sqs.models import sqs_backends

        return sqs_backends[self._account][self._region].queues.get(self.name)

    def refresh(self) -> None:
        """Nothing to cache: attributes are read from moto's queue each time."""
        if not hasattr(self, "_attributes"):
            super().refresh()

    def visibility_timeout(self) -> int:
        queue = self._moto_queue()
        return super().visibility_timeout() if queue is None else int(queue.visibility_timeout)

    def retention_period(self) -> int:
        queue = self._moto_queue()
        return super().retention_period() if queue is None else int(queue.message_retention_period)

    def redrive_policy(self) -> RedrivePolicy | None:
        queue = self._moto_queue()
        if queue is None or not queue.redrive_policy or queue.dead_letter_queue is None:
            return None
        policy = queue.redrive_policy
        return RedrivePolicy(policy["deadLetterTargetArn"], int(policy["maxReceiveCount"]))

    def has_messages(self) -> bool:
        queue = self._moto_queue()
        if queue is None or not queue._messages:
            return False
        from moto.core.utils import unix_time_millis

        now = unix_time_millis()
        blocked: set[str] = set()
        if queue.fifo_queue:
            blocked = {m.group_id for m in queue.pending_messages if now <= m.visible_at}
        for message in queue._messages:
            if now > message.visible_at and now >= message.delayed_until:
                if blocked and message.group_id in blocked:
                    continue
                return True
        return False

    def receive(self, count: int, visibility_timeout: int | None = None) -> list[dict[str, Any]]:
        """As :meth:`SqsQueue.receive`, after settling moto's FIFO bookkeeping first.

        moto forgets a FIFO message's in-flight state lazily, one message at a time, while a
        ``ReceiveMessage`` walks the queue: when several messages of one group come back
        together (a failed batch at the end of its visibility timeout) the first is skipped
        because the later ones still count as in flight, so the group is returned out of order
        (measured with moto 5.2.5: a1, a2, a3 failed, then ``ReceiveMessage`` returned a3
        alone). SQS returns them in order, so every message visible again is taken out of
        flight before the call: the same change moto makes, all at once.
        """
        queue = self._moto_queue()
        if queue is not None and queue.fifo_queue and queue.pending_messages:
            from moto.core.utils import unix_time_millis

            now = unix_time_millis()
            for message in [m for m in queue.pending_messages if now > m.visible_at]:
                queue.pending_messages.discard(message)
        return super().receive(count, visibility_timeout)

    def locate(self, message_ids: Iterable[str]) -> dict[str, str]:
        wanted = set(message_ids)
        where = dict.fromkeys(wanted, GONE)
        queue = self._moto_queue()
        if queue is None:
            return where
        for message in queue._messages:
            if message.id in wanted:
                where[message.id] = IN_QUEUE
        dead_letter_queue = queue.dead_letter_queue
        if dead_letter_queue is not None:
            for message in dead_letter_queue._messages:
                if message.id in wanted and where[message.id] == GONE:
                    where[message.id] = IN_DEAD_LETTER_QUEUE
        return where

    def census(self, exclude: Collection[str], now: float) -> tuple[int, int]:
        queue = self._moto_queue()
        if queue is None:
            return 0, 0
        retention_ms = int(queue.message_retention_period) * 1000
        now_ms = now * 1000
        waiting = expired = 0
        for message in queue._messages:
            if message.id in exclude:
                continue
            if (
                message.sent_timestamp is not None
                and message.sent_timestamp + retention_ms <= now_ms
            ):
                expired += 1
            else:
                waiting += 1
        return waiting, expired


def open_queue(client: Any, queue_name: str, *, embedded: bool = False) -> SqsQueue:
    """The queue ``queue_name`` through ``client``; ``embedded=True`` on the embedded backend
    (moto in this process) for the fast path."""
    return EmbeddedSqsQueue(client, queue_name) if embedded else SqsQueue(client, queue_name)
