"""A PyFlink job running live, in real time, between two Kinesis streams: the live bridge.

:class:`LiveFlinkJob` runs a job module (``flink_jobs/``, the contract in docs/flink.md) on
PyFlink's local MiniCluster while producers write to a Kinesis stream, and puts the job's rows
onto another Kinesis stream as Flink emits them. It talks to Kinesis only through a boto3
client and the standard API (``ListShards``, ``GetShardIterator``, ``GetRecords``,
``PutRecords``), so the streams may live in streamlab's embedded endpoint, LocalStack or AWS.
No connector jar is needed: Flink reads and writes local files, and two daemon threads carry
records between those files and the streams::

    Kinesis source stream --reader--> source dir (JSON lines) --Flink--> sink dir --writer--> Kinesis sink stream

* **Source.** A ``filesystem``/``json`` table over a directory with ``source.monitor-interval``
  (default 200 ms): an unbounded source whose enumerator lists the directory at that interval
  and reads each new file once. The DDL is the job's columns with
  ``WATERMARK FOR <event time> AS <event time> - INTERVAL '<delay>' SECOND``
  (:func:`sim.flink.tables.source_ddl`), as for the bounded replay and the Kinesis connector.
* **Reader thread.** Polls every shard of the source stream (one ``GetRecords`` per shard per
  round; the next round at once while records wait, else after 250 ms, the pause the Kinesis
  connector's polling reader makes after an empty read), follows
  shard iterators, reads the children of a split or merge from their first record once their
  parents are read to the end, backs off on ``ProvisionedThroughputExceededException`` and
  renews an expired iterator after the last record read. Each round's records, in arrival
  order across shards, become one new file: written under a hidden name (Flink's file source
  skips names starting with ``.`` or ``_``), then renamed, so Flink never reads half a file.
  A record's data is the JSON the producer put, one record per line (trailing newlines
  stripped, inner ones turned into spaces, which JSON allows between tokens).
* **Sink.** A ``filesystem``/``json`` table. In streaming mode Flink's file sink writes hidden
  in-progress files and makes them visible only when a checkpoint completes: the bridge sets
  ``execution.checkpointing.interval`` and the rolling policy (rollover, inactivity and check
  intervals) to ``commit_interval`` (1 s), so a row is visible 1-3 s after Flink emits it.
* **Writer thread.** Picks up each committed part file once (ignoring hidden, in-progress and
  pending ones) and puts its rows onto the sink stream with ``PutRecords`` (at most 500
  records and 5 MiB a call), re-sending only the entries that failed, with exponential
  backoff, as AWS advises for partial failures. A row's data is the line Flink wrote, the same
  bytes Flink's JSON format gives the Kinesis sink. Its partition key is ``partition_key``'s
  column(s) joined with ``|`` (as a sink table ``PARTITIONED BY`` those columns), or else a
  random UUID from a seeded :class:`random.Random`, as the Kinesis sink's default random
  partitioner draws one per record.

What was measured on PyFlink 2.3.0 (Java 17, 2 cores) and shaped the design:

* ``source.monitor-interval`` works with the ``json`` format: a new file is read 0.15-0.25 s
  after its rename. But files found in the same directory scan are read in no fixed order
  (Flink's ``LocalityAwareSplitAssigner`` hands out the newest pending split first), which
  would put records out of order. So the reader keeps **one unread file at most**: it buffers
  records until Flink's source operator has emitted every line written so far (its
  ``numRecordsOut`` metric, read from the MiniCluster's REST API with the metric fetcher's
  interval set to 100 ms), then writes the next file. Files Flink has read are deleted. If the
  REST API cannot be reached, the reader paces files by time instead (two monitor intervals
  plus 0.2 s apart), which keeps the order unless Flink falls behind.
* The sink commits on checkpoints: with ``commit_interval`` 1 s a window's row was committed
  about 2 s after the window fired.
* Each job gets its own MiniCluster, sized by Flink to the job's parallelism (its per-job
  MiniCluster factory), so there are slots enough; several jobs run at once in one process,
  from one ``TableEnvironment`` or several (three ran side by side).
* With checkpointing on, Flink's default restart strategy restarts a failed job forever. The
  bridge sets ``restart-strategy.type`` to ``none`` so that a failure ends the job and is
  reported (``config`` can override it).
* PyFlink 2.3.0's ``JobClient.stop_with_savepoint`` calls a Java overload that no longer exists
  (Flink 2 added the savepoint format); the bridge calls the Java method itself.

Watermarks, in a live run. Each file is one split of the continuously monitored source, read
by the one source reader (parallelism 1); the watermark is not pushed into the source but
computed by a ``WatermarkAssigner`` operator right after it, from the records as they are read:
every ``pipeline.auto-watermark-interval`` (200 ms) it emits the largest event time seen minus
``WATERMARK_DELAY``. A window fires once the watermark reaches its end. When the source is idle
(no new records) the watermark stops where it is, whatever the wall clock says, so **the last
window fires only when a later record arrives, or on** ``stop(drain=True)``, which stops the job
with a savepoint and ``--drain``: the source emits the final watermark (``Long.MAX_VALUE``),
every open window fires and the sink commits. ``stop()`` without drain cancels the job: rows
Flink had not committed yet (the last 1-3 s) are not put, as for any cancelled job. A record
more than ``WATERMARK_DELAY`` behind the largest event time seen is late and its window may
already have fired (Flink drops it); the reader's rounds keep the disorder it adds below one
round (~0.25 s).

Errors. A job that fails (bad SQL at ``start()``, a Python UDF that raises, a record Flink's
JSON format cannot parse) raises :class:`~sim.flink.errors.FlinkJobError` with the job's name
and Flink's root-cause line, from ``start()``, ``check()`` and ``stop()``; ``error`` holds it as
soon as it is known (the writer thread watches the job). A stream the bridge cannot read or
write fails the same way, naming the stream and AWS's error.

Example (streamlab's endpoint, LocalStack or AWS: only the client differs)::

    kinesis = boto3.client("kinesis", endpoint_url="http://127.0.0.1:4566", region_name="us-east-1")
    with LiveFlinkJob(wildrydes_summary, kinesis, "wildrydes", "wildrydes-summary",
                      partition_key="Name") as job:
        ...                                  # producers run; summaries reach the sink stream
        job.stop(drain=True)                 # fire the last minute too
    print(job.records_read, job.rows_written, job.rows[-1])

See docs/flink-live.md.
"""

