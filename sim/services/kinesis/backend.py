"""The Kinesis backend of one account and region: streams, the lock, listeners, fault hooks.

Operations (``operations/<operation>.py``) do the work; the backend runs each of them under one
``threading.RLock`` (:meth:`KinesisBackend.execute`) with one reading of the clock, so a request
sees a single instant and an HTTP server thread and the simulation thread can both use it.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable
from typing import Any

from sim.services.kinesis import limits
from sim.services.kinesis.exceptions import (
    DryRunOperationException,
    InvalidArgumentException,
    ResourceNotFoundException,
    stream_not_found,
)
from sim.services.kinesis.models import PutFault, Shard, Stream

log = logging.getLogger(__name__)

PutListener = Callable[[Stream, Shard], None]


def _partition(region: str) -> str:
    if region.startswith("cn-"):
        return "aws-cn"
    if region.startswith("us-gov-"):
        return "aws-us-gov"
    return "aws"


class Call:
    """One request being served: the backend, the clock reading, and the shards it wrote."""

    __slots__ = ("backend", "now", "touched")

    def __init__(self, backend: KinesisBackend, now: float) -> None:
        self.backend = backend
        self.now = now
        self.touched: dict[int, tuple[Stream, Shard]] = {}

    @property
    def account_id(self) -> str:
        return self.backend.account_id

    def stream(self, request: dict, *, name_key: str = "StreamName") -> Stream:
        """The stream a request names by ``StreamName`` and/or ``StreamARN``, maintained."""
        stream = self.backend._resolve(request.get(name_key), request.get("StreamARN"))
        stream.maintain(self.now)
        return stream

    def wrote(self, stream: Stream, shard: Shard) -> None:
        self.touched[id(shard)] = (stream, shard)


class KinesisBackend:
    """Streams of one account in one region, and the hooks the simulator uses."""

    def __init__(
        self,
        account_id: str,
        region: str,
        now: Callable[[], float] | None = None,
        *,
        shard_limit: int | None = None,
        on_demand_stream_limit: int = limits.ON_DEMAND_STREAM_LIMIT,
    ) -> None:
        self.account_id = account_id
        self.region = region
        self.partition = _partition(region)
        # never cache wall time: time.time is the simulated clock under time-machine
        self.now: Callable[[], float] = now if now is not None else (lambda: time.time())
        self.shard_limit = (
            shard_limit
            if shard_limit is not None
            else (
                limits.SHARD_LIMIT_LARGE
                if region in limits.SHARD_LIMIT_LARGE_REGIONS
                else limits.SHARD_LIMIT_OTHER
            )
        )
        self.on_demand_stream_limit = on_demand_stream_limit
        self.lock = threading.RLock()
        self._streams: dict[str, Stream] = {}
        self._serial = 0
        self._listeners: list[PutListener] = []
        self.listener_errors: list[BaseException] = []

    # -- the Python API used by the simulator (stable) -------------------------------------
    def get_stream(self, name_or_arn: str) -> Stream:
        """The stream with this name or ARN; :class:`ResourceNotFoundException` if none."""
        with self.lock:
            if name_or_arn.startswith("arn:"):
                return self._resolve(None, name_or_arn)
            return self._resolve(name_or_arn, None)

    def stream_names(self) -> list[str]:
        with self.lock:
            return sorted(self._streams)

    def throttle(self, name_or_arn: str, until: float) -> None:
        """Fault injection: puts to the stream fail with ProvisionedThroughputExceededException
        until simulated time ``until`` (PutRecord raises; PutRecords fails every entry)."""
        with self.lock:
            self.get_stream(name_or_arn).throttled_until = until

    def set_put_fault(self, name_or_arn: str, fault: PutFault | None) -> None:
        """Fault injection: ``fault.refusals(now, entries)`` chooses, for every later put to
        the stream, which records fail with ProvisionedThroughputExceededException (PutRecord
        raises; PutRecords answers 200 with ``FailedRecordCount`` and the failed entries).
        Refused records use none of the shard's throughput. ``None`` removes the fault; the
        stream forgets it when deleted or reset."""
        with self.lock:
            self.get_stream(name_or_arn).put_fault = fault

    def add_put_listener(self, callback: PutListener) -> None:
        """Call ``callback(stream, shard)`` after records are appended to ``shard``.

        Called once per shard written by a request, after the request's work is done and
        **outside** the backend lock, in the thread that made the request. A callback that
        raises is logged and kept in :attr:`listener_errors`; the put still succeeds.
        """
        with self.lock:
            self._listeners.append(callback)

    def remove_put_listener(self, callback: PutListener) -> None:
        with self.lock:
            self._listeners.remove(callback)

    def invoke(self, operation: str, params: dict[str, Any]) -> dict[str, Any] | None:
        """Run an AWS operation by name with Python values (bytes blobs, epoch-second floats).

        Input is checked exactly as on the wire; errors are raised as AWS-named exceptions.
        """
        from sim.services.kinesis.operations import find_operation

        module = find_operation(operation)
        if module is None:
            from sim.services.kinesis.operations import not_simulated

            raise not_simulated(operation)
        return self.execute(module, module.CHECK(params))

    def reset(self) -> None:
        """Forget every stream (listeners stay registered)."""
        with self.lock:
            for stream in self._streams.values():
                stream.deleted = True
            self._streams.clear()
            self.listener_errors.clear()

    # -- running operations -----------------------------------------------------------------
    def execute(self, module: Any, request: dict[str, Any]) -> dict[str, Any] | None:
        """Run an operation module's ``run`` on a checked request, under the lock."""
        if request.get("DryRun"):
            raise DryRunOperationException(
                "The request would have succeeded, but the DryRun flag is set."
            )
        with self.lock:
            call = Call(self, self.now())
            result = module.run(call, request)
        if call.touched and self._listeners:
            self._notify(call.touched.values())
        return result

    def _notify(self, touched: Any) -> None:
        listeners = list(self._listeners)
        for stream, shard in touched:
            for listener in listeners:
                try:
                    listener(stream, shard)
                except Exception as exc:  # keep the put; report the listener's failure
                    log.exception("Kinesis put listener %r failed", listener)
                    self.listener_errors.append(exc)

    # -- helpers for operations (under the lock) ---------------------------------------------
    def arn_for(self, name: str) -> str:
        return f"arn:{self.partition}:kinesis:{self.region}:{self.account_id}:stream/{name}"

    def streams(self) -> list[Stream]:
        return [self._streams[name] for name in sorted(self._streams)]

    def lookup(self, name: str) -> Stream | None:
        return self._streams.get(name)

    def add_stream(self, **kwargs: Any) -> Stream:
        self._serial += 1
        stream = Stream(
            arn=self.arn_for(kwargs["name"]),
            serial=self._serial,
            lock=self.lock,
            clock=self.now,
            **kwargs,
        )
        self._streams[stream.name] = stream
        return stream

    def remove_stream(self, stream: Stream) -> None:
        stream.deleted = True
        stream.status = "DELETING"
        del self._streams[stream.name]

    def open_shard_count(self) -> int:
        return sum(len(stream.open()) for stream in self._streams.values())

    def on_demand_stream_count(self) -> int:
        return sum(1 for stream in self._streams.values() if stream.mode == "ON_DEMAND")

    def _resolve(self, name: str | None, arn: str | None) -> Stream:
        if arn is not None:
            arn_name = self._name_from_arn(arn)
            if name is not None and name != arn_name:
                raise InvalidArgumentException(
                    f"StreamARN {arn} and StreamName {name} do not refer to the same stream."
                )
            stream = self._streams.get(arn_name) if arn == self.arn_for(arn_name) else None
            if stream is None:
                raise stream_not_found(arn_name, self._account_of(arn))
            return stream
        if name is None:
            raise InvalidArgumentException("Either StreamName or StreamARN should be provided.")
        stream = self._streams.get(name)
        if stream is None:
            raise stream_not_found(name, self.account_id)
        return stream

    @staticmethod
    def _name_from_arn(arn: str) -> str:
        _, _, resource = arn.partition(":stream/")
        return resource.split("/", 1)[0]

    def _account_of(self, arn: str) -> str:
        pieces = arn.split(":")
        return pieces[4] if len(pieces) > 5 and pieces[4] else self.account_id


__all__ = ["Call", "KinesisBackend", "ResourceNotFoundException"]
