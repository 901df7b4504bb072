"""Expectations checked when the run ends: one check kind and one comparison each.

A new check kind is one model plus one field made with ``one_of("check", ...)`` on
:class:`Expectation`.
"""

from __future__ import annotations

from typing import Annotated, Any, Literal

from pydantic import BeforeValidator, Field, JsonValue, PrivateAttr, model_validator

from sim.scenario.base import Spec
from sim.scenario.types import (
    AttributeName,
    BucketName,
    FunctionName,
    IndexName,
    Name,
    QueueName,
    Range,
    StreamName,
    TableName,
    fail,
    one_of,
    ref,
)


class CountCheck(Spec):
    """The number of items in a table."""

    table: TableName = ref("tables", "Table to count (declared in resources.tables).")


class DuplicatesCheck(Spec):
    """The number of items whose `by` values repeat another item's."""

    table: TableName = ref("tables", "Table to inspect (declared in resources.tables).")
    by: list[AttributeName] = Field(
        min_length=1, description="Attributes whose combined values identify a duplicate."
    )


class ItemCheck(Spec):
    """One item (or one of its attributes), or null when absent."""

    table: TableName = ref("tables", "Table to read (declared in resources.tables).")
    key: dict[str, JsonValue] = Field(description="The item's full primary key, plain JSON.")
    attribute: AttributeName | None = Field(
        None, description="Compare only this attribute; null compares the whole item."
    )


def _names_or_name(value: Any) -> Any:
    if isinstance(value, str) or value is None:
        return value
    if isinstance(value, list) and all(isinstance(v, str) for v in value):
        return value
    fail("an attribute name or a list of attribute names", value)


class QueryCheck(Spec):
    """A DynamoDB Query (with `key_condition`) or Scan of a table, then post-processing."""

    table: TableName = ref("tables", "Table to read (declared in resources.tables).")
    index: IndexName | None = Field(
        None, description="Global secondary index to read (declared on the table)."
    )
    key_condition: str | None = Field(
        None, description="`KeyConditionExpression`; null scans the table."
    )
    filter: str | None = Field(None, description="`FilterExpression`.")
    values: dict[str, JsonValue] = Field(
        default_factory=dict,
        description="`ExpressionAttributeValues` in plain JSON; keys start with `:`.",
    )
    names: dict[str, str] = Field(
        default_factory=dict, description="`ExpressionAttributeNames`; keys start with `#`."
    )
    project: Annotated[str | list[str] | None, BeforeValidator(_names_or_name)] = Field(
        None,
        description="Keep one attribute (the result is a list of values) or several (a list of "
        "items with those attributes).",
    )
    distinct: bool = Field(False, description="Drop repeated results.")
    sort: str | None = Field(
        None, description="Sort by this attribute; prefix `-` for descending order."
    )
    limit: Annotated[int, Range(lo=1, noun="an integer")] | None = Field(
        None, description="Keep only the first results."
    )
    max_by: AttributeName | None = Field(
        None, description="Return only the result with the largest value of this attribute."
    )
    min_by: AttributeName | None = Field(
        None, description="Return only the result with the smallest value of this attribute."
    )

    @model_validator(mode="after")
    def _placeholders(self) -> QueryCheck:
        for key in self.values:
            if not key.startswith(":"):
                fail("a placeholder starting with ':'", key, key=("values", key))
        for key in self.names:
            if not key.startswith("#"):
                fail("a placeholder starting with '#'", key, key=("names", key))
        if self.max_by is not None and self.min_by is not None:
            fail("max_by or min_by, not both", found_text="both", key="min_by")
        return self


class StreamCheck(Spec):
    """The number of records stored in a stream."""

    stream: StreamName = ref("streams", "Stream to count (declared in resources.streams).")


class ObjectsCheck(Spec):
    """The number of objects in a bucket (under a prefix)."""

    bucket: BucketName = ref("buckets", "Bucket to count (declared in resources.buckets).")
    prefix: str = Field("", description="Count only keys that start with this prefix.")


class MessagesCheck(Spec):
    """The number of messages in a queue: visible, in flight and delayed
    (`ApproximateNumberOfMessages` + `…NotVisible` + `…Delayed`, exact on streamlab)."""

    queue: QueueName = ref("queues", "Queue to count (declared in resources.queues).")


class InvocationsCheck(Spec):
    """The number of invocations of a function."""

    function: FunctionName = ref("functions", "Function to count (declared in functions).")
    outcome: Literal["all", "success", "error", "timeout"] = Field(
        "all", description="Count only invocations with this outcome."
    )


