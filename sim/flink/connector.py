"""The Kinesis binding of a job's tables on LocalStack or AWS: Apache Flink's own connector.

In a simulation the runner binds a job's source and sink to JSON files (``sim.flink.runner``).
Against a real Kinesis API (LocalStack, AWS) the same job runs with the official Apache Flink
AWS connector, ``flink-sql-connector-aws-kinesis-streams`` (fetched by ``make flink-jars``, see
:mod:`sim.flink.jars`). This module gives the ``WITH (…)`` options of both tables, their DDL
through :mod:`sim.flink.tables` (so the job sees the same columns and watermark as in a
simulation), the jar's path, and :func:`configure` to put the jar on a ``TableEnvironment``'s
``pipeline.jars``::

    from sim.flink import connector
    from flink_jobs import wildrydes_summary as job

    connector.configure(t_env, connector.jar_path())
    source, sink = connector.table_ddl(
        job, "rides", "summaries",
        connector.source_options(RIDES_ARN, endpoint=connector.LOCALSTACK_ENDPOINT,
                                 credentials=connector.LOCALSTACK_CREDENTIALS),
        connector.sink_options(SUMMARIES_ARN, endpoint=connector.LOCALSTACK_ENDPOINT,
                               credentials=connector.LOCALSTACK_CREDENTIALS),
    )
    t_env.execute_sql(source)
    t_env.execute_sql(sink)
    job.build(t_env, "rides", "summaries")

Options used (connector 6.0.0, identifier ``kinesis``, the FLIP-27 ``Source`` and Sink v2; see
``docs/content/docs/connectors/table/kinesis.md`` in https://github.com/apache/flink-connector-aws,
tag ``v6.0.0``, "Connector Options"):

* ``connector`` = ``kinesis``, ``stream.arn``, ``aws.region``, ``format`` (all required);
* ``aws.endpoint``: the Kinesis endpoint, for LocalStack; ``aws.trust.all.certificates``;
* ``aws.credentials.provider``: ``AUTO`` (the default chain: environment, profile, web identity,
  container/instance role) unless credentials are given: ``BASIC`` with
  ``aws.credentials.basic.accesskeyid``/``.secretkey``, or ``PROFILE`` with
  ``aws.credentials.profile.name``;
* source: ``source.init.position`` (``LATEST``, the connector's default, ``TRIM_HORIZON`` or
  ``AT_TIMESTAMP`` with ``source.init.timestamp``);
* sink: ``sink.partitioner`` (``random``, the default without ``PARTITIONED BY``, or ``fixed``).

For an endpoint the options copy what the connector's own LocalStack test sets
(``flink-connector-aws-e2e-tests/…/src/test/resources/filter-large-orders.sql``, v6.0.0):
``aws.trust.all.certificates`` on both tables and ``aws.http.protocol.version`` = ``HTTP1_1`` on
the sink, whose Netty client otherwise speaks HTTP/2 (``AWSGeneralUtil.HTTP_PROTOCOL``), which
a plain ``http://`` endpoint does not. The source polls with the Apache HTTP client (HTTP/1.1)
and takes its region from the stream ARN (``KinesisStreamsSource.createKinesisStreamProxy``),
so the ARN's region and ``aws.region`` must agree; :func:`source_options` checks it.
"""

from __future__ import annotations

import os
import re
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from sim.flink.jars import DEFAULT_DEST, ConnectorJarMissing, connector_jar
from sim.flink.tables import Schema, TableBindingError, sink_ddl, source_ddl

__all__ = [
    "ConnectorConfigError",
    "ConnectorJarMissing",
    "StreamArn",
    "configure",
    "jar_path",
    "parse_stream_arn",
    "sink_options",
    "source_options",
    "stream_arn",
    "table_ddl",
]

CONNECTOR = "kinesis"
FORMAT = "json"  # flink-json ships with PyFlink (pyflink/lib/flink-json-*.jar)
PIPELINE_JARS = "pipeline.jars"

