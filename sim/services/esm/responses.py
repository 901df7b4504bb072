"""What a stream mapping makes of a function's response: partial batch failures
(``ReportBatchItemFailures``) and a tumbling window's ``state``.

Partial batch responses, as Lambda reads them
(https://docs.aws.amazon.com/lambda/latest/dg/services-kinesis-batchfailurereporting.html,
aws-semantics §2):

* complete success: a null or empty response, or a null or empty ``batchItemFailures`` list;
* complete failure: an ``itemIdentifier`` that is null, an empty string, or missing (an entry
  with a wrongly named key), and (streamlab) an identifier that names no record of the batch or
  a ``batchItemFailures`` that is not a list of objects;
* otherwise the checkpoint is the lowest sequence number listed: every record from there on is
  retried, those after it that had succeeded included.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

from sim.services.esm import limits

REPORT_BATCH_ITEM_FAILURES = "ReportBatchItemFailures"


@dataclass(frozen=True)
class PartialResult:
    """``failed_from``: the batch index of the first record to retry (None: all succeeded);
    ``invalid``: why the response made the whole batch fail (None when it is valid)."""

    failed_from: int | None = None
    invalid: str | None = None


def partial_result(payload: Any, sequence_numbers: list[str]) -> PartialResult:
    """Read a ``batchItemFailures`` response against the batch's sequence numbers (in order)."""
    if payload is None or payload == {} or payload == "":
        return PartialResult()
    if not isinstance(payload, dict):
        return PartialResult()  # a response that is not an object carries no failures
    failures = payload.get("batchItemFailures")
    if failures is None or failures == []:
        return PartialResult()
    if not isinstance(failures, list):
        return PartialResult(invalid="batchItemFailures is not a list")
    position = {number: index for index, number in enumerate(sequence_numbers)}
    lowest: int | None = None
    for entry in failures:
        if not isinstance(entry, dict):
            return PartialResult(invalid="a batchItemFailures entry is not an object")
        identifier = entry.get("itemIdentifier")
        if identifier is None or identifier == "":
            return PartialResult(invalid="an itemIdentifier is null, empty or missing")
        index = position.get(str(identifier))
        if index is None:
            return PartialResult(invalid=f"itemIdentifier {identifier!r} is not in the batch")
        lowest = index if lowest is None else min(lowest, index)
    return PartialResult(failed_from=lowest)


@dataclass(frozen=True)
class WindowResult:
    """A tumbling window invocation's response: the ``state`` to carry, or why it failed."""

    state: Any = None
    missing: bool = False  # no ``state`` property: the invocation counts as failed
    too_large: bool = False  # above the 1 MB state limit: the window ends early


def window_result(payload: Any) -> WindowResult:
    """Every invocation in a window must return a ``state`` property
    (https://docs.aws.amazon.com/lambda/latest/dg/services-kinesis-windows.html)."""
    if not isinstance(payload, dict) or "state" not in payload:
        return WindowResult(missing=True)
    state = payload["state"]
    size = len(json.dumps(state, separators=(",", ":")).encode())
    return WindowResult(state=state, too_large=size > limits.WINDOW_STATE_MAX_BYTES)
