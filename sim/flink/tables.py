"""The DDL of the tables a runner binds a job to: a watermarked source and a sink.

Every binding (bounded replay, the live bridge, the Kinesis connector) declares the job's
columns the same way and differs only in its ``WITH (…)`` options, so the job sees the same
tables whichever runs it.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

Schema = Mapping[str, str] | Sequence[tuple[str, str]]


def columns(schema: Schema) -> list[tuple[str, str]]:
    """``[(name, Flink SQL type), …]`` from a mapping or a sequence of pairs."""
    items = list(schema.items()) if isinstance(schema, Mapping) else [tuple(c) for c in schema]
    return [(str(n), str(t)) for n, t in items]


def quote(identifier: str) -> str:
    """A Flink SQL identifier in backticks (``parameter``, ``value`` are reserved words)."""
    return "`" + identifier.replace("`", "``") + "`"


def _with(options: Mapping[str, str]) -> str:
    return ",\n  ".join(
        f"'{k}' = '{str(v).replace(chr(39), chr(39) * 2)}'" for k, v in options.items()
    )


def source_ddl(
    table: str,
    schema: Schema,
    event_time_field: str,
    watermark_delay: float,
    options: Mapping[str, str],
) -> str:
    """``CREATE TEMPORARY TABLE`` with the job's columns and
    ``WATERMARK FOR <event time> AS <event time> - INTERVAL '<delay>' SECOND``."""
    et = quote(event_time_field)
    delay = round(float(watermark_delay) * 1000) / 1000
    return (
        f"CREATE TEMPORARY TABLE {table} (\n  "
        + ",\n  ".join(f"{quote(c)} {t}" for c, t in columns(schema))
        + f",\n  WATERMARK FOR {et} AS {et} - INTERVAL '{delay:g}' SECOND"
        + f"\n) WITH (\n  {_with(options)}\n)"
    )


def sink_ddl(table: str, schema: Schema, options: Mapping[str, str]) -> str:
    """``CREATE TEMPORARY TABLE`` with the job's sink columns."""
    return (
        f"CREATE TEMPORARY TABLE {table} (\n  "
        + ",\n  ".join(f"{quote(c)} {t}" for c, t in columns(schema))
        + f"\n) WITH (\n  {_with(options)}\n)"
    )
