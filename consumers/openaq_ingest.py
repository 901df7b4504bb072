"""The OpenAQ labs' ingestion Lambda: measurements in, validated, onto Kinesis or into MariaDB.

Deployed as is to AWS Lambda (handler ``openaq_ingest.lambda_handler``), invoked synchronously
(RequestResponse) by whoever sends measurements: the seeds' ``generate-test-data.py``, a
scenario's producer with ``target: {function: …}``, ``sim produce``. One measurement is
OpenAQ's v2 "measurements" object::

    {"locationId": 4879, "location": "Brussels - Molenbeek", "city": "Brussels",
     "country": "BE", "parameter": "pm25", "value": 12.4, "unit": "µg/m³",
     "date": {"utc": "2026-11-02T09:00:00+00:00", "local": "2026-11-02T10:00:00+01:00"},
     "coordinates": {"latitude": 50.8486, "longitude": 4.3317}}

**The event** is any of

* one measurement object;
* a list of measurements;
* ``{"measurements": [...]}``;
* OpenAQ's API response ``{"meta": {...}, "results": [...]}``.

A dict is taken as a wrapper only when its ``measurements`` (else ``results``) is a list; any
other event (a dict, a string, a number, null) is one measurement, which is then rejected if it
is not a valid one. So the event's shape never fails the invocation. ``index`` below is the
position in the list (0 for a single measurement).

**Validation.** A measurement is rejected, with the first reason that applies, when it is

===========================  ===================================================================
reason                       when
===========================  ===================================================================
``not an object``            it is not a JSON object
``missing field F``          F (``location``, ``city``, ``country``, ``parameter``, ``value``,
                             ``unit``, ``date.utc``, in this order) is absent or null
``F is not a string``        F (``location``, ``city``, ``country``, ``parameter``, ``unit``)
``empty field F``            F is a blank string
``unknown parameter P``      P is not one of pm25 pm10 no2 o3 so2 co (P cut to 40 characters)
``value is not a number``    value is a string, a bool, an object…, or not finite
``negative value``           value < 0
``bad date.utc``             date.utc is not an ISO 8601 date-time with an offset or ``Z``
                             (``2026-11-02T09:00:00+00:00``); a time without offset is rejected
``date.local is not a        date.local is present and not null but not a string
string``
``bad coordinates``          coordinates is present and not null but not an object whose
                             latitude/longitude are numbers or null
``F too long``               F is longer than the table's column holds (location 255, city 128,
                             country 2, unit 16, date.local 32 characters), so that a stored
                             measurement never fails a whole batch on a strict MariaDB
``measurement too large``    its compact JSON plus the location exceeds 1 MiB, Kinesis's default
                             record size, so it could not be one record
===========================  ===================================================================

The same rules apply in both modes, so both store the same measurements. Each rejection is
logged on one line (WARNING): ``rejected measurement <index>: <reason>`` (never the
measurement's content, never a setting).

**The response** (the contract the producer driver, ``sim/producer_function.py``, reads into
the run's ledger)::

    {"accepted": N, "rejected": [{"index": i, "reason": "..."}, ...]}

``accepted`` is the number of measurements stored (put on the stream, or inserted), always
``len(list) - len(rejected)``; ``rejected`` lists the rejected ones in ascending ``index``, one
entry each, ``reason`` one of the strings above. The two keys are all there is. When the
invocation fails (raises), nothing is returned and the caller should send the event again.

**Streaming mode** (``STREAM_NAME`` set): the accepted measurements go onto that Kinesis stream
(``boto3.client("kinesis")``, the SDK's default configuration) with ``PutRecords``: at most 500
records and 5 MiB per request, ``PartitionKey`` = location, ``Data`` = the measurement as
received, re-serialised as compact JSON (``separators=(",", ":")``, ``ensure_ascii=False``,
UTF-8). Records the stream refuses (``ProvisionedThroughputExceededException``,
``InternalFailure``) are put again, up to :data:`PUT_ATTEMPTS` attempts in all, after an
exponential backoff with jitter (:func:`backoff_delay`). If some are still refused the
invocation fails with :class:`RecordsNotDelivered`, and an error of the whole request (no such
stream, no permission, a throttled request beyond the SDK's retries) is raised as is. Records
put before the failure stay on the stream, so a retried event puts them twice: delivery is at
least once, as with every Kinesis producer (the Flink job's windows count a duplicate twice).

**Batch mode** (otherwise): the accepted measurements are inserted into the table
``measurements`` (``queries/initialization/01_measurements.sql``) in one transaction per
invocation (one ``executemany``), so an invocation stores all of them or, when it fails, none,
and a retry stores no duplicates. Columns: the strings as given, ``value`` as a float,
``date_utc`` the UTC instant as a naive datetime truncated to milliseconds (``DATETIME(3)``),
``date_local`` the original ``date.local`` string (``date.utc``'s string when the measurement
has no ``date.local``: the column is NOT NULL), ``latitude``/``longitude`` from
``coordinates`` (NULL when absent). Other fields (``locationId``…) are not stored. The database:

* ``DB_URL``: an SQLAlchemy URL, e.g. ``sqlite:////tmp/openaq.db`` or
  ``mysql+pymysql://user:password@host:3306/openaq`` (``mysql://`` and ``mariadb://`` mean
  PyMySQL); else
* as the seed's configuration file has it, ``DB_USERNAME``, ``DB_PASSWORD`` (may be empty),
  ``DB_HOSTNAME``, optional ``DB_PORT`` (default 3306) and ``DB_NAME`` (default ``openaq``):
  MariaDB through PyMySQL.

With neither (and no ``STREAM_NAME``) the invocation fails saying so. The engine (its pool of
connections, checked before use) is created once per execution environment and URL and reused
by later invocations. A database that cannot be reached fails the invocation with
:class:`DatabaseUnavailable`, whose message shows the URL with the password as ``***`` and the
driver's reason; no error of this module ever contains the password. Errors of the insert
itself (no such table…) are SQLAlchemy's, raised as they are. An event with nothing to store
does not touch the database or the stream.

SQLAlchemy is imported in batch mode only, so a streaming deployment needs boto3 alone.
"""