from __future__ import annotations

import contextlib
import itertools
import json
import logging
import os
import random
import re
import shutil
import tempfile
import threading
import time
import urllib.request
import uuid
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from types import ModuleType
from typing import Any

from botocore.exceptions import ClientError

from sim.flink.errors import (
    PLANNER_THREAD_RETRIES,
    FlinkJobError,
    flink_root_cause,
    planner_thread_error,
)
from sim.flink.runner import FlinkRunner, JobSpec, json_object
from sim.flink.tables import sink_ddl, source_ddl

log = logging.getLogger(__name__)

# -- Kinesis limits and the connector's defaults ------------------------------------------------
# PutRecords: at most 500 records and 5 MiB (data + partition keys) per request.
# https://docs.aws.amazon.com/kinesis/latest/APIReference/API_PutRecords.html
PUT_RECORDS_MAX_RECORDS = 500
PUT_RECORDS_MAX_BYTES = 5 * 1024 * 1024
# A partition key is 1 to 256 Unicode characters (API_PutRecordsRequestEntry.html).
PARTITION_KEY_MAX_LENGTH = 256
# GetRecords: at most 10,000 records per call (API_GetRecords.html).
GET_RECORDS_LIMIT = 10_000
# A shard is polled again at once while records wait (MillisBehindLatest > 0), else after this
# pause, as the Kinesis connector's polling reader waits 250 ms after an empty GetRecords
# (source.reader.empty-records-fetch-interval, apache/flink-connector-aws). GetRecords allows
# 5 calls per second per shard (API_GetRecords.html).
DEFAULT_POLL_INTERVAL = 0.25
# The Kinesis sink's PARTITIONED BY key joins the columns with this (sink.partitioner-field-delimiter).
PARTITION_KEY_DELIMITER = "|"
# Errors AWS says to retry (after a backoff), on reads and writes.
_RETRYABLE = frozenset(
    {
        "ProvisionedThroughputExceededException",
        "LimitExceededException",
        "ThrottlingException",
        "KMSThrottlingException",
        "InternalFailure",
        "InternalFailureException",
        "ServiceUnavailable",
        "ServiceUnavailableException",
    }
)
_BACKOFF_BASE = 0.1  # seconds; doubled per attempt
_BACKOFF_MAX = 5.0

# -- the bridge's own choices -------------------------------------------------------------------
DEFAULT_MONITOR_INTERVAL = 0.2  # seconds between Flink's scans of the source directory
DEFAULT_COMMIT_INTERVAL = 1.0  # checkpoint and rolling-policy interval of the sink
_WRITER_INTERVAL = 0.1  # seconds between the writer's scans of the sink directory
# With Flink's source count known but not moving for this long while behind, the lines were
# skipped (json.ignore-parse-errors, a JSON "null"): the reader counts them as read.
_STALL_SECONDS = 30.0
_REST_TIMEOUT = 2.0
_POSITIONS = ("LATEST", "TRIM_HORIZON")
_PART_FILE = re.compile(r"-(\d+)-(\d+)$")
_counter = itertools.count(1)


@dataclass(frozen=True)
class LiveRow:
    """One row the job wrote, as put onto the sink stream at ``time`` (UTC wall clock)."""

    time: datetime
    data: dict[str, Any]
    partition_key: str
    shard_id: str
    sequence_number: str


@dataclass
class _Shard:
    shard_id: str
    parents: tuple[str, ...]
    start: dict[str, Any]  # GetShardIterator arguments while nothing has been read
    iterator: str | None = None
    last_sequence: str | None = None
    done: bool = False
    failures: int = 0
    retry_at: float = 0.0


