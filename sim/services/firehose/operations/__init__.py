"""One module per AWS Firehose operation, named after it: ``PutRecordBatch`` is
``put_record_batch.py``. Each has ``run(call, request) -> dict``, run under the backend lock
with the request already checked against botocore's model (:mod:`..validation`) and its blobs
decoded to bytes. Timestamps in responses are :class:`EpochSeconds`.
"""

from __future__ import annotations

import importlib
import re
from functools import lru_cache
from types import ModuleType

from sim.services.firehose.exceptions import NotSimulatedException

SIMULATED = frozenset(
    {
        "CreateDeliveryStream",
        "DeleteDeliveryStream",
        "DescribeDeliveryStream",
        "ListDeliveryStreams",
        "ListTagsForDeliveryStream",
        "PutRecord",
        "PutRecordBatch",
        "TagDeliveryStream",
        "UntagDeliveryStream",
    }
)


class EpochSeconds(float):
    """A timestamp member of a response (epoch seconds)."""

    __slots__ = ()


def module_name(operation: str) -> str:
    return re.sub(r"(?<!^)(?=[A-Z])", "_", operation).lower()


def find_operation(operation: str) -> ModuleType | None:
    if operation not in SIMULATED:
        return None
    module = importlib.import_module(f"{__name__}.{module_name(operation)}")
    module.NAME = operation
    return module


@lru_cache(maxsize=1)
def aws_operations() -> frozenset[str]:
    from sim.services.firehose.validation import model

    return frozenset(model().operation_names)


def not_simulated(operation: str) -> NotSimulatedException:
    return NotSimulatedException(
        f"streamlab's Firehose does not simulate {operation} (Firehose_20150804.{operation}); "
        f"simulated operations: {', '.join(sorted(SIMULATED))}."
    )