import json
import logging
import math
import os
import random
import time
from datetime import datetime, timezone
from urllib.parse import quote

import boto3

logger = logging.getLogger(__name__)

PARAMETERS = ("pm25", "pm10", "no2", "o3", "so2", "co")
REQUIRED_FIELDS = ("location", "city", "country", "parameter", "value", "unit", "date.utc")
STRING_FIELDS = ("location", "city", "country", "parameter", "unit")
# The widths of queries/initialization/01_measurements.sql's columns, in characters.
COLUMN_WIDTHS = {"location": 255, "city": 128, "country": 2, "unit": 16, "date.local": 32}
UNKNOWN_PARAMETER_SHOWN = 40  # characters of an unknown parameter quoted in its reason
TABLE = "measurements"
DEFAULT_DB_PORT = 3306
DEFAULT_DB_NAME = "openaq"

# PutRecords: at most 500 records and 5 MiB per request, partition keys included; a record's
# data plus partition key at most 1 MiB by default (API_PutRecords.html, aws-semantics.md §1).
PUT_RECORDS_MAX_RECORDS = 500
PUT_RECORDS_MAX_BYTES = 5 * 1024 * 1024
RECORD_MAX_BYTES = 1024 * 1024
# Refused records: attempts in all, and the backoff before attempt n + 1 (n >= 1): half of
# min(RETRY_MAX_DELAY_S, RETRY_BASE_DELAY_S * 2^(n-1)) plus a random part up to the other half
# ("equal jitter", AWS Architecture Blog, "Exponential Backoff And Jitter"). 0.1-0.2, 0.2-0.4,
# 0.4-0.8, 0.8-1.6 s: the waits add up to more than a shard's one-second throughput window.
PUT_ATTEMPTS = 5
RETRY_BASE_DELAY_S = 0.2
RETRY_MAX_DELAY_S = 2.0

_clients = {}
_engines = {}
_tables = {}


class RecordsNotDelivered(RuntimeError):
    """Kinesis refused some records even after the retries."""


class DatabaseUnavailable(ConnectionError):
    """The database cannot be reached; the message shows the URL with its password hidden."""


class DatabaseNotConfigured(RuntimeError):
    """Batch mode without DB_URL or DB_USERNAME/DB_HOSTNAME, or with a setting that is wrong."""


