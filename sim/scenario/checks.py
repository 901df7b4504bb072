"""Checks across a validated scenario: unique names, references to declared resources, keys.

They run after schema validation and report with the same line information. Two checks are
generic, so new kinds need no code here: every list of named entries must have unique names,
and every field made with :func:`~sim.scenario.types.ref` must name an entry of its collection
(``resources.<kind>`` or, for ``functions`` and ``producers``, the scenario's own list).
"""

from __future__ import annotations

import difflib
from collections.abc import Iterator
from typing import Any

from pydantic import BaseModel

from sim.clock.durations import iso
from sim.scenario import limits
from sim.scenario.errors import ScenarioError, describe_value
from sim.scenario.flink import stages
from sim.scenario.loader import LineMap, Path, format_path
from sim.scenario.model import (
    Expectation,
    ItemCheck,
    KeyAttribute,
    QueryCheck,
    Resources,
    Scenario,
    Subscription,
    TableSpec,
)
from sim.scenario.types import REF, field_extra


def walk(model: BaseModel, path: Path = ()) -> Iterator[tuple[Path, BaseModel]]:
    """Every model nested in ``model`` (itself first), with its path."""
    yield path, model
    for name in type(model).model_fields:
        value = getattr(model, name)
        if isinstance(value, BaseModel):
            yield from walk(value, (*path, name))
        elif isinstance(value, list):
            for i, item in enumerate(value):
                if isinstance(item, BaseModel):
                    yield from walk(item, (*path, name, i))