@dataclass
class _Pending:
    """Lines read from Kinesis and not yet handed to Flink."""

    lines: list[bytes] = field(default_factory=list)
    rows: int = 0  # how many of them Flink's JSON format turns into rows


def _backoff(attempt: int) -> float:
    return min(_BACKOFF_MAX, _BACKOFF_BASE * 2 ** max(0, attempt - 1))


def _error_code(error: ClientError) -> str:
    return str(error.response.get("Error", {}).get("Code", ""))


def _aws_message(error: ClientError) -> str:
    info = error.response.get("Error", {})
    return f"{info.get('Code', 'Error')}: {info.get('Message', '')}".rstrip(": ")


def _is_row(line: bytes) -> bool:
    """Whether Flink's JSON format makes a row of ``line`` (a JSON object; otherwise Flink fails
    the job on it, or skips it with json.ignore-parse-errors)."""
    return json_object(line) is not None


class _SourceProgress:
    """How many records Flink's source operator has emitted (``numRecordsOut``), read from the
    job's MiniCluster REST API. ``emitted()`` is None while unknown (tasks not yet running)."""

    def __init__(self, rest_url: str, job_id: str, table: str):
        self.rest_url = rest_url.rstrip("/")
        self.job_id = job_id
        self._metric = re.compile(rf"^\d+\.Source__{re.escape(table)}\[\d+\]\.numRecordsOut$")
        self._table = table
        self._queries: list[str] | None = None

    def _get(self, path: str) -> Any:
        with urllib.request.urlopen(self.rest_url + path, timeout=_REST_TIMEOUT) as response:
            return json.load(response)

    def emitted(self) -> int | None:
        try:
            if self._queries is None:
                queries = []
                job = self._get(f"/jobs/{self.job_id}")
                for vertex in job.get("vertices", []):
                    if f"Source: {self._table}" not in vertex.get("name", ""):
                        continue
                    base = f"/jobs/{self.job_id}/vertices/{vertex['id']}/metrics"
                    ids = [m["id"] for m in self._get(base) if self._metric.match(m["id"])]
                    if not ids:
                        return None  # the task's metrics are not reported yet
                    queries.append(f"{base}?get={','.join(ids)}")
                if not queries:
                    return None
                self._queries = queries
            totals = []
            for query in self._queries:
                values = self._get(query)
                if not values:
                    return None
                totals.append(sum(int(float(v["value"])) for v in values))
            return min(totals)  # a source scanned twice emits every record twice
        except (OSError, ValueError, KeyError):
            return None


