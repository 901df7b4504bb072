"""The world of the SQS event source mapping tests: real parts only.

A :class:`sim.clock.Clock` bound to the process (:class:`sim.clock.ProcessTime`, so moto's SQS
stamps, hides and redrives messages on simulated time), the embedded backend's SQS (moto, in
process, reached through boto3), a real ``LambdaRuntime`` running the handler modules in this
directory, and a ``sim.ledger.Ledger``.

Not a handler: this module lives among the handlers (``esm_sqs_*`` names) because that directory
is on ``sys.path`` for the whole test directory. Test modules import its fixtures::

    from esm_sqs_lab import embedded_backend, sqs_lab  # noqa: F401

``sqs_lab`` checks at teardown, as the Kinesis tests' ``lab`` does, that every hop balances
(``available == settled``) once every mapping has settled.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

import esm_shared
import pytest
from esm_clock_lab import T0, ClockLab  # noqa: F401 (T0: the tests import it from here)

from sim.backends.embedded import EmbeddedBackend
from sim.clock import Clock, ProcessTime
from sim.services.esm.sqs import SqsEventSourceMapping, SqsMappingConfig
from sim.services.esm.sqs_queue import SqsQueue, open_queue
from sim.services.lambda_ import LambdaRuntime
from tests.esm_fidelity import assert_sqs_event

ACCOUNT = "123456789012"
REGION = "us-east-1"
SEED = 5


class SqsLab(ClockLab):
    """One test's world. Times given to the helpers are seconds after ``T0``."""

    def __init__(self, clock: Clock, backend: EmbeddedBackend, runtime: LambdaRuntime) -> None:
        super().__init__(clock, runtime)
        self.backend = backend
        self.sqs = backend.client("sqs")

    # -- SQS ------------------------------------------------------------------------------
    def create_queue(
        self,
        name: str = "q",
        *,
        visibility: int = 30,
        dead_letter_queue: str | None = None,
        max_receive_count: int = 3,
        **attributes: str,
    ) -> str:
        """A queue (FIFO when the name ends in ``.fifo``, with content-based deduplication);
        with ``dead_letter_queue`` (created too) and a redrive policy. Returns its URL."""
        attributes = {"VisibilityTimeout": str(visibility), **attributes}
        if name.endswith(".fifo"):
            attributes.setdefault("FifoQueue", "true")
            attributes.setdefault("ContentBasedDeduplication", "true")
        if dead_letter_queue is not None:
            dlq_attributes = {"FifoQueue": "true"} if dead_letter_queue.endswith(".fifo") else {}
            self.sqs.create_queue(QueueName=dead_letter_queue, Attributes=dlq_attributes)
            attributes["RedrivePolicy"] = json.dumps(
                {
                    "deadLetterTargetArn": self.arn(dead_letter_queue),
                    "maxReceiveCount": str(max_receive_count),
                }
            )
        return self.sqs.create_queue(QueueName=name, Attributes=attributes)["QueueUrl"]

    def url(self, name: str = "q") -> str:
        return self.sqs.get_queue_url(QueueName=name)["QueueUrl"]

    def arn(self, name: str = "q") -> str:
        return f"arn:aws:sqs:{REGION}:{ACCOUNT}:{name}"

    def send(
        self,
        *bodies: str,
        queue: str = "q",
        at: float | None = None,
        group: str | None = None,
        attributes: dict[str, Any] | None = None,
    ) -> list[str]:
        """Send messages one by one (after running the clock to ``at`` if given); their ids."""
        if at is not None:
            self.run(at)
        url = self.url(queue)
        ids = []
        for body in bodies:
            params: dict[str, Any] = {"QueueUrl": url, "MessageBody": body}
            if group is not None:
                params["MessageGroupId"] = group
            if attributes:
                params["MessageAttributes"] = attributes
            ids.append(self.sqs.send_message(**params)["MessageId"])
        return ids

    def queued(self, queue: str = "q") -> list[str]:
        """Bodies of every message in a queue, in flight or not (read from moto, untouched)."""
        from moto.sqs.models import sqs_backends

        return [m.body for m in sqs_backends[ACCOUNT][REGION].queues[queue]._messages]

    # -- Lambda and the mapping -------------------------------------------------------------
    def mapping(
        self,
        function: str = "consumer",
        handler: str = "esm_recorder:handler",
        queue: str = "q",
        *,
        timeout: int = 3,
        env: dict[str, str] | None = None,
        invocation_duration: float = 0.0,
        access: SqsQueue | None = None,
        **config: Any,
    ) -> SqsEventSourceMapping:
        """A mapping from ``queue`` to ``function`` (created with ``handler`` if new);
        ``config`` holds SqsMappingConfig fields; ``access`` the queue access (default: the
        embedded fast path)."""
        fn = self.function(function, handler, timeout, env)
        runtime, captured = self.runtime, self.captured
        source = f"sqs:{queue}"

        def invoke(event: bytes) -> Any:
            captured.append(event)
            return runtime.invoke(fn.name, event, source=source)

        mapping = SqsEventSourceMapping(
            uuid=f"uuid-{len(self.mappings)}",
            clock=self.clock,
            queue=access if access is not None else open_queue(self.sqs, queue, embedded=True),
            function_name=fn.name,
            function_arn=fn.arn,
            invoke=invoke,
            ledger=self.ledger,
            region=REGION,
            config=SqsMappingConfig(**config),
            invocation_duration=invocation_duration,
            function_timeout=fn.timeout,
        )
        self.mappings.append(mapping)
        return mapping

    # -- what happened --------------------------------------------------------------------
    def events(self, function: str | None = None) -> list[dict[str, Any]]:
        """Events as the handlers received them, in invocation order."""
        return [event for name, _, event in esm_shared.EVENTS if function in (None, name)]

    def batches(self, function: str | None = None) -> list[list[str]]:
        """The bodies of each event's records, in invocation order."""
        return [[r["body"] for r in event["Records"]] for event in self.events(function)]

    def delivered(self, mapping: SqsEventSourceMapping) -> list[str]:
        """Bodies the function processed successfully and the mapping deleted, in order."""
        events = {request_id: event for _, request_id, event in esm_shared.EVENTS}
        out: list[str] = []
        for batch in mapping.batches:
            if batch.outcome in ("success", "partial"):
                failed = set(batch.failed_ids)
                out += [
                    r["body"]
                    for r in events[batch.request_id]["Records"]
                    if r["messageId"] not in failed
                ]
        return out

    def check_event(self, event: Any) -> None:
        assert_sqs_event(event)


@pytest.fixture(scope="module")
def embedded_backend() -> Iterator[EmbeddedBackend]:
    """One embedded backend per test module (one can be active per process), reset per test."""
    backend = EmbeddedBackend(seed=SEED, account_id=ACCOUNT, region=REGION)
    backend.start()
    try:
        yield backend
    finally:
        backend.stop()


@pytest.fixture
def sqs_lab(
    embedded_backend: EmbeddedBackend, clock: Clock, runtime: LambdaRuntime
) -> Iterator[SqsLab]:
    """The lab with no queues, process time bound to the clock; balanced at teardown.

    Only moto's SQS state is reset between tests: a whole backend reset costs about a second
    (moto rebuilds IAM's managed policies for every partition on the next request)."""
    from moto.sqs.models import sqs_backends

    sqs_backends[ACCOUNT][REGION].reset()
    with ProcessTime(clock):
        world = SqsLab(clock, embedded_backend, runtime)
        yield world
        world.assert_balanced()
