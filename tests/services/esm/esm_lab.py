"""The world of the Kinesis event source mapping tests: real parts only.

A :class:`sim.clock.Clock`, streamlab's Kinesis store (``KinesisService`` on that clock), a real
``LambdaRuntime`` running the handler modules in ``handlers/`` and a ``sim.ledger.Ledger``. Records
are put through the store's operations (``backend.invoke("PutRecords", ...)``) with the clock
advanced in between, so arrival times are simulated times.

Handler modules live in ``handlers/`` as real files, put on ``sys.path`` here (the test tree has
no ``__init__.py``); their names start with ``esm_`` so they cannot shadow anything. They record
the events they receive in ``esm_shared`` (a normal shared import).
"""

from __future__ import annotations

import base64
import json
import os
import sys
from typing import Any

HANDLERS = os.path.join(os.path.dirname(os.path.abspath(__file__)), "handlers")
if HANDLERS not in sys.path:
    sys.path.insert(0, HANDLERS)

import esm_shared  # noqa: E402
from esm_clock_lab import T0, ClockLab  # noqa: E402, F401 (T0: the tests import it from here)

from sim.clock import Clock  # noqa: E402
from sim.services.esm import KinesisEventSourceMapping, KinesisMappingConfig  # noqa: E402
from sim.services.kinesis import KinesisService  # noqa: E402
from sim.services.lambda_ import LambdaRuntime  # noqa: E402
from tests.esm_fidelity import assert_kinesis_event, assert_kinesis_window_event  # noqa: E402

ACCOUNT = "123456789012"
REGION = "us-east-1"


class Lab(ClockLab):
    """One test's world: clock, Kinesis, Lambda runtime and ledger, with helpers.

    Times given to the helpers are seconds after ``T0``.
    """

    def __init__(self, clock: Clock, kinesis: KinesisService, runtime: LambdaRuntime) -> None:
        super().__init__(clock, runtime)
        self.kinesis = kinesis
        self.backend = kinesis.backend

    # -- Kinesis --------------------------------------------------------------------------
    def create_stream(self, name: str = "s", shards: int = 1) -> None:
        self.backend.invoke("CreateStream", {"StreamName": name, "ShardCount": shards})

    def shard_ids(self, stream: str = "s") -> list[str]:
        return [shard.shard_id for shard in self.backend.get_stream(stream).shards]

    def hash_key(self, shard_id: str, stream: str = "s") -> str:
        """An explicit hash key routing to ``shard_id`` (an open shard)."""
        shard = self.backend.get_stream(stream).shard(shard_id)
        assert shard is not None and not shard.is_closed
        return str(shard.hash_key_range[0])

    def put(
        self,
        *data: bytes | str,
        stream: str = "s",
        key: str = "k",
        keys: list[str] | None = None,
        shard: str | None = None,
        at: float | None = None,
    ) -> list[dict[str, Any]]:
        """Put records (one PutRecords per 500), after running the clock to ``at`` if given.

        Returns the result entries (``SequenceNumber``, ``ShardId``); every record must be
        accepted.
        """
        if at is not None:
            self.run(at)
        entries = []
        for i, item in enumerate(data):
            entry: dict[str, Any] = {
                "Data": item.encode() if isinstance(item, str) else item,
                "PartitionKey": keys[i] if keys is not None else key,
            }
            if shard is not None:
                entry["ExplicitHashKey"] = self.hash_key(shard, stream)
            entries.append(entry)
        results: list[dict[str, Any]] = []
        for start in range(0, len(entries), 500):
            answer = self.backend.invoke(
                "PutRecords", {"StreamName": stream, "Records": entries[start : start + 500]}
            )
            assert answer is not None and answer["FailedRecordCount"] == 0, answer
            results += answer["Records"]
        return results

    def reshard(self, operation: str, stream: str = "s", **params: Any) -> None:
        self.backend.invoke(operation, {"StreamName": stream, **params})

    # -- Lambda and the mapping -------------------------------------------------------------
    def mapping(
        self,
        function: str = "consumer",
        handler: str = "esm_recorder:handler",
        stream: str = "s",
        *,
        timeout: int = 3,
        env: dict[str, str] | None = None,
        role_arn: str | None = None,
        encode_events: bool = True,
        store: Any = None,
        destination_client: Any = None,
        invocation_duration: float = 0.0,
        **config: Any,
    ) -> KinesisEventSourceMapping:
        """A mapping from ``stream`` to ``function`` (created with ``handler`` if new);
        ``config`` holds KinesisMappingConfig fields (default TRIM_HORIZON). ``store`` is
        what the mapping reads (default: the shard store itself)."""
        fn = self.function(function, handler, timeout, env, role_arn)
        runtime, source, captured = self.runtime, f"kinesis:{stream}", self.captured

        def invoke(event: Any) -> Any:
            captured.append(event)
            return runtime.invoke(fn.name, event, source=source)

        config.setdefault("starting_position", "TRIM_HORIZON")
        mapping = KinesisEventSourceMapping(
            uuid=f"uuid-{len(self.mappings)}",
            clock=self.clock,
            store=self.backend if store is None else store,
            stream_name=stream,
            function_name=fn.name,
            function_arn=fn.arn,
            invoke=invoke,
            ledger=self.ledger,
            role_arn=fn.role_arn or "",
            region=REGION,
            config=KinesisMappingConfig(**config),
            encode_events=encode_events,
            destination_client=destination_client,
            invocation_duration=invocation_duration,
        )
        self.mappings.append(mapping)
        return mapping

    # -- what happened --------------------------------------------------------------------
    def events(self, function: str | None = None) -> list[dict[str, Any]]:
        """Events as the handlers received them, in invocation order."""
        return [event for name, _, event in esm_shared.EVENTS if function in (None, name)]

    def batches(self, function: str | None = None) -> list[list[bytes]]:
        """The data of each event's records, decoded, in invocation order."""
        return [data_of(event) for event in self.events(function)]

    def delivered(self, mapping: KinesisEventSourceMapping) -> list[bytes]:
        """The data of the records of the mapping's successful invocations, in order."""
        events = {request_id: event for _, request_id, event in esm_shared.EVENTS}
        out: list[bytes] = []
        for batch in mapping.batches:
            if batch.outcome == "success":
                out += data_of(events[batch.request_id])
        return out

    def check_event(self, event: Any) -> None:
        document = json.loads(event) if isinstance(event, bytes) else event
        if "window" in document:
            assert_kinesis_window_event(document)
        else:
            assert_kinesis_event(document)


def data_of(event: dict[str, Any]) -> list[bytes]:
    return [base64.b64decode(record["kinesis"]["data"]) for record in event["Records"]]
