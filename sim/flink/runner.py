"""Bounded event-time replay of a PyFlink job on PyFlink's local MiniCluster.

One :class:`FlinkRunner` holds one local ``StreamTableEnvironment`` (streaming mode,
parallelism 1), started on first use and reused for every job it runs; the JVM behind it is
PyFlink's gateway, started once per Python process. For each :meth:`FlinkRunner.run`:

1. the records are written as newline-delimited JSON into a temporary directory, their
   event-time field rendered as ``YYYY-MM-DD HH:MM:SS.mmm`` (UTC);
2. a temporary ``filesystem``/``json`` source table is registered over that directory with the
   job's columns and ``WATERMARK FOR <event time> AS <event time> - INTERVAL '<delay>' SECOND``,
   so Flink's own watermark semantics apply (Flink's ``WatermarkAssigner`` operator);
3. a temporary ``filesystem``/``json`` sink table is registered over another directory;
4. the job's ``build(t_env, source_table, sink_table)`` issues its pipeline; the runner waits
   for the job to finish. The source is bounded: at its end Flink emits the final watermark
   (``Long.MAX_VALUE``), so every window still open fires, as at the end of any bounded input;
5. the sink's files are read back as :class:`OutputRow` s, each with the time at which the
   simulation should emit it (the job's ``EMIT_TIME_FIELD``, usually the window end).

See docs/flink.md.
"""

from __future__ import annotations

import contextlib
import itertools
import json
import math
import os
import re
import shutil
import tempfile
import threading
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from types import ModuleType
from typing import Any

from sim.flink.errors import (
    PLANNER_THREAD_RETRIES,
    FlinkJobError,
    flink_root_cause,
    planner_thread_error,
)
from sim.flink.tables import (
    Schema,
    TableBindingError,
    check_event_time,
    columns,
    iso8601_ms,
    sink_ddl,
    source_ddl,
)

_IDENTIFIER = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*$")
_TIME_FORMATS = ("%Y-%m-%d %H:%M:%S.%f", "%Y-%m-%d %H:%M:%S")
_counter = itertools.count(1)


@dataclass(frozen=True)
class OutputRow:
    """One row the job wrote to its sink, to be emitted at ``time`` (UTC) in the simulation."""

    time: datetime
    data: dict[str, Any]


@dataclass
class JobSpec:
    """What the runner needs to know about a job; read from the job module's constants."""

    name: str
    build: Any
    source_schema: Schema
    sink_schema: Schema
    event_time_field: str
    emit_time_field: str
    watermark_delay: float = 5.0
    source_options: dict[str, str] = field(default_factory=dict)
    # The ISO 8601 string (a field path, "date.utc") the event-time column is computed from;
    # None: the event-time field is a TIMESTAMP(3) source column (sim/flink/tables.py).
    event_time_from: str | None = None

    def check(self) -> None:
        """FlinkJobError, in the job's name, if the runner cannot declare its tables."""
        try:
            check_event_time(self.source_schema, self.event_time_field, self.event_time_from)
            columns(self.sink_schema)
        except TableBindingError as error:
            raise FlinkJobError(self.name, str(error)) from None

    def event_time_ms(self, line: str | bytes | dict[str, Any] | None) -> int | None:
        """The event time Flink reads from one JSON line (or the object :func:`json_object`
        made of it), epoch milliseconds; None when Flink makes no row of it or it has no event
        time (see sim/flink/staging.py)."""
        return event_time_ms(line, self.event_time_field, event_time_from=self.event_time_from)

    @classmethod
    def from_module(cls, job: ModuleType | Any, **overrides: Any) -> JobSpec:
        """A spec from a job module (``build`` and the upper-case constants), with overrides."""

        def pick(key: str, attr: str, default: Any = None) -> Any:
            if overrides.get(key) is not None:
                return overrides[key]
            return getattr(job, attr, default)

        build = getattr(job, "build", None)
        if build is None and callable(job):
            build = job
        name = pick("name", "NAME") or _module_name(job)
        if not callable(build):
            raise FlinkJobError(name, "the job defines no build(t_env, source_table, sink_table)")
        spec = cls(
            name=name,
            build=build,
            source_schema=pick("source_schema", "SOURCE_SCHEMA"),
            sink_schema=pick("sink_schema", "SINK_SCHEMA"),
            event_time_field=pick("event_time_field", "EVENT_TIME_FIELD"),
            emit_time_field=pick("emit_time_field", "EMIT_TIME_FIELD"),
            watermark_delay=pick("watermark_delay", "WATERMARK_DELAY", 5.0),
            source_options=dict(pick("source_options", "SOURCE_OPTIONS", {}) or {}),
            event_time_from=pick("event_time_from", "EVENT_TIME_FROM"),
        )
        for key in ("source_schema", "sink_schema", "event_time_field", "emit_time_field"):
            if not getattr(spec, key):
                raise FlinkJobError(name, f"no {key} (set {key.upper()} in the job or pass it)")
        spec.check()
        return spec