# LocalStack's defaults: its edge port, the account its "test" credentials map to.
LOCALSTACK_ENDPOINT = "http://127.0.0.1:4566"
LOCALSTACK_ACCOUNT = "000000000000"
LOCALSTACK_REGION = "us-east-1"
LOCALSTACK_CREDENTIALS = ("test", "test")

START_POSITIONS = ("LATEST", "TRIM_HORIZON", "AT_TIMESTAMP")  # KinesisSourceConfigOptions
# A job started after its producers still sees every record the stream retains (the
# connector's own default is LATEST: only records written after the job starts).
DEFAULT_START_POSITION = "TRIM_HORIZON"
SINK_PARTITIONERS = ("random", "fixed")  # or a FixedKinesisPartitioner subclass' class name
ENDPOINT_HTTP_PROTOCOL = "HTTP1_1"

# arn:aws:kinesis:us-east-1:123456789012:stream/name (stream names: 1-128 of [a-zA-Z0-9_.-]).
_ARN = re.compile(
    r"^arn:(?P<partition>aws[a-z-]*):kinesis:(?P<region>[a-z0-9-]+):(?P<account>\d{12})"
    r":stream/(?P<name>[A-Za-z0-9_.-]{1,128})$"
)
_JAVA_CLASS = re.compile(r"^[A-Za-z_$][\w$]*(\.[A-Za-z_$][\w$]*)+$")


class ConnectorConfigError(ValueError):
    """Options the connector would reject (or that would silently read the wrong stream)."""


@dataclass(frozen=True)
class StreamArn:
    partition: str
    region: str
    account: str
    name: str


def parse_stream_arn(arn: str) -> StreamArn:
    """The parts of a Kinesis stream ARN, or :class:`ConnectorConfigError`."""
    m = _ARN.match(arn)
    if not m:
        raise ConnectorConfigError(
            f"not a Kinesis stream ARN: {arn!r} "
            "(expected arn:aws:kinesis:REGION:ACCOUNT:stream/NAME)"
        )
    return StreamArn(**m.groupdict())


def stream_arn(
    name: str, region: str = LOCALSTACK_REGION, account: str = LOCALSTACK_ACCOUNT
) -> str:
    """``arn:aws:kinesis:REGION:ACCOUNT:stream/NAME`` (LocalStack's account by default)."""
    arn = f"arn:aws:kinesis:{region}:{account}:stream/{name}"
    parse_stream_arn(arn)
    return arn


def _common(
    arn: str,
    region: str | None,
    endpoint: str | None,
    credentials: tuple[str, str] | None,
    profile: str | None,
) -> dict[str, str]:
    parts = parse_stream_arn(arn)
    region = region or parts.region
    if region != parts.region:
        raise ConnectorConfigError(
            f"aws.region {region!r} differs from the region of {arn!r} ({parts.region!r}): "
            "the source reads the ARN's region, the sink writes to aws.region"
        )
    options = {"connector": CONNECTOR, "stream.arn": arn, "aws.region": region}
    if endpoint is not None:
        if not re.match(r"^https?://[^/\s]+", endpoint):
            raise ConnectorConfigError(f"not an http(s) endpoint URL: {endpoint!r}")
        options["aws.endpoint"] = endpoint.rstrip("/")
        options["aws.trust.all.certificates"] = "true"  # LocalStack's self-signed https
    if credentials is not None and profile is not None:
        raise ConnectorConfigError("give credentials or a profile, not both")
    if credentials is not None:
        access_key_id, secret_key = credentials
        options["aws.credentials.provider"] = "BASIC"
        options["aws.credentials.basic.accesskeyid"] = access_key_id
        options["aws.credentials.basic.secretkey"] = secret_key
    elif profile is not None:
        options["aws.credentials.provider"] = "PROFILE"
        options["aws.credentials.profile.name"] = profile
    return options


