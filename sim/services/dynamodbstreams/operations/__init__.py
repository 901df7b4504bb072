"""One module per DynamoDB Streams operation, named after it: ``GetRecords`` is ``get_records.py``.

Every module declares ``INPUT`` (its table for :mod:`sim.services.dynamodbstreams.validation`)
and ``run(call, request) -> dict``, which does the operation under the backend lock with the
checked request; ``call`` carries the backend and the request's single clock reading
(:class:`sim.services.dynamodbstreams.backend.Call`). Responses are plain dicts in AWS's member
names, ready for JSON (timestamps as epoch-second numbers).
"""

from __future__ import annotations

import importlib
import re
from functools import partial
from types import ModuleType

from sim.services.dynamodbstreams.validation import check

# Every operation of the DynamoDB Streams API (botocore's dynamodbstreams 2012-08-10 model).
OPERATIONS = frozenset({"DescribeStream", "GetRecords", "GetShardIterator", "ListStreams"})

_modules: dict[str, ModuleType] = {}


def module_name(operation: str) -> str:
    """``GetShardIterator`` -> ``get_shard_iterator``."""
    return re.sub(r"(?<!^)(?=[A-Z])", "_", operation).lower()


def is_aws_operation(operation: str) -> bool:
    return operation in OPERATIONS


def find_operation(operation: str) -> ModuleType:
    """The module of an operation, with its ``check(data)``."""
    module = _modules.get(operation)
    if module is None:
        module = importlib.import_module(f"{__name__}.{module_name(operation)}")
        module.check = partial(check, module.INPUT)
        _modules[operation] = module
    return module