class AthenaCheck(Spec):
    """An Athena SQL query over the objects in S3, reading the tables of the `athena` section.
    One row of one column gives that value; one column, the list of its values; otherwise the
    list of rows (mappings of column name to value; unnamed expressions are `_col0`, `_col1`…).
    Timestamps read as `YYYY-MM-DD HH:MM:SS.mmm`."""

    query: str = Field(
        min_length=1,
        description="One SELECT in Athena's SQL (run on DuckDB: see docs/athena.md for the "
        "differences).",
    )
    # The scenario's athena tables, attached when the scenario is validated.
    _tables: list[Any] = PrivateAttr(default_factory=list)


class SqlCheck(Spec):
    """A SQL query on one of the scenario's databases (SQLite or MariaDB). One row of one
    column gives that value; one column, the list of its values; otherwise the list of rows.
    Date-times read as `YYYY-MM-DD HH:MM:SS[.ffffff]`."""

    database: str = ref("databases", "The database (declared in databases).")
    query: str = Field(min_length=1, description="One SELECT in the database's dialect.")


class EmailsCheck(Spec):
    """The emails SNS delivered to the outbox (see `sim outbox`): how many, when, or about what."""

    to: str | None = Field(None, description="Only emails to this address.")
    kind: Literal["notification", "confirmation", "all"] = Field(
        "notification",
        description="Notifications (published messages) or subscription confirmations.",
    )
    subject_contains: str | None = Field(None, description="Only emails whose subject has this.")
    field: Literal["count", "time", "subject"] = Field(
        "count",
        description="The result: the number of emails, or the list of their times "
        "(`YYYY-MM-DDTHH:MM:SS.mmmZ`, oldest first) or subjects.",
    )


LedgerName = Literal[
    "produced",
    "accepted",
    "delivered",
    "filtered",
    "retried",
    "dropped",
    "to_destination",
    "lost",
    "in_flight",
    "pending",
]


def _pair(value: Any) -> Any:
    numbers = isinstance(value, list | tuple) and len(value) == 2
    if not numbers or not all(
        isinstance(v, int | float) and not isinstance(v, bool) for v in value
    ):
        fail("a list of two numbers [low, high]", value)
    if value[0] > value[1]:
        fail("[low, high] with low not above high", found_text=f"[{value[0]}, {value[1]}]")
    return tuple(float(v) for v in value)


class Expectation(Spec):
    """A check run at the end: exactly one check kind and exactly one comparison."""

    name: Name | None = Field(None, description="Shown in the report; defaults to the check.")
    count: CountCheck | None = one_of("check", "Number of items in a table.")
    duplicates: DuplicatesCheck | None = one_of("check", "Number of duplicated items.")
    item: ItemCheck | None = one_of("check", "One item or attribute (null when absent).")
    query: QueryCheck | None = one_of("check", "Result of a query or scan.")
    ledger: LedgerName | None = one_of("check", "A total of the record ledger.")
    stream: StreamCheck | None = one_of("check", "Number of records stored in a stream.")
    objects: ObjectsCheck | None = one_of("check", "Number of objects in an S3 bucket.")
    messages: MessagesCheck | None = one_of("check", "Number of messages in an SQS queue.")
    invocations: InvocationsCheck | None = one_of("check", "Number of invocations.")
    athena: AthenaCheck | None = one_of("check", "Result of an Athena SQL query over S3 objects.")
    emails: EmailsCheck | None = one_of("check", "Emails SNS delivered (the outbox).")
    sql: SqlCheck | None = one_of("check", "Result of a SQL query on a database.")
    equals: Any = one_of("comparison", "The result equals this value.", nullable=True)
    at_least: float | None = one_of("comparison", "The result is at least this number.")
    at_most: float | None = one_of("comparison", "The result is at most this number.")
    between: Annotated[tuple[float, float], BeforeValidator(_pair)] | None = one_of(
        "comparison", "The result is within `[low, high]`, both included."
    )
    each_between: Annotated[tuple[float, float], BeforeValidator(_pair)] | None = one_of(
        "comparison", "The result is a non-empty list of numbers, each within `[low, high]`."
    )
    not_equals: Any = one_of("comparison", "The result differs from this value.", nullable=True)

    @property
    def check_kind(self) -> str:
        """The check given: ``"count"``, ``"query"``, ``"ledger"``, ..."""
        return self.chosen("check")

    @property
    def check(self) -> Any:
        """The check's settings (a model, or the ledger name for ``ledger``)."""
        return getattr(self, self.check_kind)

    @property
    def comparison(self) -> str:
        """The comparison given: ``"equals"``, ``"at_least"``, ``"at_most"`` or ``"between"``."""
        return self.chosen("comparison")

    @property
    def target(self) -> Any:
        """The value the result is compared with."""
        return getattr(self, self.comparison)

    @property
    def label(self) -> str:
        return self.name or f"{self.check_kind} {self.comparison.replace('_', ' ')}"
