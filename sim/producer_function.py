"""Drives a producer whose target is a function: each send invokes it synchronously.

A producer with ``target: {function: F}`` plays a client calling Lambda (an ingestion API, the
OpenAQ labs' "Lambda that receives measurements"): every ``batch`` records become one
RequestResponse invocation of F. The event is the record's JSON document (``batch: 1``) or a
JSON list of the records' documents, so the records must be JSON.

What the invocation answers goes into the ledger, hop ``producer P`` → ``function F``:

* a response ``{"accepted": N, "rejected": [{"index": i, "reason": "..."}, ...]}`` (the
  contract of ``consumers/openaq_ingest.py``): the rejected records are reported refused with
  the reason (``rejected by F: <reason>``), the others accepted;
* any other successful response: every record accepted;
* a function error or timeout, or a throttle (``TooManyRequestsException``): the records are
  sent again with the same backoff as a refused put (:mod:`sim.producer_driver`), until their
  time-to-live, then reported refused with the error (``Unhandled: <errorType>``).

On the embedded backend and LocalStack streamlab runs the functions, and the driver invokes
them through its runtime; on AWS, through Lambda's Invoke API.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from sim.producer_driver import ProducerDriver, _Pending
from sim.producer_registry import ProducerError

THROTTLED = "TooManyRequestsException"
# A failed invocation (the function's error or timeout) is retried like a throttled put: the
# function may recover (a database back up, a fault's window over); it is given up at the
# record's time-to-live.
FUNCTION_ERROR = "Unhandled"


@dataclass
class Invocation:
    """What a synchronous invoke answered: ``error`` None, or THROTTLED or FUNCTION_ERROR (with
    ``error_type``, the handler's ``errorType``); ``payload`` the decoded response."""

    error: str | None
    payload: Any = None
    error_type: str = ""


class RecordNotJson(ProducerError):
    """A record for a function target that is not a JSON document."""


@dataclass
class FunctionTargetDriver(ProducerDriver):
    function: str = ""
    invoke: Callable[[str, bytes], Invocation] | None = None
    rejected: dict[str, int] = field(default_factory=dict)  # by reason

    def __post_init__(self) -> None:
        super().__post_init__()
        self._target = f"function {self.function}"

    def _send_one(self, pending: _Pending) -> bool:
        return self._send_chunk([self.backlog[0]])

    def _send_chunk(self, chunk: list[_Pending]) -> bool:
        assert self.invoke is not None
        self._count_call(chunk)
        documents = [self._document(pending) for pending in chunk]
        body = documents[0] if self.batch == 1 else documents
        answer = self.invoke(self.function, json.dumps(body, ensure_ascii=False).encode())
        if answer.error is not None:
            code = answer.error
            if code == FUNCTION_ERROR and answer.error_type:
                code = f"{FUNCTION_ERROR}: {answer.error_type}"
            for pending in chunk:
                self.refused_records += 1
                pending.refusals += 1
                pending.error = self._last_error = code
            return True  # all of them wait for a retry at the front of the backlog
        for _ in chunk:
            self.backlog.popleft()
        rejected = self._rejections(answer.payload, len(chunk))
        for reason in rejected.values():
            self.ledger.record_refused(self.name, f"rejected by {self.function}: {reason}")
            self.rejected[reason] = self.rejected.get(reason, 0) + 1
        accepted = len(chunk) - len(rejected)
        if accepted:
            self.ledger.record_accepted(self.name, self._target, accepted)
        return False

    def _document(self, pending: _Pending) -> Any:
        try:
            return json.loads(pending.record.data)
        except ValueError as error:
            raise RecordNotJson(
                f"producer {self.name}: a function target takes JSON records; a record is not "
                f"JSON ({error}): {pending.record.data[:80]!r}"
            ) from None

    @staticmethod
    def _rejections(payload: Any, sent: int) -> dict[int, str]:
        """index → reason, from a response following the contract (else nothing rejected)."""
        if not isinstance(payload, dict) or not isinstance(payload.get("rejected"), list):
            return {}
        rejected = {}
        for entry in payload["rejected"]:
            if not isinstance(entry, dict):
                continue
            index, reason = entry.get("index"), entry.get("reason")
            if isinstance(index, int) and 0 <= index < sent:
                rejected[index] = str(reason or "rejected")
        return rejected


def runtime_invoker(runtime: Any, producer: str) -> Callable[[str, bytes], Invocation]:
    """Invoke through streamlab's Lambda runtime (embedded backend, LocalStack, endpoints)."""
    from sim.services.lambda_.exceptions import TooManyRequestsException

    def invoke(function: str, payload: bytes) -> Invocation:
        try:
            result = runtime.invoke(function, payload, source=f"producer:{producer}")
        except TooManyRequestsException:
            return Invocation(THROTTLED)
        if result.function_error:
            body = result.payload if isinstance(result.payload, dict) else {}
            return Invocation(FUNCTION_ERROR, body, str(body.get("errorType") or result.outcome))
        return Invocation(None, result.payload)

    return invoke


def api_invoker(client: Any) -> Callable[[str, bytes], Invocation]:
    """Invoke through Lambda's Invoke API (AWS, where AWS Lambda runs the functions)."""
    from botocore.exceptions import ClientError

    def invoke(function: str, payload: bytes) -> Invocation:
        try:
            response = client.invoke(FunctionName=function, Payload=payload)
        except ClientError as error:
            if error.response["Error"]["Code"] == THROTTLED:
                return Invocation(THROTTLED)
            raise
        raw = response["Payload"].read()
        try:
            body = json.loads(raw) if raw else None
        except ValueError:
            body = None
        if response.get("FunctionError"):
            details = body if isinstance(body, dict) else {}
            return Invocation(FUNCTION_ERROR, details, str(details.get("errorType") or ""))
        return Invocation(None, body)

    return invoke