def _timestamp(value: datetime | float | int) -> str:
    """Epoch seconds with milliseconds, which the connector accepts whatever the date format."""
    if isinstance(value, datetime):
        if value.tzinfo is None:
            raise ConnectorConfigError(f"start_timestamp needs a time zone: {value!r}")
        seconds = value.astimezone(UTC).timestamp()
    elif isinstance(value, int | float) and not isinstance(value, bool):
        seconds = float(value)
    else:
        raise ConnectorConfigError(
            f"start_timestamp must be a datetime or epoch seconds: {value!r}"
        )
    if seconds < 0:
        raise ConnectorConfigError(f"start_timestamp before 1970: {value!r}")
    return f"{seconds:.3f}"


def source_options(
    stream_arn: str,
    *,
    region: str | None = None,
    endpoint: str | None = None,
    credentials: tuple[str, str] | None = None,
    profile: str | None = None,
    start_position: str = DEFAULT_START_POSITION,
    start_timestamp: datetime | float | None = None,
    record_format: str = FORMAT,
) -> dict[str, str]:
    """``WITH`` options of a job's source table reading the stream ``stream_arn``.

    ``region`` defaults to the ARN's. ``endpoint`` (e.g. :data:`LOCALSTACK_ENDPOINT`) points
    the connector at LocalStack. ``credentials`` is ``(access key id, secret key)`` (BASIC;
    :data:`LOCALSTACK_CREDENTIALS` for LocalStack), ``profile`` a profile name (PROFILE);
    neither: the default chain (AUTO). ``start_position`` is one of :data:`START_POSITIONS`;
    ``AT_TIMESTAMP`` needs ``start_timestamp`` (an aware datetime or epoch seconds).
    """
    options = _common(stream_arn, region, endpoint, credentials, profile)
    position = start_position.upper()
    if position not in START_POSITIONS:
        raise ConnectorConfigError(
            f"start_position {start_position!r}: expected one of {', '.join(START_POSITIONS)}"
        )
    options["source.init.position"] = position
    if position == "AT_TIMESTAMP":
        if start_timestamp is None:
            raise ConnectorConfigError("start_position AT_TIMESTAMP needs start_timestamp")
        options["source.init.timestamp"] = _timestamp(start_timestamp)
    elif start_timestamp is not None:
        raise ConnectorConfigError("start_timestamp applies only to start_position AT_TIMESTAMP")
    options["format"] = record_format
    return options


def sink_options(
    stream_arn: str,
    *,
    region: str | None = None,
    endpoint: str | None = None,
    credentials: tuple[str, str] | None = None,
    profile: str | None = None,
    partitioner: str | None = None,
    record_format: str = FORMAT,
) -> dict[str, str]:
    """``WITH`` options of a job's sink table writing JSON records to ``stream_arn``.

    Arguments as for :func:`source_options`. ``partitioner``: ``random`` (the connector's
    default: a random partition key per record), ``fixed`` (one key per Flink subtask) or the
    class name of a ``FixedKinesisPartitioner`` subclass.
    """
    options = _common(stream_arn, region, endpoint, credentials, profile)
    if endpoint is not None:
        options["aws.http.protocol.version"] = ENDPOINT_HTTP_PROTOCOL
    if partitioner is not None:
        if partitioner not in SINK_PARTITIONERS and not _JAVA_CLASS.match(partitioner):
            raise ConnectorConfigError(
                f"partitioner {partitioner!r}: expected random, fixed or a Java class name"
            )
        options["sink.partitioner"] = partitioner
    options["format"] = record_format
    return options