def _module_name(job: Any) -> str:
    name = getattr(job, "__name__", None) or type(job).__name__
    return name.rsplit(".", 1)[-1]


def sql_timestamp(value: Any) -> str:
    """``value`` (epoch seconds, a datetime or a time string) as ``YYYY-MM-DD HH:MM:SS.mmm`` UTC.

    This is the form Flink's JSON format reads into ``TIMESTAMP(3)`` (``'SQL'`` standard, the
    default) and the unicorn producer's ``StatusTime``.
    """
    if isinstance(value, bool):
        raise TypeError(f"not a time: {value!r}")
    if isinstance(value, int | float):
        if not math.isfinite(value):
            raise ValueError(f"not a time: {value!r}")
        value = datetime.fromtimestamp(value, UTC)
    elif isinstance(value, str):
        text = value.strip()
        if "T" in text or text.endswith("Z") or "+" in text[10:]:
            value = datetime.fromisoformat(text.replace("Z", "+00:00"))
        else:
            return text  # already "YYYY-MM-DD HH:MM:SS[.fff]"
    if not isinstance(value, datetime):
        raise TypeError(f"not a time: {value!r}")
    if value.tzinfo is not None:
        value = value.astimezone(UTC).replace(tzinfo=None)
    return value.strftime("%Y-%m-%d %H:%M:%S.") + f"{value.microsecond // 1000:03d}"


def parse_time(value: Any) -> datetime:
    """A sink's time value (``YYYY-MM-DD HH:MM:SS[.fff]``, ISO 8601, or epoch) as UTC datetime."""
    if isinstance(value, int | float) and not isinstance(value, bool):
        return datetime.fromtimestamp(value, UTC)
    text = str(value).strip()
    for fmt in _TIME_FORMATS:
        try:
            return datetime.strptime(text, fmt).replace(tzinfo=UTC)
        except ValueError:
            pass
    parsed = datetime.fromisoformat(text.replace("Z", "+00:00"))
    return parsed.replace(tzinfo=UTC) if parsed.tzinfo is None else parsed.astimezone(UTC)


def _not_json(constant: str) -> Any:
    raise ValueError(f"{constant} is not JSON")  # Jackson, behind Flink's JSON format, agrees


def json_object(line: str | bytes) -> dict[str, Any] | None:
    """The JSON object Flink's JSON format makes a row of, or None: a line that is not JSON
    (NaN and Infinity included, which Jackson refuses), or JSON but not an object. Flink fails
    the job on such a line, or skips it with ``json.ignore-parse-errors``."""
    try:
        record = json.loads(line, parse_constant=_not_json)
    except ValueError:
        return None
    return record if isinstance(record, dict) else None


def event_time_ms(
    line: str | bytes | dict[str, Any] | None,
    field_name: str,
    *,
    event_time_from: str | None = None,
) -> int | None:
    """The event time Flink reads from a JSON line (or its :func:`json_object`), in epoch
    milliseconds.

    None when Flink's JSON format makes no row of the line (not a JSON object; such a line
    fails the job, or is skipped with ``json.ignore-parse-errors``), or when a ``TIMESTAMP(3)``
    event-time column has no value it could read. An event time computed from an ISO 8601
    string (``event_time_from``, a field path) is :func:`sim.flink.tables.iso8601_ms` of it:
    epoch 0 when the string is missing or malformed, as the computed column makes it.
    """
    record = line if line is None or isinstance(line, dict) else json_object(line)
    if record is None:
        return None
    if event_time_from is not None:
        value: Any = record
        for step in event_time_from.split("."):
            value = value.get(step) if isinstance(value, dict) else None
        return iso8601_ms(value)
    try:
        value = record.get(field_name)
        if value is None:
            return None
        return round(parse_time(value).timestamp() * 1000)
    except (ValueError, AttributeError, TypeError, OverflowError):
        return None


