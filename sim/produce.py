"""``sim produce``: the OpenAQ seeds' ``generate-test-data.py``, on the wall clock.

    sim produce openaq [--rate PER_MINUTE] [--count N] [--duration 10m] [--seed N]
                       [--param KEY=VALUE]... (--db URL | --config FILE | --stream NAME
                       [--endpoint-url URL])

The seeds fed their pipelines with ``generate-test-data.py``: measurements at a rate per
minute (default 100), through the ingestion Lambda, into MariaDB (batch seed: a local database,
or one from a configuration file) or onto a Kinesis stream (streaming seed). This command does
the same with a streamlab producer (``openaq``: :class:`producers.openaq.OpenAQProducer`, made
by :func:`sim.producer_registry.create_producer`):

* the producer ticks on the **wall clock** at ``--rate`` ticks per minute (0: as fast as
  possible), each tick stamped with the time it is emitted;
* every measurement goes through the ingestion Lambda's own code
  (:func:`consumers.openaq_ingest.ingest`): the same validation, and the same storage,
  :func:`~consumers.openaq_ingest.insert_measurements` into the table ``measurements`` of
  ``--db URL`` (an SQLAlchemy URL) or of the database a ``--config FILE`` names, or
  :func:`~consumers.openaq_ingest.put_measurements` onto ``--stream NAME`` (at
  ``--endpoint-url URL``, e.g. the one ``sim up`` serves, else AWS as boto3 is configured).
  Measurements due at the same moment (a high rate, or a command that fell behind) go in one
  call, at most :data:`MAX_BATCH`;
* it prints one progress line per minute and a summary: how many measurements, how many stored,
  how many rejected and why;
* ``--count N`` stops after N measurements, ``--duration`` after that long, a replay
  (``--param from_file=…``) at its end; Ctrl-C stops cleanly (a transaction in flight is rolled
  back and not counted) with the summary.

The configuration file is the seed's::

    DB_USERNAME = "..."
    DB_PASSWORD = "..."
    DB_HOSTNAME = "..."

with optional ``DB_PORT = "3306"`` and ``DB_NAME = "openaq"``; blank lines and ``#`` comments
are allowed. It is read as data (each value a quoted Python string literal), never executed. A
bad line is reported with the file and line number, never with its value.

Passwords never reach the output: a database is shown as its URL with the password as ``***``
and errors are scrubbed of it. Exit status 0 when the command ran (also after Ctrl-C), 2 for bad
input (options, the configuration file, an unknown producer) or a target that cannot be used
(the database cannot be reached or has no table ``measurements``, no such stream), also when it
fails during the run (the summary then says how far it got).
"""

from __future__ import annotations

import argparse
import ast
import json
import math
import random
import re
import sys
import time
from collections import Counter
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, TextIO

EXIT_OK, EXIT_USAGE = 0, 2
PROGRESS_INTERVAL_S = 60.0  # one progress line per minute
MAX_BATCH = 500  # measurements per call at most (PutRecords' limit; one transaction)
IDLE_SLEEP_S = 0.01  # at rate 0, when the producer has nothing due (a replay waiting)
DEFAULT_ENDPOINT_REGION = "us-east-1"  # the embedded backend's, when nothing else is set
ENDPOINT_CREDENTIALS = ("test", "test")  # for an endpoint when no credentials are configured
CONFIG_SETTINGS = ("DB_USERNAME", "DB_PASSWORD", "DB_HOSTNAME", "DB_PORT", "DB_NAME")
CONFIG_REQUIRED = ("DB_USERNAME", "DB_PASSWORD", "DB_HOSTNAME")  # the seed's three lines
_CONFIG_LINE = re.compile(r"^\s*([A-Za-z_][A-Za-z0-9_]*)\s*=(.*)$")


class ProduceError(Exception):
    """Bad input or an unusable target; the message names what and is safe to print."""


class ConfigFileError(ProduceError):
    """A configuration file that cannot be used: file, line, setting, never a value."""


@dataclass(frozen=True)
class WallClock:
    """The clock the command runs on: ``now()`` in epoch seconds and ``sleep(seconds)``.
    Tests pass a fake pair that moves time forward when asked to sleep."""

    now: Callable[[], float] = time.time
    sleep: Callable[[float], None] = time.sleep


