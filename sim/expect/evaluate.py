"""Evaluating a scenario's expectations against the backend after a run."""

from __future__ import annotations

import json
import math
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from sim.expect.values import deserialize_item, scan_items, serialize_item, serialize_value
from sim.ledger import Ledger

COMPARISONS = ("equals", "at_least", "at_most", "between", "each_between", "not_equals")


@dataclass
class ExpectContext:
    """What checks may look at: the backend's clients, the ledger, the invocation log."""

    client: Callable[[str], Any]
    ledger: Ledger
    invocations: list[Any] = field(default_factory=list)
    stream_count: Callable[[str], int] | None = None
    # Athena tables (TableDefs or DDL text) for ``athena`` checks; None: the scenario's
    # ``athena`` section, with ``{file:}`` entries read relative to ``scenario_dir``.
    athena_tables: list[Any] | None = None
    scenario_dir: str | None = None
    # The emails SNS delivered (dicts: to, subject, time, kind, …), for ``emails`` checks.
    outbox: Callable[[], list[dict[str, Any]]] | None = None
    # The run's databases by name (sim.database.Database), for ``sql`` checks.
    databases: dict[str, Any] = field(default_factory=dict)


@dataclass
class ExpectationResult:
    name: str
    kind: str
    comparison: str
    expected: Any
    actual: Any
    passed: bool
    error: str | None = None

    def to_dict(self) -> dict[str, Any]:
        return {
            "name": self.name,
            "kind": self.kind,
            "comparison": self.comparison,
            "expected": self.expected,
            "actual": self.actual,
            "passed": self.passed,
            "error": self.error,
        }


# -- checks ---------------------------------------------------------------------------------
def check_count(params: Any, ctx: ExpectContext) -> int:
    total = 0
    paginator = ctx.client("dynamodb").get_paginator("scan")
    for page in paginator.paginate(TableName=params.table, Select="COUNT"):
        total += page["Count"]
    return total


def check_duplicates(params: Any, ctx: ExpectContext) -> int:
    groups = Counter(
        json.dumps([item.get(attr) for attr in params.by], sort_keys=True, default=str)
        for item in scan_items(ctx.client("dynamodb"), params.table)
    )
    return sum(n - 1 for n in groups.values() if n > 1)


def check_item(params: Any, ctx: ExpectContext) -> Any:
    response = ctx.client("dynamodb").get_item(
        TableName=params.table, Key=serialize_item(params.key), ConsistentRead=True
    )
    if "Item" not in response:
        return None
    item = deserialize_item(response["Item"])
    return item.get(params.attribute) if params.attribute else item


def check_query(params: Any, ctx: ExpectContext) -> Any:
    client = ctx.client("dynamodb")
    kwargs: dict[str, Any] = {"TableName": params.table}
    if params.index:
        kwargs["IndexName"] = params.index
    if params.filter:
        kwargs["FilterExpression"] = params.filter
    if params.values:
        kwargs["ExpressionAttributeValues"] = {
            k: serialize_value(v) for k, v in params.values.items()
        }
    if params.names:
        kwargs["ExpressionAttributeNames"] = dict(params.names)
    operation = "scan"
    if params.key_condition:
        operation = "query"
        kwargs["KeyConditionExpression"] = params.key_condition
    items: list[dict[str, Any]] = []
    for page in client.get_paginator(operation).paginate(**kwargs):
        items.extend(deserialize_item(i) for i in page["Items"])
    return shape_result(items, params)


def shape_result(items: list[dict[str, Any]], params: Any) -> Any:
    """max_by/min_by, sort, project, distinct, limit: in that order."""
    single = False
    for attr, pick in ((params.max_by, max), (params.min_by, min)):
        if attr:
            candidates = [i for i in items if i.get(attr) is not None]
            items = [pick(candidates, key=lambda i: i[attr])] if candidates else []
            single = True
    if params.sort:
        attr = params.sort.lstrip("-")
        items = sorted(
            items,
            key=lambda i: (i.get(attr) is None, i.get(attr)),
            reverse=params.sort.startswith("-"),
        )
    values: list[Any] = items
    if isinstance(params.project, str):
        values = [i.get(params.project) for i in items]
    elif params.project:
        values = [{a: i.get(a) for a in params.project} for i in items]
    if params.distinct:
        seen: set[str] = set()
        unique = []
        for value in values:
            key = json.dumps(value, sort_keys=True, default=str)
            if key not in seen:
                seen.add(key)
                unique.append(value)
        values = unique
    if params.limit is not None:
        values = values[: params.limit]
    if single:
        return values[0] if values else None
    return values


def check_ledger(params: Any, ctx: ExpectContext) -> int:
    return ctx.ledger.totals()[params]


def check_stream(params: Any, ctx: ExpectContext) -> int:
    if ctx.stream_count is None:
        raise RuntimeError("counting stream records is not available on this backend")
    return ctx.stream_count(params.stream)


def check_objects(params: Any, ctx: ExpectContext) -> int:
    s3 = ctx.client("s3")
    total = 0
    for page in s3.get_paginator("list_objects_v2").paginate(
        Bucket=params.bucket, Prefix=params.prefix
    ):
        total += page.get("KeyCount", 0)
    return total


def check_messages(params: Any, ctx: ExpectContext) -> int:
    sqs = ctx.client("sqs")
    url = sqs.get_queue_url(QueueName=params.queue)["QueueUrl"]
    names = [
        "ApproximateNumberOfMessages",
        "ApproximateNumberOfMessagesNotVisible",
        "ApproximateNumberOfMessagesDelayed",
    ]
    attributes = sqs.get_queue_attributes(QueueUrl=url, AttributeNames=names)["Attributes"]
    return sum(int(attributes.get(name, 0)) for name in names)