class FlinkRunner:
    """Runs PyFlink jobs over bounded record sets in event time, on one reused environment.

    ``with FlinkRunner() as runner: rows = runner.run(job_module, records)``. Not thread-safe
    for concurrent runs (one job at a time; a lock serialises them).
    """

    def __init__(
        self,
        *,
        parallelism: int = 1,
        config: Mapping[str, str] | None = None,
        timeout: float = 300.0,
        work_dir: str | None = None,
    ):
        self.parallelism = parallelism
        self.config = {
            "table.local-time-zone": "UTC",
            # A watermark with every record that moves it, none from a wall-clock timer: the
            # records a window counts do not depend on the machine's speed.
            "pipeline.auto-watermark-interval": "0",
            **(config or {}),
        }
        self.timeout = timeout
        self._work_dir = work_dir
        self._tmp: str | None = None
        self._t_env: Any = None
        self._lock = threading.Lock()

    # -- environment ------------------------------------------------------------------------
    @property
    def t_env(self) -> Any:
        """The runner's ``StreamTableEnvironment``, created (and the JVM started) on first use."""
        if self._t_env is None:
            from pyflink.datastream import StreamExecutionEnvironment
            from pyflink.table import EnvironmentSettings, StreamTableEnvironment

            from sim.flink.jvm import gateway

            gateway()  # the JVM, with options for short jobs (sim/flink/jvm.py)
            env = StreamExecutionEnvironment.get_execution_environment()
            env.set_parallelism(self.parallelism)
            t_env = StreamTableEnvironment.create(
                env, environment_settings=EnvironmentSettings.in_streaming_mode()
            )
            for key, value in self.config.items():
                t_env.get_config().set(key, str(value))
            self._t_env = t_env
        return self._t_env

    def start(self) -> FlinkRunner:
        """Start the environment now (else it starts with the first job)."""
        _ = self.t_env
        return self

    def _scratch(self) -> str:
        if self._tmp is None:
            self._tmp = tempfile.mkdtemp(prefix="streamlab-flink-", dir=self._work_dir)
        return self._tmp

    def close(self) -> None:
        """Remove the temporary files. The JVM (PyFlink's gateway) lives as long as the process."""
        if self._tmp is not None:
            shutil.rmtree(self._tmp, ignore_errors=True)
            self._tmp = None
        self._t_env = None

    def __enter__(self) -> FlinkRunner:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    # -- one job ----------------------------------------------------------------------------
    def run(
        self,
        job: ModuleType | Any,
        records: Iterable[Mapping[str, Any] | str],
        *,
        name: str | None = None,
        source_schema: Schema | None = None,
        sink_schema: Schema | None = None,
        event_time_field: str | None = None,
        emit_time_field: str | None = None,
        watermark_delay: float | None = None,
    ) -> list[OutputRow]:
        """Replay ``records`` through ``job`` in event time; the rows it wrote, by emit time.

        ``records`` are JSON objects (dicts, or JSON text as a Kinesis record holds it, written
        unchanged) in arrival order: the order of the file is the
        order Flink reads them, so a record behind the watermark at its place is late. The
        event-time field may hold a ``YYYY-MM-DD HH:MM:SS.mmm`` string, an ISO 8601 string, a
        datetime or epoch seconds (an arrival time, say); it is written in the first form.
        ``job`` is a job module or a :class:`JobSpec`; keyword arguments override a module's
        constants.
        """
        spec = (
            job
            if isinstance(job, JobSpec)
            else JobSpec.from_module(
                job,
                name=name,
                source_schema=source_schema,
                sink_schema=sink_schema,
                event_time_field=event_time_field,
                emit_time_field=emit_time_field,
                watermark_delay=watermark_delay,
            )
        )
        with self._lock:
            return self._run(spec, records)

    def _run(self, spec: JobSpec, records: Iterable[Mapping[str, Any] | str]) -> list[OutputRow]:
        n = next(_counter)
        run_dir = os.path.join(self._scratch(), f"job-{n}")
        src_dir = os.path.join(run_dir, "source")
        sink_dir = os.path.join(run_dir, "sink")
        os.makedirs(src_dir)
        os.makedirs(sink_dir)
        source_table, sink_table = f"streamlab_source_{n}", f"streamlab_sink_{n}"

        spec.check()
        source_columns = columns(spec.source_schema)
        # A TIMESTAMP(3) event-time column is written in the form Flink's JSON format reads; one
        # computed from an ISO 8601 string (event_time_from) is left as the record has it.
        et = spec.event_time_field if spec.event_time_from is None else None
        with open(os.path.join(src_dir, "records.json"), "w", encoding="utf-8") as out:
            for record in records:
                if isinstance(record, str):  # a raw JSON line (a Kinesis record's data)
                    out.write(record.replace("\n", " ") + "\n")
                    continue
                row = dict(record)
                if et is not None and row.get(et) is not None:
                    row[et] = sql_timestamp(row[et])
                out.write(json.dumps(row, separators=(",", ":"), default=str) + "\n")

        source = source_ddl(
            source_table,
            source_columns,
            spec.event_time_field,
            spec.watermark_delay,
            {"connector": "filesystem", "path": src_dir, "format": "json", **spec.source_options},
            event_time_from=spec.event_time_from,
        )
        sink = sink_ddl(
            sink_table,
            spec.sink_schema,
            {"connector": "filesystem", "path": sink_dir, "format": "json"},
        )

        try:
            for attempt in itertools.count():
                t_env = self.t_env
                try:
                    self._execute(spec, t_env, (source, sink), source_table, sink_table)
                    break
                except FlinkJobError as error:
                    if attempt < PLANNER_THREAD_RETRIES and planner_thread_error(error.details):
                        self._drop(t_env, source_table, sink_table)
                        self._t_env = None  # a new environment plans on this connection
                        continue
                    raise
                finally:
                    if self._t_env is not None:
                        self._drop(t_env, source_table, sink_table)
            return self._read_sink(spec, sink_dir)
        finally:
            shutil.rmtree(run_dir, ignore_errors=True)

    def _execute(
        self, spec: JobSpec, t_env: Any, ddl: tuple[str, str], source_table: str, sink_table: str
    ) -> None:
        """Register the tables, submit the job and wait for it; FlinkJobError on failure."""
        try:
            t_env.get_config().set("pipeline.name", spec.name)
            for statement in ddl:
                t_env.execute_sql(statement)
            result = self._submit(spec, t_env, source_table, sink_table)
            self._wait(spec, result)
        except FlinkJobError:
            raise
        except Exception as exc:  # Py4JJavaError, pyflink JavaException, Python errors
            message, details = flink_root_cause(exc)
            raise FlinkJobError(spec.name, message, details) from None

    @staticmethod
    def _drop(t_env: Any, *tables: str) -> None:
        for table in tables:
            # Best effort: the names are never reused.
            with contextlib.suppress(Exception):
                t_env.execute_sql(f"DROP TEMPORARY TABLE IF EXISTS {table}")

    @staticmethod
    def _submit(spec: JobSpec, t_env: Any, source_table: str, sink_table: str) -> Any:
        from pyflink.table import StatementSet, Table, TableResult

        built = spec.build(t_env, source_table, sink_table)
        if isinstance(built, Table):
            return built.execute_insert(sink_table)
        if isinstance(built, StatementSet):
            return built.execute()
        if isinstance(built, TableResult):
            return built
        raise FlinkJobError(
            spec.name,
            "build() must return the TableResult of its INSERT (t_env.execute_sql(...)), "
            f"a StatementSet or a Table to insert into the sink; it returned {built!r}",
        )

    def _wait(self, spec: JobSpec, result: Any) -> None:
        client = result.get_job_client()
        if client is None:
            raise FlinkJobError(spec.name, "build() ran no job (no INSERT into the sink)")
        try:
            result.wait(int(self.timeout * 1000))
        except Exception as exc:
            message, details = flink_root_cause(exc)
            if "TimeoutException" in details and "Traceback" not in details:
                with contextlib.suppress(Exception):  # it may have finished meanwhile
                    client.cancel().result()
                raise FlinkJobError(
                    spec.name, f"did not finish within {self.timeout:g} s", details
                ) from None
            raise FlinkJobError(spec.name, message, details) from None

    @staticmethod
    def _read_sink(spec: JobSpec, sink_dir: str) -> list[OutputRow]:
        files: list[tuple[tuple[str, int], str]] = []
        for root, _dirs, filenames in os.walk(sink_dir):
            for filename in filenames:
                if filename.startswith((".", "_")):
                    continue  # in-progress/pending files and markers
                m = re.search(r"-(\d+)$", filename)
                files.append(((root, int(m.group(1)) if m else 0), os.path.join(root, filename)))
        rows: list[tuple[datetime, int, dict[str, Any]]] = []
        seq = itertools.count()
        for _key, path in sorted(files):
            with open(path, encoding="utf-8") as f:
                for line in f:
                    if line.strip():
                        data = json.loads(line)
                        when = data.get(spec.emit_time_field)
                        if when is None:
                            raise FlinkJobError(
                                spec.name,
                                f"a sink row has no {spec.emit_time_field!r}: {line.strip()}",
                            )
                        rows.append((parse_time(when), next(seq), data))
        rows.sort(key=lambda r: (r[0], r[1]))
        return [OutputRow(time=t, data=d) for t, _, d in rows]