# -- argparse helpers (for sim/cli.py) -------------------------------------------------------
def duration_arg(text: str) -> float:
    """``--duration``: seconds, or ``90s``, ``10m``, ``1h30m``."""
    from sim.clock.durations import parse_duration

    try:
        seconds = parse_duration(float(text) if _is_float(text) else text)
    except ValueError as error:
        raise argparse.ArgumentTypeError(str(error)) from None
    if seconds <= 0:
        raise argparse.ArgumentTypeError(f"a duration must be positive, found {text!r}")
    return seconds


def param_arg(text: str) -> tuple[str, Any]:
    """``--param KEY=VALUE``: the value as JSON when it is JSON (``0.05``,
    ``["Brussels","Ghent"]``), else as a string (``from_file=data.csv``)."""
    key, sep, value = text.partition("=")
    if not sep or not key.strip():
        raise argparse.ArgumentTypeError(f"expected KEY=VALUE, found {text!r}")
    try:
        return key.strip(), json.loads(value)
    except json.JSONDecodeError:
        return key.strip(), value


def _is_float(text: str) -> bool:
    try:
        float(text)
    except ValueError:
        return False
    return True


# -- the configuration file ------------------------------------------------------------------
def read_config(path: str | Path) -> dict[str, str]:
    """The settings of a seed-style database configuration file (see the module docstring)."""
    path = Path(path)
    try:
        text = path.read_text(encoding="utf-8-sig")
    except OSError as error:
        raise ConfigFileError(f"{path}: cannot read: {error.strerror or error}") from None
    except UnicodeDecodeError:
        raise ConfigFileError(f"{path}: not UTF-8 text") from None
    settings: dict[str, str] = {}
    lines: dict[str, int] = {}
    for number, line in enumerate(text.splitlines(), start=1):
        if not line.strip() or line.lstrip().startswith("#"):
            continue
        where = f"{path}: line {number}"
        match = _CONFIG_LINE.match(line)
        if match is None:
            raise ConfigFileError(
                f'{where}: expected a setting such as DB_HOSTNAME = "localhost" '
                f'(NAME = "value"; {", ".join(CONFIG_REQUIRED)})'
            )
        name, value = match.group(1), match.group(2)
        if name not in CONFIG_SETTINGS:
            raise ConfigFileError(
                f"{where}: unknown setting {name} (expected {', '.join(CONFIG_SETTINGS)})"
            )
        if name in lines:
            raise ConfigFileError(f"{where}: {name} is set twice (first on line {lines[name]})")
        try:
            parsed = ast.literal_eval(value.strip())
        except (ValueError, SyntaxError, MemoryError, RecursionError):
            parsed = None
        if name == "DB_PORT" and isinstance(parsed, int) and not isinstance(parsed, bool):
            parsed = str(parsed)
        if not isinstance(parsed, str):
            raise ConfigFileError(
                f'{where}: the value of {name} must be a quoted string, as in {name} = "..."'
            )
        if not parsed.strip() and name != "DB_PASSWORD":
            raise ConfigFileError(f"{where}: {name} is empty")
        settings[name] = parsed
        lines[name] = number
    missing = [name for name in CONFIG_REQUIRED if name not in settings]
    if missing:
        raise ConfigFileError(
            f"{path}: missing {', '.join(missing)} (the file sets DB_USERNAME, DB_PASSWORD and "
            'DB_HOSTNAME, one per line, as DB_HOSTNAME = "localhost")'
        )
    return settings


# -- targets ---------------------------------------------------------------------------------
@dataclass
class Target:
    """Where the measurements go: ``deliver(measurements)`` stores them; ``label`` says where
    (passwords hidden); ``scrub(text)`` hides the password in an error's text."""

    label: str
    deliver: Callable[[list[dict[str, Any]]], Any]
    scrub: Callable[[str], str] = field(default=lambda text: text)