class _Checker:
    def __init__(self, scenario: Scenario, lines: LineMap, file: str):
        self.scenario = scenario
        self.lines = lines
        self.file = file
        self.errors: list[ScenarioError] = []

    def add(self, path: Path, expected: str, found: str, hint: str | None = None) -> None:
        self.errors.append(
            ScenarioError(
                file=self.file,
                line=self.lines.value_line(path),
                key=format_path(path),
                expected=expected,
                found=found,
                hint=hint,
            )
        )

    # -- names ------------------------------------------------------------------------------

    def unique_names(self) -> None:
        for path, model in walk(self.scenario):
            for name in type(model).model_fields:
                entries = getattr(model, name)
                if not isinstance(entries, list):
                    continue
                first: dict[str, int | None] = {}
                for i, entry in enumerate(entries):
                    if not isinstance(entry, BaseModel) or not isinstance(
                        getattr(entry, "name", None), str
                    ):
                        continue
                    at = (*path, name, i, "name")
                    if entry.name in first:
                        line = first[entry.name]
                        where = f" on line {line}" if line else ""
                        self.add(
                            at,
                            f"a name not used by another entry of {format_path((*path, name))}",
                            f"{entry.name!r}, already used{where}",
                        )
                    else:
                        first[entry.name] = self.lines.value_line(at)

    # -- references -------------------------------------------------------------------------

    def collection(self, kind: str) -> tuple[str, list[Any]]:
        """Where entries of ``kind`` are declared, and the entries."""
        if kind in Resources.model_fields:
            return f"resources.{kind}", getattr(self.scenario.resources, kind)
        return kind, getattr(self.scenario, kind)

    def references(self) -> None:
        for path, model in walk(self.scenario):
            for name, field in type(model).model_fields.items():
                kind = field_extra(field).get(REF)
                value = getattr(model, name)
                if kind is None or value is None:
                    continue
                where, entries = self.collection(kind)
                singular = kind.removesuffix("s")
                self.must_name((*path, name), value, singular, where, [e.name for e in entries])

    def must_name(self, at: Path, value: str, singular: str, where: str, names: list[str]) -> None:
        """``value`` (at ``at``) names one of ``names``, the entries declared in ``where``."""
        if value in names:
            return
        a = "an" if singular[:1] in "aeiou" else "a"
        if names:
            expected = f"the name of {a} {singular} in {where} ({', '.join(names)})"
            close = difflib.get_close_matches(value, names, n=1)
            hint = f"did you mean {close[0]!r}?" if close else None
        else:
            expected = f"the name of {a} {singular} in {where}"
            hint = f"{where} declares none"
        self.add(at, expected, describe_value(value), hint)

    # -- specific rules ---------------------------------------------------------------------

    def table(self, name: str) -> TableSpec | None:
        return next((t for t in self.scenario.resources.tables if t.name == name), None)

    def key_values(self, at: Path, key_attrs: list[KeyAttribute], values: dict[str, Any]) -> None:
        """``values`` holds each key attribute with a value of its type."""
        for attr in key_attrs:
            if attr.name not in values:
                self.add(
                    at,
                    f"the key attribute {attr.name!r}",
                    "no such attribute",
                    "each item needs the table's partition key (and sort key)",
                )
                continue
            value = values[attr.name]
            number = isinstance(value, int | float) and not isinstance(value, bool)
            if (attr.type == "S" and not isinstance(value, str)) or (
                attr.type == "N" and not number
            ):
                word = "a string (type S)" if attr.type == "S" else "a number (type N)"
                self.add((*at, attr.name), word, describe_value(value))

    def tables(self) -> None:
        for i, table in enumerate(self.scenario.resources.tables):
            keys = [k for k in (table.partition_key, table.sort_key) if k is not None]
            for j, item in enumerate(table.items):
                self.key_values(("resources", "tables", i, "items", j), keys, item)

    def expectations(self) -> None:
        for i, expectation in enumerate(self.scenario.expect):
            self.expectation(("expect", i), expectation)

    def expectation(self, at: Path, expectation: Expectation) -> None:
        check = expectation.check
        if not isinstance(check, ItemCheck | QueryCheck):
            return
        table = self.table(check.table)
        if table is None:
            return  # reported as a missing reference
        at = (*at, expectation.check_kind)
        if isinstance(check, ItemCheck):
            keys = [k for k in (table.partition_key, table.sort_key) if k is not None]
            self.key_values((*at, "key"), keys, check.key)
            extra = sorted(set(check.key) - {k.name for k in keys})
            if extra:
                self.add(
                    (*at, "key", extra[0]),
                    "only the table's key attributes (" + ", ".join(k.name for k in keys) + ")",
                    repr(extra[0]),
                )
        elif check.index is not None:
            self.must_name(
                (*at, "index"),
                check.index,
                "index",
                f"resources.tables[{self.scenario.resources.tables.index(table)}]"
                ".global_secondary_indexes",
                [index.name for index in table.global_secondary_indexes],
            )

    def subscriptions(self) -> None:
        for i, topic in enumerate(self.scenario.resources.topics):
            for j, subscription in enumerate(topic.subscriptions):
                self.subscription(("resources", "topics", i, "subscriptions", j), subscription)

    def subscription(self, at: Path, subscription: Subscription) -> None:
        endpoint = subscription.endpoint
        at = (*at, "endpoint")
        if subscription.protocol == "email":
            if "@" not in endpoint.strip("@"):
                self.add(at, "an email address", describe_value(endpoint))
            return
        if endpoint.startswith("arn:"):
            return
        kind = "queues" if subscription.protocol == "sqs" else "functions"
        where, entries = self.collection(kind)
        singular = kind.removesuffix("s")
        self.must_name(at, endpoint, singular, where, [e.name for e in entries])

    # -- triggers ---------------------------------------------------------------------------

    def triggers(self) -> None:
        """What CreateEventSourceMapping itself refuses: a StartingPositionTimestamp in the
        future (mappings are created at the clock's start), and a second mapping between the
        same stream and function (ResourceConflictException)."""
        start = self.scenario.clock.start
        for f, function in enumerate(self.scenario.functions):
            seen: set[str] = set()
            sources: set[tuple[str, str]] = set()
            for t, trigger in enumerate(function.triggers):
                if trigger.kind in ("dynamodb", "sqs"):
                    self.table_or_queue_trigger(("functions", f, "triggers", t), trigger, sources)
                if trigger.kind == "sqs":
                    self.visibility_covers_timeout(("functions", f), function, trigger.spec.queue)
                if trigger.kind in ("kinesis", "dynamodb"):
                    self.failure_destination(("functions", f, "triggers", t), trigger)
                kinesis = trigger.kinesis
                if kinesis is None:
                    continue
                at = ("functions", f, "triggers", t, "kinesis")
                stamp = kinesis.starting_position_timestamp
                if stamp is not None and stamp > start:
                    self.add(
                        (*at, "starting_position_timestamp"),
                        "a time no later than clock.start (AWS refuses a "
                        "StartingPositionTimestamp in the future)",
                        iso(stamp),
                    )
                if kinesis.stream in seen:
                    self.add(
                        (*at, "stream"),
                        "one mapping per stream and function (AWS answers "
                        "ResourceConflictException for a second one)",
                        f"a second trigger on stream {kinesis.stream!r}",
                    )
                seen.add(kinesis.stream)

    def table_or_queue_trigger(self, at: Path, trigger: Any, sources: set[tuple[str, str]]) -> None:
        """A DynamoDB trigger reads a table with a stream; an SQS trigger's batch suits its
        queue; one mapping per source and function (ResourceConflictException)."""
        spec = trigger.spec
        kind = trigger.kind
        name = spec.table if kind == "dynamodb" else spec.queue
        at = (*at, kind)
        if (kind, name) in sources:
            self.add(
                (*at, "table" if kind == "dynamodb" else "queue"),
                "one mapping per source and function (AWS answers ResourceConflictException "
                "for a second one)",
                f"a second trigger on {name!r}",
            )
        sources.add((kind, name))
        if kind == "dynamodb":
            table = self.table(name)
            if table is not None and table.stream_view_type is None:
                self.add(
                    (*at, "table"),
                    "a table with a stream (stream_view_type in resources.tables)",
                    f"table {name!r} without one",
                    "set stream_view_type: NEW_AND_OLD_IMAGES (or KEYS_ONLY, NEW_IMAGE, OLD_IMAGE)",
                )
            return
        queue = self.queue(name)
        if queue is not None and queue.fifo and spec.batch_size > limits.SQS_FIFO_BATCH_SIZE_MAX:
            self.add(
                (*at, "batch_size"),
                f"at most {limits.SQS_FIFO_BATCH_SIZE_MAX} for a FIFO queue",
                str(spec.batch_size),
            )

    def visibility_covers_timeout(self, at: Path, function: Any, queue_name: str) -> None:
        """CreateEventSourceMapping refuses a queue whose visibility timeout is below the
        function's timeout ("Queue visibility timeout: N seconds is less than Function timeout:
        M seconds")."""
        queue = self.queue(queue_name)
        if queue is not None and queue.visibility_timeout < function.timeout:
            self.add(
                (*at, "timeout"),
                f"a timeout of at most the visibility timeout of queue {queue_name!r} "
                f"({queue.visibility_timeout} s): AWS refuses the mapping otherwise",
                f"{function.timeout} s",
                "raise the queue's visibility_timeout (AWS advises 6 times the timeout)",
            )

    def failure_destination(self, at: Path, trigger: Any) -> None:
        """Lambda sends failure records to standard queues and topics only."""
        destination = trigger.spec.on_failure
        if destination is None or destination.kind == "bucket":
            return
        declared = (
            self.queue(destination.name)
            if destination.kind == "queue"
            else next(
                (x for x in self.scenario.resources.topics if x.name == destination.name), None
            )
        )
        if declared is not None and getattr(declared, "fifo", False):
            self.add(
                (*at, trigger.kind, "on_failure", destination.kind),
                f"a standard {destination.kind} (Lambda does not send to FIFO ones)",
                destination.name,
            )

    def queue(self, name: str) -> Any:
        return next((q for q in self.scenario.resources.queues if q.name == name), None)

    def queues(self) -> None:
        """A dead-letter queue is another queue of the same type."""
        for i, queue in enumerate(self.scenario.resources.queues):
            redrive = queue.dead_letter
            if redrive is None:
                continue
            at = ("resources", "queues", i, "dead_letter", "queue")
            if redrive.queue == queue.name:
                self.add(
                    at, "another queue (a queue cannot be its own dead-letter queue)", redrive.queue
                )
                continue
            target = self.queue(redrive.queue)
            if target is not None and target.fifo != queue.fifo:
                kind = "FIFO" if queue.fifo else "standard"
                self.add(at, f"a {kind} queue, like the queue itself", redrive.queue)

    # -- Flink jobs -------------------------------------------------------------------------

    def flink_jobs(self) -> None:
        """What a simulation's order of stages rules out: the part of a pipeline after a Flink
        job runs once the job's input is complete (see sim/flink/staging.py)."""
        scenario = self.scenario
        if not scenario.flink_jobs:
            return
        writers: dict[str, int] = {}
        for j, job in enumerate(scenario.flink_jobs):
            at = ("flink_jobs", j)
            sink = job.sink
            if sink.stream is not None and sink.stream == job.source.stream:
                self.add((*at, "sink", "stream"), "a stream other than the source", sink.stream)
            if sink.stream is not None and sink.stream in writers:
                first = scenario.flink_jobs[writers[sink.stream]].name
                self.add(
                    (*at, "sink", "stream"),
                    "a stream no other Flink job writes",
                    f"{sink.stream!r}, written by {first!r} too",
                )
            elif sink.stream is not None:
                writers[sink.stream] = j
            if sink.table is not None and sink.partition_key is not None:
                self.add(
                    (*at, "sink", "partition_key"),
                    "no partition_key for a table sink (items are keyed by the table's key)",
                    sink.partition_key,
                )
            if job.stop is not None and job.stop.at >= scenario.clock.duration:
                self.add(
                    (*at, "stop", "at"),
                    f"a time within the run (before {scenario.clock.duration:g} s)",
                    f"{job.stop.at:g} s",
                )
        try:
            stage = stages(scenario)
        except ValueError as exc:
            self.add(("flink_jobs",), "Flink jobs that do not feed each other", str(exc))
            return
        for p, producer in enumerate(scenario.producers):
            stream = producer.target.stream
            if stream is not None and stage.get(stream, 0) > 0:
                self.add(
                    ("producers", p, "target", "stream"),
                    "a stream no Flink job writes (a simulation puts a job's rows on its sink "
                    "stream after replaying the job's input)",
                    f"{stream!r}, the sink of Flink job "
                    f"{scenario.flink_jobs[writers[stream]].name!r}",
                )
        for f, function in enumerate(scenario.functions):
            seen: dict[int, str] = {}
            for t, trigger in enumerate(function.triggers):
                if trigger.kinesis is None:
                    continue
                level = stage.get(trigger.kinesis.stream, 0)
                other = next((s for lv, s in seen.items() if lv != level), None)
                if other is not None:
                    self.add(
                        ("functions", f, "triggers", t, "kinesis", "stream"),
                        "triggers on the same side of every Flink job (a simulation runs what "
                        "comes after a job once the job's input is complete)",
                        f"{trigger.kinesis.stream!r}, while {other!r} is on the other side",
                    )
                seen.setdefault(level, trigger.kinesis.stream)


def cross_check(scenario: Scenario, lines: LineMap, file: str) -> list[ScenarioError]:
    """Every cross-reference problem in ``scenario``."""
    checker = _Checker(scenario, lines, file)
    checker.unique_names()
    checker.references()
    checker.tables()
    checker.expectations()
    checker.subscriptions()
    checker.triggers()
    checker.queues()
    checker.flink_jobs()
    return checker.errors