# -- the event and validation ---------------------------------------------------------------
def measurements_of(event):
    """The list of measurements an event carries (see the module docstring)."""
    if isinstance(event, list):
        return event
    if isinstance(event, dict):
        for key in ("measurements", "results"):
            if isinstance(event.get(key), list):
                return event[key]
    return [event]


def encode(measurement):
    """A record's data: the measurement as compact JSON, UTF-8, non-ASCII kept as is."""
    return json.dumps(measurement, separators=(",", ":"), ensure_ascii=False).encode("utf-8")


def parse_utc(text):
    """The aware datetime of an ISO 8601 date-time with an offset or ``Z``; ValueError else."""
    if not isinstance(text, str):
        raise ValueError("not a string")
    text = text.strip()
    if text[-1:] in ("Z", "z"):  # fromisoformat takes Z only from Python 3.11 on
        text = text[:-1] + "+00:00"
    parsed = datetime.fromisoformat(text)
    if parsed.tzinfo is None or parsed.utcoffset() is None:
        raise ValueError("no offset")
    return parsed


def _is_number(value):
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        return False
    try:
        return math.isfinite(float(value))
    except OverflowError:  # an int too large for a double
        return False


def rejection(measurement):
    """Why ``measurement`` is invalid (a reason of the module docstring), or None if valid."""
    if not isinstance(measurement, dict):
        return "not an object"
    date = measurement.get("date")
    for field in REQUIRED_FIELDS:
        if field == "date.utc":
            present = isinstance(date, dict) and date.get("utc") is not None
        else:
            present = measurement.get(field) is not None
        if not present:
            return f"missing field {field}"
    for field in STRING_FIELDS:
        if not isinstance(measurement[field], str):
            return f"{field} is not a string"
        if not measurement[field].strip():
            return f"empty field {field}"
    parameter = measurement["parameter"]
    if parameter not in PARAMETERS:
        return f"unknown parameter {parameter[:UNKNOWN_PARAMETER_SHOWN]}"
    value = measurement["value"]
    if not _is_number(value):
        return "value is not a number"
    if value < 0:
        return "negative value"
    try:
        parse_utc(date["utc"])
    except ValueError:
        return "bad date.utc"
    local = date.get("local")
    if local is not None and not isinstance(local, str):
        return "date.local is not a string"
    coordinates = measurement.get("coordinates")
    if coordinates is not None and not (
        isinstance(coordinates, dict)
        and all(
            coordinates.get(axis) is None or _is_number(coordinates[axis])
            for axis in ("latitude", "longitude")
        )
    ):
        return "bad coordinates"
    for field, width in COLUMN_WIDTHS.items():
        text = local if field == "date.local" else measurement[field]
        if text is not None and len(text) > width:
            return f"{field} too long"
    if len(encode(measurement)) + len(measurement["location"].encode("utf-8")) > RECORD_MAX_BYTES:
        return "measurement too large"
    return None


def validate(items):
    """(the valid measurements in order, ``[{"index": i, "reason": …}]`` of the others)."""
    valid, rejected = [], []
    for index, item in enumerate(items):
        reason = rejection(item)
        if reason is None:
            valid.append(item)
        else:
            rejected.append({"index": index, "reason": reason})
    return valid, rejected


def ingest(items, deliver, log_rejections=True):
    """Validate ``items``, store the valid ones with ``deliver(measurements)`` (not called when
    there are none) and return the response ``{"accepted": N, "rejected": [...]}``."""
    valid, rejected = validate(items)
    if log_rejections:
        for entry in rejected:
            logger.warning("rejected measurement %d: %s", entry["index"], entry["reason"])
    if valid:
        deliver(valid)
    return {"accepted": len(valid), "rejected": rejected}


# -- streaming mode: Kinesis ----------------------------------------------------------------
def _kinesis():
    """One Kinesis client per execution environment, created on first use (keyed on the
    variables the SDK reads, so a local runner or a test changing them gets a fresh one)."""
    key = tuple(
        os.environ.get(name)
        for name in (
            "AWS_REGION",
            "AWS_DEFAULT_REGION",
            "AWS_ENDPOINT_URL",
            "AWS_ENDPOINT_URL_KINESIS",
            "AWS_ACCESS_KEY_ID",
            "AWS_SESSION_TOKEN",
        )
    )
    client = _clients.get(key)
    if client is None:
        client = boto3.client("kinesis", region_name=os.environ.get("AWS_REGION") or None)
        _clients.clear()
        _clients[key] = client
    return client