def database_target(db_url: str | None, config_file: str | None) -> Target:
    """The database of ``--db URL`` or ``--config FILE``, checked: reachable, with its table."""
    from sqlalchemy import inspect
    from sqlalchemy.exc import SQLAlchemyError

    from consumers import openaq_ingest as ingest

    if config_file is not None:
        settings: Mapping[str, str] = read_config(config_file)
        source = config_file
    else:
        settings, source = {"DB_URL": db_url or ""}, "--db"
    try:
        url = ingest.database_url(settings)
        engine = ingest.engine_for(url)
    except ingest.DatabaseNotConfigured as error:
        message = str(error)
        if source == "--db":  # the Lambda's words are about its DB_URL variable
            message = message.replace("DB_URL is not", "not")
        raise ProduceError(f"{source}: {message}") from None
    label = ingest.redact(url)
    on_disk = url.get_backend_name() == "sqlite" and url.database not in (None, "", ":memory:")
    if on_disk and not Path(url.database).is_file():  # SQLite would create an empty file
        raise ProduceError(
            f"{label}: no such database file (create it with the table of "
            "queries/initialization/01_measurements.sql)"
        )
    try:
        with ingest.connect(engine) as connection:
            has_table = inspect(connection).has_table(ingest.TABLE)
    except ingest.DatabaseUnavailable as error:
        raise ProduceError(str(error)) from None
    except SQLAlchemyError as error:
        raise ProduceError(f"{label}: {ingest.scrub(str(error), url)}") from None
    if not has_table:
        raise ProduceError(
            f"{label} has no table {ingest.TABLE} "
            "(create it with queries/initialization/01_measurements.sql)"
        )
    return Target(
        label=label,
        deliver=lambda measurements: ingest.insert_measurements(engine, measurements),
        scrub=lambda text: ingest.scrub(text, url),
    )


def stream_target(stream: str, endpoint_url: str | None) -> Target:
    """The Kinesis stream ``stream`` (at ``endpoint_url``), checked to exist."""
    import os

    import boto3
    from botocore.exceptions import BotoCoreError, ClientError

    from consumers import openaq_ingest as ingest

    where = endpoint_url or "AWS"
    region = os.environ.get("AWS_REGION") or os.environ.get("AWS_DEFAULT_REGION")
    session = boto3.Session()
    region = region or session.region_name or (DEFAULT_ENDPOINT_REGION if endpoint_url else None)
    credentials: dict[str, str] = {}
    if endpoint_url and session.get_credentials() is None:
        key, secret = ENDPOINT_CREDENTIALS
        credentials = {"aws_access_key_id": key, "aws_secret_access_key": secret}
    try:
        client = session.client(
            "kinesis", endpoint_url=endpoint_url, region_name=region, **credentials
        )
        client.describe_stream_summary(StreamName=stream)
    except ClientError as error:
        if error.response.get("Error", {}).get("Code") == "ResourceNotFoundException":
            raise ProduceError(f"no stream {stream} at {where}") from None
        raise ProduceError(f"stream {stream} at {where}: {error}") from None
    except BotoCoreError as error:  # no region, no credentials, endpoint unreachable
        raise ProduceError(f"stream {stream} at {where}: {error}") from None
    return Target(
        label=f"stream {stream} at {where}",
        deliver=lambda measurements: ingest.put_measurements(client, stream, measurements),
    )


# -- the command -----------------------------------------------------------------------------
@dataclass
class Tally:
    """What was sent so far."""

    produced: int = 0  # measurements handed to the ingestion code
    stored: int = 0
    reasons: Counter[str] = field(default_factory=Counter)

    @property
    def rejected(self) -> int:
        return sum(self.reasons.values())


def _check_options(
    rate: float,
    count: int | None,
    duration: float | None,
    db_url: str | None,
    config_file: str | None,
    stream: str | None,
    endpoint_url: str | None,
) -> None:
    if not (isinstance(rate, int | float) and math.isfinite(rate) and rate >= 0):
        raise ProduceError(f"--rate must be 0 (as fast as possible) or more, got {rate!r}")
    if count is not None and count < 0:
        raise ProduceError(f"--count must be 0 or more, got {count}")
    if duration is not None and not (math.isfinite(duration) and duration > 0):
        raise ProduceError(f"--duration must be positive, got {duration!r}")
    targets = [name for name, value in (("--db", db_url), ("--config", config_file)) if value]
    if stream:
        targets.append("--stream")
    if len(targets) != 1:
        raise ProduceError(
            "give one target: --db URL, --config FILE or --stream NAME"
            + (f" (got {' and '.join(targets)})" if targets else "")
        )
    if endpoint_url and not stream:
        raise ProduceError("--endpoint-url goes with --stream NAME")


