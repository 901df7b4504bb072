"""One module per AWS Kinesis operation, named after it: ``PutRecords`` is ``put_records.py``.

Every module declares ``INPUT`` (its declarative input table, see
:mod:`sim.services.kinesis.validation`) and ``run(call, request) -> dict | None``, which does the
operation under the backend lock with the checked request; ``call`` carries the backend and the
request's single clock reading (:class:`sim.services.kinesis.backend.Call`).

Responses are plain dicts in AWS's member names. Blobs are ``bytes`` and timestamps are
:class:`EpochSeconds`, so the wire codec can write each protocol's form (base64 and epoch
seconds in JSON; byte strings and tag-1 epoch milliseconds in CBOR). GetRecords hands back its
records as a :class:`RecordList` so that the codec writes them without building dicts.
"""

from __future__ import annotations

import importlib
import re
from functools import lru_cache
from types import ModuleType

from sim.services.kinesis.exceptions import NotSimulatedException
from sim.services.kinesis.validation import Checker

SIMULATED = frozenset(
    {
        "AddTagsToStream",
        "CreateStream",
        "DecreaseStreamRetentionPeriod",
        "DeleteStream",
        "DescribeLimits",
        "DescribeStream",
        "DescribeStreamSummary",
        "GetRecords",
        "GetShardIterator",
        "IncreaseStreamRetentionPeriod",
        "ListShards",
        "ListStreams",
        "ListTagsForResource",
        "ListTagsForStream",
        "MergeShards",
        "PutRecord",
        "PutRecords",
        "RemoveTagsFromStream",
        "SplitShard",
        "StartStreamEncryption",
        "StopStreamEncryption",
        "TagResource",
        "UntagResource",
        "UpdateMaxRecordSize",
        "UpdateShardCount",
        "UpdateStreamMode",
    }
)


class EpochSeconds(float):
    """A timestamp member of a response (epoch seconds, millisecond precision)."""

    __slots__ = ()


class RecordList(list):
    """GetRecords' ``Records``: stored :class:`~sim.services.kinesis.models.Record` objects,
    which the wire codec writes straight to each protocol's ``Record`` shape."""

    __slots__ = ()


def record_shape(record) -> dict:
    """One stored record as AWS's ``Record`` structure (blob as bytes)."""
    out = {
        "SequenceNumber": record.sequence_number,
        "ApproximateArrivalTimestamp": EpochSeconds(round(record.arrival, 3)),
        "Data": record.data,
        "PartitionKey": record.partition_key,
    }
    if record.encryption_type != "NONE":
        out["EncryptionType"] = record.encryption_type
    return out


def module_name(operation: str) -> str:
    """``PutRecords`` -> ``put_records``."""
    return re.sub(r"(?<!^)(?=[A-Z])", "_", operation).lower()


_modules: dict[str, ModuleType] = {}


def find_operation(operation: str) -> ModuleType | None:
    """The module of a simulated operation (with its compiled ``CHECK``), or None."""
    module = _modules.get(operation)
    if module is not None:
        return module
    if operation not in SIMULATED:
        return None
    module = importlib.import_module(f"{__name__}.{module_name(operation)}")
    if not hasattr(module, "CHECK"):
        module.CHECK = Checker(module.INPUT)
    module.NAME = operation
    _modules[operation] = module
    return module


@lru_cache(maxsize=1)
def aws_operations() -> frozenset[str]:
    """Every operation of AWS's Kinesis API, per botocore's service model."""
    import botocore.session

    model = botocore.session.get_session().get_service_model("kinesis")
    return frozenset(model.operation_names)


def is_aws_operation(operation: str) -> bool:
    return operation in SIMULATED or operation in aws_operations()


def not_simulated(operation: str) -> NotSimulatedException:
    return NotSimulatedException(
        f"streamlab's Kinesis does not simulate {operation} "
        f"(Kinesis_20131202.{operation}); simulated operations: {', '.join(sorted(SIMULATED))}."
    )