def backoff_delay(retry, rng=random):
    """Seconds to wait before retry number ``retry`` (1 for the second attempt)."""
    cap = min(RETRY_MAX_DELAY_S, RETRY_BASE_DELAY_S * 2 ** (retry - 1))
    return cap / 2 + rng.uniform(0, cap / 2)


def _requests(entries):
    """Split PutRecords entries into requests of at most 500 records and 5 MiB."""
    request, size = [], 0
    for entry in entries:
        entry_size = len(entry["Data"]) + len(entry["PartitionKey"].encode("utf-8"))
        if request and (
            len(request) == PUT_RECORDS_MAX_RECORDS or size + entry_size > PUT_RECORDS_MAX_BYTES
        ):
            yield request
            request, size = [], 0
        request.append(entry)
        size += entry_size
    if request:
        yield request


def put_measurements(client, stream_name, measurements, sleep=None, rng=random):
    """PutRecords the measurements onto ``stream_name``, putting refused records again.

    Returns the number put; raises :class:`RecordsNotDelivered` naming the error codes when
    some were still refused after PUT_ATTEMPTS attempts."""
    sleep = sleep or time.sleep
    entries = [{"Data": encode(m), "PartitionKey": m["location"]} for m in measurements]
    for request in _requests(entries):
        pending, errors = request, []
        for attempt in range(PUT_ATTEMPTS):
            if attempt:
                sleep(backoff_delay(attempt, rng))
            response = client.put_records(StreamName=stream_name, Records=pending)
            if not response.get("FailedRecordCount"):
                pending = []
                break
            answers = response.get("Records") or []
            failed = [(e, a) for e, a in zip(pending, answers) if a.get("ErrorCode")]  # noqa: B905 - runs on Pythons before 3.10
            if not failed:  # a count without failed entries: nothing to put again
                raise RecordsNotDelivered(
                    f"stream {stream_name} reported FailedRecordCount "
                    f"{response['FailedRecordCount']} without naming the failed records"
                )
            pending = [entry for entry, _ in failed]
            errors = sorted({a["ErrorCode"] for _, a in failed})
        if pending:
            raise RecordsNotDelivered(
                f"{len(pending)} of {len(entries)} records were not accepted by stream "
                f"{stream_name} after {PUT_ATTEMPTS} attempts ({', '.join(errors)})"
            )
    return len(entries)


# -- batch mode: the database ---------------------------------------------------------------
def database_url(settings):
    """The SQLAlchemy URL of the batch database from ``settings`` (``os.environ``, or the
    seed's configuration file as a dict): DB_URL, else DB_USERNAME / DB_PASSWORD / DB_HOSTNAME
    / DB_PORT / DB_NAME. Raises :class:`DatabaseNotConfigured` (never showing a password)."""
    from sqlalchemy.engine import URL, make_url
    from sqlalchemy.exc import ArgumentError

    text = settings.get("DB_URL")
    if text:
        try:
            url = make_url(text)
        except ArgumentError:
            raise DatabaseNotConfigured(
                "DB_URL is not an SQLAlchemy URL (expected e.g. sqlite:////path/openaq.db or "
                "mysql+pymysql://user:password@host:3306/openaq)"
            ) from None
        if url.drivername in ("mysql", "mariadb"):
            url = url.set(drivername=url.drivername + "+pymysql")
        return url
    username, hostname = settings.get("DB_USERNAME"), settings.get("DB_HOSTNAME")
    if not username or not hostname:
        missing = [n for n in ("DB_USERNAME", "DB_HOSTNAME") if not settings.get(n)]
        raise DatabaseNotConfigured(
            f"no database: set DB_URL, or DB_USERNAME, DB_PASSWORD and DB_HOSTNAME "
            f"({', '.join(missing)} not set); or STREAM_NAME for streaming mode"
        )
    port = settings.get("DB_PORT") or DEFAULT_DB_PORT
    try:
        port = int(port)
        if not 0 < port < 65536:
            raise ValueError
    except ValueError:
        raise DatabaseNotConfigured(f"DB_PORT must be a port number, got {port!r}") from None
    return URL.create(
        "mysql+pymysql",
        username=username,
        password=settings.get("DB_PASSWORD") or None,
        host=hostname,
        port=port,
        database=settings.get("DB_NAME") or DEFAULT_DB_NAME,
    )