def produce_command(
    *,
    producer: str,
    rate_per_minute: float,
    count: int | None,
    duration: float | None,
    seed: int | None,
    db_url: str | None,
    config_file: str | None,
    stream: str | None,
    endpoint_url: str | None,
    params: Mapping[str, Any] | None = None,
    clock: WallClock | None = None,
    out: TextIO = sys.stdout,
    err: TextIO = sys.stderr,
) -> int:
    """Run ``sim produce``; returns the exit status (see the module docstring)."""
    from sim.producer_registry import ProducerError, create_producer

    clock = clock or WallClock()
    if seed is None:
        seed = random.SystemRandom().randrange(2**31)
    try:
        _check_options(rate_per_minute, count, duration, db_url, config_file, stream, endpoint_url)
        source = create_producer(producer, random.Random(seed), dict(params or {}))
        if stream:
            target = stream_target(stream, endpoint_url)
        else:
            target = database_target(db_url, config_file)
    except (ProduceError, ProducerError) as error:
        print(f"sim produce: {error}", file=err)
        return EXIT_USAGE
    pace = f"at {rate_per_minute:g}/min" if rate_per_minute else "as fast as possible"
    print(
        f"sim produce: {producer} (seed {seed}) {pace} into {target.label}; Ctrl-C stops",
        file=out,
        flush=True,
    )
    tally = Tally()
    start = clock.now()
    status, ending = EXIT_OK, ""
    try:
        _run(source, target, tally, clock, start, rate_per_minute, count, duration, out)
    except KeyboardInterrupt:
        ending = " (interrupted)"
    except Exception as error:  # the store failed: say so, with the summary
        print(f"sim produce: {target.label}: {target.scrub(_describe(error))}", file=err)
        status, ending = EXIT_USAGE, " (stopped by the error above)"
    print(_summary(tally, clock.now() - start, target.label) + ending, file=out, flush=True)
    return status


def _describe(error: BaseException) -> str:
    return str(error) or type(error).__name__


def _run(
    source: Any,
    target: Target,
    tally: Tally,
    clock: WallClock,
    start: float,
    rate: float,
    count: int | None,
    duration: float | None,
    out: TextIO,
) -> None:
    """The wall-clock loop: tick ``i`` is due at ``start + i × 60 / rate``."""
    from consumers.openaq_ingest import ingest

    interval = 60.0 / rate if rate else 0.0
    end = None if duration is None else start + duration
    ticks = 0
    next_progress = start + PROGRESS_INTERVAL_S
    while not source.finished and (count is None or tally.produced < count):
        now = clock.now()
        if end is not None and now >= end:
            return
        due = start + ticks * interval
        if due > now:
            clock.sleep(min(due, end) - now if end is not None else due - now)
            continue
        batch: list[Any] = []
        while (
            len(batch) < MAX_BATCH
            and not source.finished
            and (count is None or tally.produced + len(batch) < count)
            and start + ticks * interval <= now
        ):
            ticks += 1
            instant = datetime.fromtimestamp(now, UTC)
            for record in source.emit(instant):
                if count is None or tally.produced + len(batch) < count:
                    batch.append(_item(record.data))
        if not batch:
            if not interval:
                clock.sleep(IDLE_SLEEP_S)
            continue
        answer = ingest(batch, target.deliver, log_rejections=False)
        tally.produced += len(batch)
        tally.stored += answer["accepted"]
        tally.reasons.update(entry["reason"] for entry in answer["rejected"])
        now = clock.now()
        if now >= next_progress:
            elapsed = now - start
            print(
                f"[{_clock_text(elapsed)}] {tally.produced} measurements: {tally.stored} "
                f"stored, {tally.rejected} rejected",
                file=out,
                flush=True,
            )
            next_progress = start + (elapsed // PROGRESS_INTERVAL_S + 1) * PROGRESS_INTERVAL_S


def _item(data: bytes) -> Any:
    """A record's measurement; what is not JSON is passed on as text (rejected as such)."""
    try:
        return json.loads(data)
    except (UnicodeDecodeError, json.JSONDecodeError):
        return data.decode("utf-8", "replace")


def _clock_text(seconds: float) -> str:
    minutes, seconds = divmod(int(seconds), 60)
    hours, minutes = divmod(minutes, 60)
    return f"{hours}:{minutes:02d}:{seconds:02d}" if hours else f"{minutes:02d}:{seconds:02d}"


def _summary(tally: Tally, elapsed: float, label: str) -> str:
    text = (
        f"sim produce: {tally.produced} measurements in {elapsed:.1f} s: {tally.stored} stored "
        f"in {label}, {tally.rejected} rejected"
    )
    if tally.reasons:
        reasons = sorted(tally.reasons.items(), key=lambda item: (-item[1], item[0]))
        text += " (" + "; ".join(f"{reason}: {n}" for reason, n in reasons) + ")"
    return text