class LiveFlinkJob:
    """Run a Flink job live between a Kinesis source stream and a Kinesis sink stream.

    ``job`` is a job module (or a :class:`~sim.flink.runner.JobSpec`); ``kinesis`` a boto3
    Kinesis client (thread-safe; shared by both threads); ``partition_key`` a sink column or
    columns (default: a random UUID per row from ``random.Random(seed)``);
    ``starting_position`` ``"LATEST"`` (default: records put after ``start()``),
    ``"TRIM_HORIZON"``, or a ``datetime`` (``AT_TIMESTAMP``); ``config`` extra PyFlink
    configuration (it overrides the bridge's). See the module docstring.
    """

    def __init__(
        self,
        job: ModuleType | JobSpec | Any,
        kinesis: Any,
        source_stream: str,
        sink_stream: str,
        *,
        partition_key: str | Sequence[str] | None = None,
        starting_position: str | datetime = "LATEST",
        config: Mapping[str, str] | None = None,
        seed: int = 0,
        poll_interval: float = DEFAULT_POLL_INTERVAL,
        monitor_interval: float = DEFAULT_MONITOR_INTERVAL,
        commit_interval: float = DEFAULT_COMMIT_INTERVAL,
        work_dir: str | None = None,
    ):
        self.spec = job if isinstance(job, JobSpec) else JobSpec.from_module(job)
        if isinstance(starting_position, str) and starting_position not in _POSITIONS:
            raise ValueError(
                f"starting_position: expected LATEST, TRIM_HORIZON or a datetime, "
                f"found {starting_position!r}"
            )
        if isinstance(starting_position, datetime) and starting_position.tzinfo is None:
            raise ValueError("starting_position: a datetime needs a time zone")
        self.kinesis = kinesis
        self.source_stream = source_stream
        self.sink_stream = sink_stream
        if isinstance(partition_key, str):
            partition_key = [partition_key]
        self.partition_key = list(partition_key) if partition_key else None
        self.starting_position = starting_position
        self.poll_interval = poll_interval
        self.monitor_interval = monitor_interval
        self.commit_interval = commit_interval
        self.config = dict(config or {})
        self._rng = random.Random(seed)
        self._work_dir = work_dir

        self._lock = threading.Lock()
        self._rows: list[LiveRow] = []
        self._records_read = 0
        self._error: FlinkJobError | None = None
        self._started = False
        self._stopped = False

        # Flink
        self._t_env: Any = None
        self._tables: tuple[str, str] | None = None
        self._job_client: Any = None
        self._result_future: Any = None
        self._progress: _SourceProgress | None = None
        self._cancelling = False  # the job's end is ours: do not report it as a failure

        # reader
        self._dir: str | None = None
        self._source_dir = self._sink_dir = ""
        self._shards: dict[str, _Shard] = {}
        self._relist_due = False  # a shard ended: list the shards again (for its children)
        self._pending = _Pending()
        self._files: list[tuple[str, int, int]] = []  # (path, rows through it, its rows)
        self._file_seq = itertools.count(1)
        self._rows_handed = 0  # rows in the files written so far
        self._rows_skipped = 0  # rows Flink's source did not emit (see _STALL_SECONDS)
        self._last_emitted: int | None = None
        self._last_move = 0.0  # monotonic time Flink's count last moved or a file was written
        self._reader_drain = False
        self._reader_deadline = float("inf")
        self._stop_reading = threading.Event()
        self._reader: threading.Thread | None = None

        # writer
        self._committed: set[str] = set()
        self._writer_final = threading.Event()
        self._writer_deadline = float("inf")
        self._writer: threading.Thread | None = None

    # -- what a caller sees --------------------------------------------------------------------
    @property
    def name(self) -> str:
        return self.spec.name

    @property
    def records_read(self) -> int:
        """Records read from the source stream."""
        with self._lock:
            return self._records_read

    @property
    def rows_written(self) -> int:
        """Rows put onto the sink stream (acknowledged by ``PutRecords``)."""
        with self._lock:
            return len(self._rows)

    @property
    def rows(self) -> list[LiveRow]:
        """The rows put onto the sink stream so far, in the order they were put."""
        with self._lock:
            return list(self._rows)

    @property
    def error(self) -> FlinkJobError | None:
        """The job's failure (or the bridge's), as soon as it is known; else None."""
        return self._error

    def check(self) -> None:
        """Raise the job's :class:`FlinkJobError` if it has failed."""
        if self._error is not None:
            raise self._error

    def wait_rows(self, count: int, timeout: float = 30.0) -> list[LiveRow]:
        """Wait until at least ``count`` rows have been put; returns the rows. Raises the job's
        error if it fails meanwhile, ``TimeoutError`` after ``timeout`` seconds."""
        deadline = time.monotonic() + timeout
        while True:
            self.check()
            rows = self.rows
            if len(rows) >= count:
                return rows
            if time.monotonic() >= deadline:
                raise TimeoutError(
                    f"Flink job {self.name!r}: {len(rows)} of {count} rows after {timeout:g} s"
                )
            time.sleep(0.05)

    # -- start -----------------------------------------------------------------------------------
    def start(self) -> LiveFlinkJob:
        """Submit the job and start the reader and writer threads. Raises FlinkJobError."""
        if self._started:
            return self
        self._started = True
        try:
            self.spec.check()  # a schema or event time the bridge cannot declare
        except FlinkJobError:
            self._stopped = True
            raise
        n = next(_counter)
        self._dir = tempfile.mkdtemp(prefix=f"streamlab-live-{n}-", dir=self._work_dir)
        self._source_dir = os.path.join(self._dir, "source")
        self._sink_dir = os.path.join(self._dir, "sink")
        os.makedirs(self._source_dir)
        os.makedirs(self._sink_dir)
        try:
            # Iterators first: LATEST means from start(), not from when Flink is up.
            self._list_shards(first=True)
            self._kinesis_call("list sink stream", self.sink_stream, self._check_sink)
            for attempt in itertools.count():
                try:
                    self._submit(n)  # a new environment each time
                    break
                except FlinkJobError as error:
                    if attempt < PLANNER_THREAD_RETRIES and planner_thread_error(error.details):
                        continue
                    raise
        except BaseException:
            self._stopped = True
            self._cleanup()
            raise
        self._last_move = time.monotonic()
        self._reader = threading.Thread(target=self._read_loop, name=f"live-reader-{n}")
        self._writer = threading.Thread(target=self._write_loop, name=f"live-writer-{n}")
        for thread in (self._reader, self._writer):
            thread.daemon = True
            thread.start()
        return self

    def _check_sink(self) -> None:
        self.kinesis.list_shards(StreamName=self.sink_stream)

    def _flink_config(self) -> dict[str, str]:
        commit = f"{round(self.commit_interval * 1000)} ms"
        return {
            "table.local-time-zone": "UTC",
            "pipeline.name": self.spec.name,
            "execution.checkpointing.interval": commit,
            "restart-strategy.type": "none",
            "metrics.fetcher.update-interval": "100",
            **{k: str(v) for k, v in self.config.items()},
        }

    def _submit(self, n: int) -> None:
        from pyflink.datastream import StreamExecutionEnvironment
        from pyflink.table import EnvironmentSettings, StreamTableEnvironment

        from sim.flink.jvm import gateway

        spec = self.spec
        source_table, sink_table = f"streamlab_live_source_{n}", f"streamlab_live_sink_{n}"
        commit = f"{round(self.commit_interval * 1000)} ms"
        source = source_ddl(
            source_table,
            spec.source_schema,
            spec.event_time_field,
            spec.watermark_delay,
            {
                "connector": "filesystem",
                "path": self._source_dir,
                "format": "json",
                "source.monitor-interval": f"{round(self.monitor_interval * 1000)} ms",
                **spec.source_options,
            },
            event_time_from=spec.event_time_from,
        )
        sink = sink_ddl(
            sink_table,
            spec.sink_schema,
            {
                "connector": "filesystem",
                "path": self._sink_dir,
                "format": "json",
                "sink.rolling-policy.rollover-interval": commit,
                "sink.rolling-policy.inactivity-interval": commit,
                "sink.rolling-policy.check-interval": commit,
            },
        )
        try:
            gateway()  # the JVM, with options for short jobs (sim/flink/jvm.py)
            env = StreamExecutionEnvironment.get_execution_environment()
            env.set_parallelism(1)
            t_env = StreamTableEnvironment.create(
                env, environment_settings=EnvironmentSettings.in_streaming_mode()
            )
            for key, value in self._flink_config().items():
                t_env.get_config().set(key, value)
            self._t_env = t_env
            t_env.execute_sql(source)
            t_env.execute_sql(sink)
            self._tables = (source_table, sink_table)
            result = FlinkRunner._submit(spec, t_env, source_table, sink_table)
            client = result.get_job_client()
            if client is None:
                raise FlinkJobError(spec.name, "build() ran no job (no INSERT into the sink)")
            self._job_client = client
            self._result_future = client.get_job_execution_result()
        except FlinkJobError:
            raise
        except Exception as exc:  # Py4JJavaError, pyflink JavaException, Python errors
            message, details = flink_root_cause(exc)
            raise FlinkJobError(spec.name, message, details) from None
        self._progress = self._source_progress(client, source_table)

    @staticmethod
    def _source_progress(client: Any, table: str) -> _SourceProgress | None:
        """The REST API of the job's MiniCluster (PyFlink's local executor), if reachable."""
        try:
            j_client = client._j_job_client
            holder = j_client.getClass().getDeclaredField("miniCluster")
            holder.setAccessible(True)
            rest = str(holder.get(j_client).getRestAddress().get().toString())
            return _SourceProgress(rest, str(j_client.getJobID().toString()), table)
        except Exception:  # not a MiniCluster job client, or no REST endpoint
            log.info("live bridge: no MiniCluster REST API; pacing source files by time")
            return None

    # -- stop -------------------------------------------------------------------------------------
    def stop(self, drain: bool = False, timeout: float = 60.0) -> None:
        """Stop reading, end the job, put what Flink committed, remove the temporary files.

        ``drain=True`` first lets Flink read every record already read from the stream, then
        stops the job with a savepoint and drain: the final watermark fires every open window
        and the sink commits them. Otherwise the job is cancelled. Raises the job's
        :class:`FlinkJobError` if it failed (also when the drain does not end in ``timeout``).
        """
        if not self._started or self._stopped:
            self.check()
            return
        self._stopped = True
        deadline = time.monotonic() + timeout
        try:
            self._reader_drain = drain
            self._reader_deadline = deadline
            self._stop_reading.set()
            if self._reader is not None:
                self._reader.join(max(0.0, deadline - time.monotonic()))
            if drain and self._error is None and not self._result_future.done():
                self._drain(deadline)
            self._end_job(deadline)
            self._writer_deadline = deadline
            self._writer_final.set()
            if self._writer is not None:
                self._writer.join(max(0.0, deadline - time.monotonic()) + 1.0)
        finally:
            self._cleanup()
        self.check()

    def _drain(self, deadline: float) -> None:
        """Wait for Flink's source to emit every line handed to it, then stop with drain."""
        from pyflink.java_gateway import get_gateway

        self._wait_caught_up(deadline)
        if self._error is not None:
            return
        savepoints = Path(str(self._dir), "savepoints")
        savepoints.mkdir(exist_ok=True)
        gateway = get_gateway()
        fmt = gateway.jvm.org.apache.flink.core.execution.SavepointFormatType.CANONICAL
        self._cancelling = True
        j_client = self._job_client._j_job_client
        failure: Exception | None = None
        # A savepoint fails while the job's tasks are still being deployed ("Not all required
        # tasks are currently running"): try again until the deadline.
        while time.monotonic() < deadline and not self._result_future.done():
            try:
                # PyFlink 2.3.0's JobClient.stop_with_savepoint calls the two-argument Java
                # method that Flink 2 replaced; call the three-argument one.
                future = j_client.stopWithSavepoint(True, savepoints.as_uri(), fmt)
                while not future.isDone() and time.monotonic() < deadline:
                    time.sleep(0.05)
                if not future.isDone():
                    break
                if not future.isCompletedExceptionally():
                    return
                future.get()  # raises the savepoint's failure
            except Exception as exc:
                failure = exc
            time.sleep(0.2)
        if self._result_future.done():
            return  # it ended meanwhile; _end_job reports how
        if failure is not None:
            message, details = flink_root_cause(failure)
            self._fail(FlinkJobError(self.name, f"could not drain: {message}", details))
        else:
            self._fail(FlinkJobError(self.name, "did not drain within the stop timeout"))

    def _wait_caught_up(self, deadline: float) -> None:
        if self._progress is None:
            # No count to wait for: give Flink's scan time to find the last file and read it.
            time.sleep(min(max(0.0, deadline - time.monotonic()), 2 * self.monitor_interval + 0.5))
            return
        while time.monotonic() < deadline and self._error is None:
            if self._flink_caught_up():
                return
            if self._result_future.done():
                return
            time.sleep(0.05)

    def _end_job(self, deadline: float) -> None:
        """Cancel the job if it still runs, and wait until it has ended."""
        future = self._result_future
        if future is None:
            return
        self._cancelling = True
        if not future.done():
            with contextlib.suppress(Exception):  # it may have ended meanwhile
                self._job_client.cancel()
        while not future.done() and time.monotonic() < deadline:
            time.sleep(0.05)
        self._watch_job()

    def _cleanup(self) -> None:
        if self._t_env is not None and self._tables is not None:
            for table in self._tables:
                with contextlib.suppress(Exception):
                    self._t_env.execute_sql(f"DROP TEMPORARY TABLE IF EXISTS {table}")
        self._tables = None
        if self._dir is not None:
            shutil.rmtree(self._dir, ignore_errors=True)
            self._dir = None

    def __enter__(self) -> LiveFlinkJob:
        return self.start()

    def __exit__(self, exc_type: Any, exc: BaseException | None, tb: Any) -> None:
        if exc is None:
            self.stop()
            return
        try:
            self.stop()
        except FlinkJobError as err:  # do not hide the body's exception; tell both
            if err is not exc:
                exc.add_note(str(err))

    def _fail(self, error: FlinkJobError) -> None:
        with self._lock:
            if self._error is None:
                self._error = error

    # -- the reader: Kinesis -> source files ----------------------------------------------------
    def _kinesis_call(self, what: str, stream: str, call: Any, *args: Any, **kwargs: Any) -> Any:
        try:
            return call(*args, **kwargs)
        except ClientError as error:
            raise FlinkJobError(
                self.name, f"the live bridge could not {what} {stream!r}: {_aws_message(error)}"
            ) from None

    def _start_args(self) -> dict[str, Any]:
        if isinstance(self.starting_position, datetime):
            return {"ShardIteratorType": "AT_TIMESTAMP", "Timestamp": self.starting_position}
        return {"ShardIteratorType": self.starting_position}

    def _list_shards(self, first: bool) -> None:
        """Track shards not seen before: at start from the starting position, later (children
        of a split or merge) from their first record."""

        def listing() -> list[dict[str, Any]]:
            paginator = self.kinesis.get_paginator("list_shards")
            return [s for page in paginator.paginate(StreamName=self.source_stream) for s in page["Shards"]]  # fmt: skip

        try:
            descriptions = listing()
        except ClientError as error:
            if not first and _error_code(error) in _RETRYABLE:
                self._relist_due = True  # throttled: again next round
                return
            raise FlinkJobError(
                self.name,
                f"the live bridge could not list shards of {self.source_stream!r}: "
                f"{_aws_message(error)}",
            ) from None
        self._relist_due = False
        for description in descriptions:
            shard_id = description["ShardId"]
            if shard_id in self._shards:
                continue
            parents = tuple(
                p
                for p in (
                    description.get("ParentShardId"),
                    description.get("AdjacentParentShardId"),
                )
                if p
            )
            closed = "EndingSequenceNumber" in description.get("SequenceNumberRange", {})
            start = self._start_args() if first else {"ShardIteratorType": "TRIM_HORIZON"}
            shard = _Shard(shard_id, parents, start)
            if first and closed and self.starting_position == "LATEST":
                shard.done = True  # nothing will be added to it
            self._shards[shard_id] = shard
        if first:
            for shard in self._shards.values():
                if self._ready(shard):
                    shard.iterator = self._kinesis_call(
                        "get a shard iterator for", self.source_stream, self._new_iterator, shard
                    )

    def _ready(self, shard: _Shard) -> bool:
        """Not done, and its parents (if we know them) are read to their end."""
        if shard.done:
            return False
        return all(p not in self._shards or self._shards[p].done for p in shard.parents)

    def _new_iterator(self, shard: _Shard) -> str:
        args: dict[str, Any] = {"StreamName": self.source_stream, "ShardId": shard.shard_id}
        if shard.last_sequence is not None:
            args.update(
                ShardIteratorType="AFTER_SEQUENCE_NUMBER",
                StartingSequenceNumber=shard.last_sequence,
            )
        else:
            args.update(shard.start)
        return self.kinesis.get_shard_iterator(**args)["ShardIterator"]

    def _poll(self, shard: _Shard, batch: list[tuple[float, int, bytes]]) -> tuple[bool, bool]:
        """One GetRecords on ``shard``; appends (arrival, order, data). Returns
        (more waiting, shard ended)."""
        try:
            if shard.iterator is None:
                shard.iterator = self._new_iterator(shard)
            response = self.kinesis.get_records(
                ShardIterator=shard.iterator, Limit=GET_RECORDS_LIMIT
            )
        except ClientError as error:
            code = _error_code(error)
            if code == "ExpiredIteratorException":
                shard.iterator = None  # renewed after the last record read
                return True, False
            if code in _RETRYABLE:
                shard.failures += 1
                shard.retry_at = time.monotonic() + _backoff(shard.failures)
                return False, False
            raise FlinkJobError(
                self.name,
                f"the live bridge could not read {self.source_stream!r} "
                f"(shard {shard.shard_id}): {_aws_message(error)}",
            ) from None
        shard.failures = 0
        records = response.get("Records", [])
        for record in records:
            stamp = record.get("ApproximateArrivalTimestamp")
            arrival = stamp.timestamp() if isinstance(stamp, datetime) else float(stamp or 0)
            batch.append((arrival, len(batch), record["Data"]))
            shard.last_sequence = record["SequenceNumber"]
        with self._lock:
            self._records_read += len(records)
        shard.iterator = response.get("NextShardIterator")
        if shard.iterator is None:
            shard.done = True
            return False, True
        more = len(records) >= GET_RECORDS_LIMIT or response.get("MillisBehindLatest", 0) > 0
        return more, False

    def _round(self) -> bool:
        """Poll every readable shard once (and children of shards that ended); buffer the
        records in arrival order. Returns whether records are still waiting."""
        batch: list[tuple[float, int, bytes]] = []
        polled: set[str] = set()
        more = False
        while True:
            now = time.monotonic()
            due = [
                s
                for s in sorted(self._shards.values(), key=lambda s: s.shard_id)
                if s.shard_id not in polled and self._ready(s) and s.retry_at <= now
            ]
            if not due and not self._relist_due:
                break
            for shard in due:
                polled.add(shard.shard_id)
                waiting, closed = self._poll(shard, batch)
                more |= waiting
                self._relist_due |= closed
            if not self._relist_due:
                break
            self._list_shards(first=False)  # the children of what ended, read at once
            if self._relist_due:
                break  # throttled
        batch.sort(key=lambda r: (r[0], r[1]))
        for _arrival, _order, data in batch:
            line = data.rstrip(b"\r\n").replace(b"\r", b" ").replace(b"\n", b" ")
            if line.strip():
                self._pending.lines.append(line)
                self._pending.rows += _is_row(line)
        return more

    def _flink_caught_up(self) -> bool:
        """Whether Flink has read every file written so far (so the next one may be written)."""
        now = time.monotonic()
        if self._rows_handed <= self._rows_skipped:
            return True  # nothing handed over yet
        if self._progress is None:
            return now - self._last_move >= 2 * self.monitor_interval + 0.2
        emitted = self._progress.emitted()
        if emitted is not None and emitted != self._last_emitted:
            self._last_emitted, self._last_move = emitted, now
        if emitted is not None and emitted + self._rows_skipped >= self._rows_handed:
            self._delete_read_files(emitted + self._rows_skipped)
            return True
        if emitted is not None and now - self._last_move >= _STALL_SECONDS:
            log.warning(
                "live bridge %r: Flink's source emitted %d of %d rows and has not moved for "
                "%g s; counting the rest as skipped",
                self.name,
                emitted + self._rows_skipped,
                self._rows_handed,
                _STALL_SECONDS,
            )
            self._rows_skipped = self._rows_handed - emitted
            return True
        return False

    def _delete_read_files(self, rows_read: int) -> None:
        """Delete the files whose rows Flink has all emitted (a file without rows stays until
        the end: nothing tells when it was read)."""
        keep = []
        for path, through, rows in self._files:
            if rows and through <= rows_read:
                with contextlib.suppress(OSError):
                    os.remove(path)
            else:
                keep.append((path, through, rows))
        self._files = keep

    def _hand_over(self) -> None:
        """Write the buffered lines as one new file in the monitored directory."""
        pending = self._pending
        if not pending.lines or not self._flink_caught_up():
            return
        name = f"records-{next(self._file_seq):08d}.json"
        hidden = os.path.join(self._source_dir, f".{name}.tmp")
        with open(hidden, "wb") as out:
            out.write(b"\n".join(pending.lines) + b"\n")
        path = os.path.join(self._source_dir, name)
        os.rename(hidden, path)
        self._rows_handed += pending.rows
        self._last_move = time.monotonic()
        if self._progress is not None:
            self._files.append((path, self._rows_handed, pending.rows))
        self._pending = _Pending()

    def _read_loop(self) -> None:
        try:
            while self._error is None:
                stopping = self._stop_reading.is_set()
                more = self._round()  # also after stop(): what was put before it is read
                self._hand_over()
                if stopping:
                    while (
                        self._reader_drain
                        and self._pending.lines
                        and self._error is None
                        and time.monotonic() < self._reader_deadline
                    ):
                        time.sleep(0.05)
                        self._hand_over()
                    return
                if not more:
                    self._stop_reading.wait(self.poll_interval)
        except FlinkJobError as error:
            self._fail(error)
        except Exception as exc:  # a bug or an unexpected client error: tell, do not hang
            self._fail(FlinkJobError(self.name, f"the live bridge's reader failed: {exc!r}"))

    # -- the writer: committed sink files -> Kinesis --------------------------------------------
    def _watch_job(self) -> None:
        """Record the job's failure once it has ended (unless we ended it)."""
        future = self._result_future
        if future is None or not future.done():
            return
        try:
            future.result()
        except Exception as exc:
            message, details = flink_root_cause(exc)
            if not (self._cancelling and "JobCancellationException" in details):
                self._fail(FlinkJobError(self.name, message, details))
            return
        if not self._cancelling:
            self._fail(FlinkJobError(self.name, "the job finished, though its source is unbounded"))

    def _committed_files(self) -> list[str]:
        found: list[tuple[tuple[int, int, str], str]] = []
        for root, _dirs, filenames in os.walk(self._sink_dir):
            for filename in filenames:
                if filename.startswith((".", "_")):
                    continue  # in-progress and pending part files, markers
                path = os.path.join(root, filename)
                if path in self._committed:
                    continue
                m = _PART_FILE.search(filename)
                key = (int(m.group(1)), int(m.group(2)), path) if m else (0, 0, path)
                found.append((key, path))
        return [path for _key, path in sorted(found)]

    def _partition_key(self, row: dict[str, Any]) -> str:
        if self.partition_key is None:
            return str(uuid.UUID(int=self._rng.getrandbits(128), version=4))
        values = ["null" if row.get(c) is None else str(row.get(c)) for c in self.partition_key]
        return PARTITION_KEY_DELIMITER.join(values)[:PARTITION_KEY_MAX_LENGTH] or "null"

    def _put_file(self, path: str) -> None:
        entries: list[tuple[bytes, str, dict[str, Any]]] = []
        with open(path, "rb") as f:
            for raw in f:
                line = raw.rstrip(b"\r\n")
                if line.strip():
                    row = json.loads(line)
                    entries.append((line, self._partition_key(row), row))
        chunk: list[tuple[bytes, str, dict[str, Any]]] = []
        size = 0
        for entry in entries:
            entry_size = len(entry[0]) + len(entry[1].encode())
            if chunk and (
                len(chunk) >= PUT_RECORDS_MAX_RECORDS or size + entry_size > PUT_RECORDS_MAX_BYTES
            ):
                self._put_records(chunk)
                chunk, size = [], 0
            chunk.append(entry)
            size += entry_size
        if chunk:
            self._put_records(chunk)
        self._committed.add(path)

    def _put_records(self, entries: list[tuple[bytes, str, dict[str, Any]]]) -> None:
        """PutRecords, re-sending only the failed entries, with exponential backoff."""
        attempt = 0
        while entries:
            try:
                response = self.kinesis.put_records(
                    StreamName=self.sink_stream,
                    Records=[{"Data": data, "PartitionKey": key} for data, key, _ in entries],
                )
                results = response["Records"]
            except ClientError as error:
                if _error_code(error) not in _RETRYABLE:
                    raise FlinkJobError(
                        self.name,
                        f"the live bridge could not write {self.sink_stream!r}: "
                        f"{_aws_message(error)}",
                    ) from None
                results = None
            if results is not None:
                now = datetime.now(UTC)
                failed = []
                with self._lock:
                    for entry, result in zip(entries, results, strict=True):
                        if result.get("ErrorCode"):
                            failed.append(entry)
                        else:
                            self._rows.append(
                                LiveRow(
                                    now,
                                    entry[2],
                                    entry[1],
                                    result["ShardId"],
                                    result["SequenceNumber"],
                                )
                            )
                entries = failed
            if entries:
                attempt += 1
                if time.monotonic() >= self._writer_deadline:
                    raise FlinkJobError(
                        self.name,
                        f"the live bridge could not put {len(entries)} rows onto "
                        f"{self.sink_stream!r} before the stop timeout",
                    )
                time.sleep(_backoff(attempt))

    def _write_loop(self) -> None:
        try:
            while True:
                final = self._writer_final.is_set()
                self._watch_job()
                for path in self._committed_files():
                    self._put_file(path)
                if final:
                    return
                self._writer_final.wait(_WRITER_INTERVAL)
        except FlinkJobError as error:
            self._fail(error)
        except Exception as exc:
            self._fail(FlinkJobError(self.name, f"the live bridge's writer failed: {exc!r}"))