def check_invocations(params: Any, ctx: ExpectContext) -> int:
    outcome = getattr(params, "outcome", "all") or "all"
    return sum(
        1
        for record in ctx.invocations
        if record.function_name == params.function
        and (outcome == "all" or record.outcome == outcome)
    )


def check_athena(params: Any, ctx: ExpectContext) -> Any:
    from sim.athena import S3Objects, query_objects

    tables = ctx.athena_tables
    if tables is None:
        tables = [table.definition(ctx.scenario_dir) for table in params._tables]
    return query_objects(S3Objects(ctx.client("s3")), tables, params.query).values()


def check_emails(params: Any, ctx: ExpectContext) -> Any:
    if ctx.outbox is None:
        raise RuntimeError("no email outbox to read (SNS email is simulated embedded)")
    emails = [
        email
        for email in ctx.outbox()
        if (params.to is None or email["to"] == params.to)
        and (params.kind == "all" or email["kind"] == params.kind)
        and (params.subject_contains is None or params.subject_contains in email["subject"])
    ]
    emails.sort(key=lambda email: email["time"])
    if params.field == "count":
        return len(emails)
    return [email[params.field] for email in emails]


def check_sql(params: Any, ctx: ExpectContext) -> Any:
    database = ctx.databases.get(params.database)
    if database is None:
        raise RuntimeError(f"no database {params.database!r} in this run")
    rows = database.query(params.query)
    return shape_rows(rows)


def shape_rows(rows: list[dict[str, Any]]) -> Any:
    """One row of one column: that value; one column: the list of its values; else the rows.
    Decimals read as numbers, date-times as ISO-8601 text (``YYYY-MM-DD HH:MM:SS[.ffffff]``)."""
    import datetime
    import decimal

    def plain(value: Any) -> Any:
        if isinstance(value, decimal.Decimal):
            return int(value) if value == value.to_integral_value() else float(value)
        if isinstance(value, datetime.datetime | datetime.date):
            return value.isoformat(sep=" ") if isinstance(value, datetime.datetime) else str(value)
        return value

    rows = [{key: plain(value) for key, value in row.items()} for row in rows]
    if rows and len(rows[0]) == 1:
        values = [next(iter(row.values())) for row in rows]
        return values[0] if len(values) == 1 else values
    return rows


CHECKS: dict[str, Callable[[Any, ExpectContext], Any]] = {
    "count": check_count,
    "duplicates": check_duplicates,
    "item": check_item,
    "query": check_query,
    "ledger": check_ledger,
    "stream": check_stream,
    "objects": check_objects,
    "messages": check_messages,
    "invocations": check_invocations,
    "athena": check_athena,
    "emails": check_emails,
    "sql": check_sql,
}


# -- comparing ------------------------------------------------------------------------------
def _equal(expected: Any, actual: Any) -> bool:
    if isinstance(expected, bool) or isinstance(actual, bool):
        return expected is actual or expected == actual and type(expected) is type(actual)
    if isinstance(expected, int | float) and isinstance(actual, int | float):
        return math.isclose(expected, actual, rel_tol=1e-9, abs_tol=1e-9)
    if isinstance(expected, dict) and isinstance(actual, dict):
        return expected.keys() == actual.keys() and all(
            _equal(v, actual[k]) for k, v in expected.items()
        )
    if isinstance(expected, list) and isinstance(actual, list):
        return len(expected) == len(actual) and all(map(_equal, expected, actual))
    return expected == actual


def _number(value: Any) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool)


def compare(comparison: str, expected: Any, actual: Any) -> bool:
    if comparison == "equals":
        return _equal(expected, actual)
    if comparison == "not_equals":
        return not _equal(expected, actual)
    if comparison == "each_between":
        low, high = expected
        return (
            isinstance(actual, list)
            and bool(actual)
            and all(_number(v) and low <= v <= high for v in actual)
        )
    if not isinstance(actual, int | float) or isinstance(actual, bool):
        return False
    if comparison == "at_least":
        return actual >= expected
    if comparison == "at_most":
        return actual <= expected
    low, high = expected
    return low <= actual <= high


def describe(kind: str, params: Any) -> str:
    if isinstance(params, str):
        return f"{kind} {params}"
    if kind in ("athena", "sql"):
        query = " ".join(params.query.split())
        return f"{kind} {query[:57]}…" if len(query) > 60 else f"{kind} {query}"
    target = (
        getattr(params, "table", None)
        or getattr(params, "stream", None)
        or getattr(params, "function", None)
        or getattr(params, "bucket", None)
        or getattr(params, "to", None)
    )
    return f"{kind} {target}" if target else kind


def evaluate(spec: Any, ctx: ExpectContext) -> ExpectationResult:
    kind = next(k for k in CHECKS if getattr(spec, k, None) is not None)
    comparison = next(
        c
        for c in COMPARISONS
        if getattr(spec, c, None) is not None
        or (c in ("equals", "not_equals") and c in getattr(spec, "model_fields_set", ()))
    )
    params = getattr(spec, kind)
    expected = getattr(spec, comparison)
    name = spec.name or describe(kind, params)
    try:
        actual = CHECKS[kind](params, ctx)
    except Exception as exc:  # a check that cannot run fails, and says why
        code = getattr(exc, "response", {}).get("Error", {}).get("Code")
        message = f"{code}: {exc}" if code else f"{type(exc).__name__}: {exc}"
        if type(exc).__name__ == "AthenaError":  # already "CODE: message", as Athena says it
            message = str(exc)
        return ExpectationResult(name, kind, comparison, expected, None, False, message)
    return ExpectationResult(
        name, kind, comparison, expected, actual, compare(comparison, expected, actual)
    )