def table_ddl(
    job: Any,
    source_table: str,
    sink_table: str,
    source_opts: Mapping[str, str],
    sink_opts: Mapping[str, str],
) -> tuple[str, str]:
    """``(source DDL, sink DDL)`` for a job module: its columns (nested objects as ``ROW``), its
    event time (computed from ``EVENT_TIME_FROM`` if the job says so), its watermark, these
    options and the job's own ``SOURCE_OPTIONS`` (``json.ignore-parse-errors``, say).

    The same :func:`sim.flink.tables.source_ddl`/:func:`~sim.flink.tables.sink_ddl` the
    simulation uses, so the job sees identical tables. ConnectorConfigError for a job whose
    tables cannot be declared.
    """
    schema: Schema | None = getattr(job, "SOURCE_SCHEMA", None)
    sink_schema: Schema | None = getattr(job, "SINK_SCHEMA", None)
    event_time = getattr(job, "EVENT_TIME_FIELD", None)
    name = getattr(job, "__name__", repr(job))
    if not schema or not sink_schema or not event_time:
        raise ConnectorConfigError(
            f"{name} lacks SOURCE_SCHEMA, SINK_SCHEMA or EVENT_TIME_FIELD (flink_jobs/__init__.py)"
        )
    delay = getattr(job, "WATERMARK_DELAY", 5.0)
    options = {**source_opts, **(getattr(job, "SOURCE_OPTIONS", None) or {})}
    try:
        return (
            source_ddl(
                source_table,
                schema,
                event_time,
                delay,
                options,
                event_time_from=getattr(job, "EVENT_TIME_FROM", None),
            ),
            sink_ddl(sink_table, sink_schema, sink_opts),
        )
    except TableBindingError as error:
        raise ConnectorConfigError(f"{name}: {error}") from None


def jar_path(
    directory: str | os.PathLike[str] = DEFAULT_DEST, *, flink_version: str | None = None
) -> Path:
    """The connector jar for the installed PyFlink in ``directory`` (``.flink-jars/``).

    Raises :class:`ConnectorJarMissing` when it is not there, and
    :class:`sim.flink.jars.UnsupportedFlinkVersion` when no release matches the PyFlink.
    """
    jar = connector_jar(flink_version)
    path = jar.path(directory)
    if not path.is_file():
        raise ConnectorJarMissing(
            f"the Kinesis connector jar {jar.file_name} (for PyFlink {jar.flink_version}) is not "
            f"in {directory}: run `make flink-jars` (python -m sim.flink.jars) to fetch it"
        )
    return path


def configure(t_env: Any, jar: str | os.PathLike[str]) -> str:
    """Add ``jar`` (a path) to ``t_env``'s ``pipeline.jars``, keeping jars already listed.

    Returns the ``file://`` URL added. PyFlink loads the jars of ``pipeline.jars`` into its
    gateway's class loader when the option is set (``TableConfig.set``), which is what a local
    MiniCluster needs, and ships them with the job to a remote cluster.
    """
    path = Path(jar).resolve()
    if not path.is_file():
        raise ConnectorJarMissing(f"no jar at {path}: run `make flink-jars` to fetch it")
    url = path.as_uri()
    config = t_env.get_config()
    current = config.get(PIPELINE_JARS, "") or ""
    jars = [j for j in current.split(";") if j.strip()]
    if url not in jars:
        config.set(PIPELINE_JARS, ";".join([*jars, url]))
    return url


def check_plan(jar: str | os.PathLike[str] | None = None) -> str:
    """Plan the Wild Rydes job over connector-bound tables on a local environment (no AWS
    needed): proof that the fetched jar loads and accepts the options. Returns Flink's plan."""
    from pyflink.table import EnvironmentSettings, TableEnvironment

    from flink_jobs import wildrydes_summary as job

    t_env = TableEnvironment.create(EnvironmentSettings.in_streaming_mode())
    configure(t_env, jar or jar_path())
    local = {"endpoint": LOCALSTACK_ENDPOINT, "credentials": LOCALSTACK_CREDENTIALS}
    region, account = LOCALSTACK_REGION, LOCALSTACK_ACCOUNT
    source, sink = table_ddl(
        job,
        "rides",
        "summaries",
        source_options(stream_arn("wildrydes", region=region, account=account), **local),
        sink_options(stream_arn("wildrydes-summary", region=region, account=account), **local),
    )
    t_env.execute_sql(source)
    t_env.execute_sql(sink)
    return t_env.explain_sql(job.SQL.format(source="rides", sink="summaries"))


if __name__ == "__main__":  # python -m sim.flink.connector: run by `make flink-jars`
    import sys

    try:
        check_plan()
    except Exception as exc:  # the jar missing, or Flink refusing the options
        print(f"flink-jars: the connector does not plan the job: {exc}".splitlines()[0])
        sys.exit(1)
    print("flink-jars: the Kinesis connector plans the Wild Rydes job (source → summary → sink)")