def redact(url):
    """The URL as text with its password shown as ``***``."""
    return url.render_as_string(hide_password=True)


def scrub(text, url):
    """``text`` with the URL's password (as is and URL-encoded) replaced by ``***``."""
    password = url.password
    if password:
        for form in {str(password), quote(str(password), safe="")}:
            text = text.replace(form, "***")
    return text


def engine_for(url):
    """The engine for ``url``: one per execution environment and URL, reused by invocations."""
    from sqlalchemy import create_engine
    from sqlalchemy.exc import ArgumentError

    key = url.render_as_string(hide_password=False)
    engine = _engines.get(key)
    if engine is None:
        try:
            engine = create_engine(url, pool_pre_ping=True)
        except (ImportError, ArgumentError) as error:  # a dialect or driver not packaged
            raise DatabaseNotConfigured(
                f"cannot use {redact(url)}: {scrub(str(error), url)}"
            ) from None
        _engines[key] = engine
    return engine


def measurements_table():
    """The ``measurements`` table as queries/initialization/01_measurements.sql creates it."""
    table = _tables.get(TABLE)
    if table is None:
        from sqlalchemy import (
            BigInteger,
            Column,
            DateTime,
            Float,
            Integer,
            MetaData,
            String,
            Table,
        )

        table = Table(
            TABLE,
            MetaData(),
            Column("id", BigInteger().with_variant(Integer, "sqlite"), primary_key=True),
            Column("location", String(255), nullable=False),
            Column("city", String(128), nullable=False),
            Column("country", String(2), nullable=False),
            Column("parameter", String(16), nullable=False),
            Column("value", Float, nullable=False),
            Column("unit", String(16), nullable=False),
            Column("date_utc", DateTime, nullable=False),
            Column("date_local", String(32), nullable=False),
            Column("latitude", Float),
            Column("longitude", Float),
        )
        _tables[TABLE] = table
    return table


def row(measurement):
    """The table row of a valid measurement."""
    date = measurement["date"]
    utc = parse_utc(date["utc"]).astimezone(timezone.utc).replace(tzinfo=None)  # noqa: UP017
    coordinates = measurement.get("coordinates") or {}
    return {
        "location": measurement["location"],
        "city": measurement["city"],
        "country": measurement["country"],
        "parameter": measurement["parameter"],
        "value": float(measurement["value"]),
        "unit": measurement["unit"],
        "date_utc": utc.replace(microsecond=utc.microsecond // 1000 * 1000),
        "date_local": date.get("local") if date.get("local") is not None else date["utc"],
        "latitude": _float_or_none(coordinates.get("latitude")),
        "longitude": _float_or_none(coordinates.get("longitude")),
    }


def _float_or_none(value):
    return None if value is None else float(value)


def connect(engine):
    """A connection from the engine's pool (checked with a ping); :class:`DatabaseUnavailable`
    if the database cannot be reached."""
    from sqlalchemy.exc import DBAPIError

    try:
        return engine.connect()
    except DBAPIError as error:
        reason = str(error.orig) if error.orig is not None else type(error).__name__
        raise DatabaseUnavailable(
            f"cannot connect to {redact(engine.url)}: {scrub(reason, engine.url)}"
        ) from None


def insert_measurements(engine, measurements):
    """Insert the measurements in one transaction (one executemany); returns how many."""
    rows = [row(m) for m in measurements]
    if not rows:
        return 0
    with connect(engine) as connection, connection.begin():
        connection.execute(measurements_table().insert(), rows)
    return len(rows)


# -- the handler ----------------------------------------------------------------------------
def _deliverer():
    stream_name = os.environ.get("STREAM_NAME")
    if stream_name:
        return lambda measurements: put_measurements(_kinesis(), stream_name, measurements)
    engine = []

    def insert(measurements):  # the database is looked up only when there is something to store
        if not engine:
            engine.append(engine_for(database_url(os.environ)))
        insert_measurements(engine[0], measurements)

    return insert


def lambda_handler(event, context):
    return ingest(measurements_of(event), _deliverer())
