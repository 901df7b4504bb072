"""The invocation log: one :class:`InvocationRecord` per invocation, and the result ``invoke``
returns.

Records are what the report and ``--export`` read. ``to_json(include_timing=False)`` leaves out
everything measured in wall-clock time (durations, billed duration, memory, and the ``REPORT`` log
line that carries them), so two runs with the same seed export byte-identical records.
"""

from __future__ import annotations

import base64
import json
from dataclasses import dataclass, field
from typing import Any, Literal

Outcome = Literal["success", "error", "timeout"]


@dataclass(slots=True, eq=False)
class InvocationRecord:
    """One invocation, as the simulator saw it.

    ``started_at`` is simulated time (epoch seconds) when the invocation began. ``payload`` is the
    response document (the handler's return value after the JSON round trip, or the error / timeout
    document). ``error`` is ``None`` on success, else the error document plus ``traceback``
    (Python's full rendering, chained causes included) for exceptions from user code.
    ``exception`` holds the exception object itself (never serialised).
    """

    request_id: str
    function_name: str
    started_at: float
    outcome: Outcome
    payload: Any
    error: dict[str, Any] | None
    cold_start: bool
    source: str | None
    duration_ms: float
    billed_duration_ms: int
    init_duration_ms: float | None
    max_memory_used_mb: int
    memory_size_mb: int
    log_head: str = field(repr=False)
    log_report: str = field(repr=False)
    log_tail: str = field(repr=False)
    exception: BaseException | None = field(default=None, repr=False)
    log_stream_name: str = ""  # the execution environment's CloudWatch Logs stream

    @property
    def logs(self) -> str:
        """The invocation's log: init output (cold start), START … END, REPORT, and after
        REPORT the timeout line if it timed out."""
        return self.log_head + self.log_report + self.log_tail

    @property
    def function_error(self) -> str | None:
        """``X-Amz-Function-Error`` as Invoke reports it: ``"Unhandled"`` or ``None``."""
        return None if self.outcome == "success" else "Unhandled"

    def to_dict(self, *, include_timing: bool = True) -> dict[str, Any]:
        payload = self.payload
        if isinstance(payload, bytes | bytearray):
            payload = {"base64": base64.b64encode(payload).decode("ascii")}
        data: dict[str, Any] = {
            "request_id": self.request_id,
            "function_name": self.function_name,
            "source": self.source,
            "started_at": self.started_at,
            "outcome": self.outcome,
            "cold_start": self.cold_start,
            "payload": payload,
            "error": self.error,
        }
        if include_timing:
            data["duration_ms"] = self.duration_ms
            data["billed_duration_ms"] = self.billed_duration_ms
            data["init_duration_ms"] = self.init_duration_ms
            data["max_memory_used_mb"] = self.max_memory_used_mb
            data["logs"] = self.logs
        else:
            data["logs"] = self.log_head + self.log_tail
        return data

    def to_json(self, *, include_timing: bool = True) -> str:
        """Deterministic JSON (sorted keys, compact). With ``include_timing=False`` nothing
        measured in wall-clock time is included."""
        return json.dumps(
            self.to_dict(include_timing=include_timing),
            sort_keys=True,
            separators=(",", ":"),
            allow_nan=True,
            default=repr,
        )


@dataclass(slots=True, eq=False)
class InvocationResult:
    """What a synchronous (RequestResponse) Invoke returns.

    ``status_code`` is 200 for every invocation that reached the function (function errors
    included, as on AWS); ``function_error`` is ``"Unhandled"`` for errors and timeouts.
    """

    record: InvocationRecord
    status_code: int = 200
    executed_version: str = "$LATEST"

    @property
    def payload(self) -> Any:
        return self.record.payload

    @property
    def function_error(self) -> str | None:
        return self.record.function_error

    @property
    def request_id(self) -> str:
        return self.record.request_id

    @property
    def outcome(self) -> Outcome:
        return self.record.outcome

    @property
    def error(self) -> dict[str, Any] | None:
        return self.record.error

    @property
    def logs(self) -> str:
        return self.record.logs

    @property
    def cold_start(self) -> bool:
        return self.record.cold_start

    @property
    def exception(self) -> BaseException | None:
        return self.record.exception
