"""The end-of-run report: expectations (expected vs actual) and the ledger."""

from __future__ import annotations

import json
import os
import sys
from typing import TYPE_CHECKING, Any, TextIO

from sim.clock import iso

if TYPE_CHECKING:
    from sim.runner import SimulationResult

_GREEN, _RED, _BOLD, _DIM, _RESET = "\033[32m", "\033[31m", "\033[1m", "\033[2m", "\033[0m"


def _short(value: Any, width: int = 48) -> str:
    text = value if isinstance(value, str) else json.dumps(value, default=str, ensure_ascii=False)
    return text if len(text) <= width else text[: width - 1] + "…"


def _expected(result: Any) -> str:
    if result.comparison == "equals":
        return _short(result.expected)
    if result.comparison == "between":
        low, high = result.expected
        return f"{low}..{high}"
    if result.comparison == "each_between":
        low, high = result.expected
        return f"each {low}..{high}"
    if result.comparison == "not_equals":
        return f"≠ {_short(result.expected, 46)}"
    symbol = "≥" if result.comparison == "at_least" else "≤"
    return f"{symbol} {result.expected}"


def _table(rows: list[list[str]], headers: list[str]) -> list[str]:
    widths = [max(len(str(c)) for c in column) for column in zip(headers, *rows, strict=False)]
    line = "  ".join(h.ljust(w) for h, w in zip(headers, widths, strict=True))
    out = [line, "  ".join("-" * w for w in widths)]
    out += ["  ".join(str(c).ljust(w) for c, w in zip(row, widths, strict=True)) for row in rows]
    return [line.rstrip() for line in out]


def _async_line(name: str, stats: dict[str, Any]) -> str:
    """One function's asynchronous events (sim/services/lambda_/asynchronous.py)."""
    parts = [f"{stats['events']} events", f"{stats['succeeded']} succeeded"]
    if stats["retries"]:
        parts.append(f"{stats['retries']} retries")
    if stats["throttled"]:
        parts.append(f"{stats['throttled']} throttled")
    for condition, count in stats["failed"].items():
        parts.append(f"{count} {condition}")
    for target, count in stats["to_destination"].items():
        parts.append(f"{count} to {target}")
    if stats["to_dead_letter"]:
        parts.append(f"{stats['to_dead_letter']} to the dead-letter queue")
    for reason, count in stats["dropped"].items():
        parts.append(f"{count} dropped ({reason})")
    if stats["destination_failures"]:
        parts.append(
            f"{stats['destination_failures']} destination deliveries failed "
            f"(last: {stats['last_destination_error']})"
        )
    if stats["queued"]:
        parts.append(f"{stats['queued']} still queued")
    return f"  {name}: " + ", ".join(parts)


def render(result: SimulationResult, color: bool | None = None) -> str:
    """The report as text; colors when writing to a terminal."""
    if color is None:
        color = sys.stdout.isatty() and not os.environ.get("NO_COLOR")

    def paint(text: str, code: str) -> str:
        return f"{code}{text}{_RESET}" if color else text

    lines = []
    status = paint("PASSED", _GREEN + _BOLD) if result.passed else paint("FAILED", _RED + _BOLD)
    lines.append(f"{paint(result.name, _BOLD)}  {status}")
    lines.append(
        f"  backend {result.backend} · seed {result.seed} · simulated "
        f"{iso(result.started_at)} → {iso(result.ended_at)} "
        f"({_duration(result.ended_at - result.started_at)}) in "
        f"{result.wall_seconds:.1f} s wall"
    )
    lines.append("")
    if result.expectations:
        rows = []
        for r in result.expectations:
            mark = paint("✔", _GREEN) if r.passed else paint("✘", _RED)
            actual = r.error if r.error else _short(r.actual)
            rows.append([mark, r.name, _expected(r), actual])
        lines += ["Expectations"] + [
            "  " + row for row in _table(rows, ["", "expectation", "expected", "actual"])
        ]
    else:
        lines.append("Expectations: none declared")
    lines.append("")
    totals = result.ledger.totals()
    lines.append("Ledger")
    lines.append("  " + "  ".join(f"{k.replace('_', ' ')} {v}" for k, v in totals.items()))
    for hop in sorted(result.ledger.hops.values(), key=lambda h: (h.source, h.consumer)):
        extra = ", ".join(f"{reason} {n}" for reason, n in sorted(hop.dropped.items()))
        lines.append(
            f"  {hop.source} → {hop.consumer}: {hop.available} available, "
            f"{hop.delivered} delivered, "
            + (f"{hop.filtered} filtered, " if hop.filtered else "")
            + f"{hop.retried} retried, "
            + "".join(f"{n} to {name}, " for name, n in sorted(hop.to_destination.items()))
            + f"{sum(hop.dropped.values())} dropped"
            + (f" ({extra})" if extra else "")
            + f", {hop.in_flight} in flight"
        )
    for where, reason, n in result.ledger.drop_reasons():
        if where.startswith("producer"):
            lines.append(f"  {where}: {n} refused ({reason})")
    for producer, n in sorted(result.ledger.pending.items()):
        lines.append(f"  producer {producer}: {n} waiting for a retry when the run ended")
    for where, n in result.ledger.gaps():
        lines.append(paint(f"  LOST: {n} record(s) unaccounted for at {where}", _RED))
    if result.flink:
        lines.append("")
        lines.append("Flink jobs")
        for name, stats in sorted(result.flink.items()):
            if stats["error"]:
                lines.append(paint(f"  {name}: FAILED: {stats['error']}", _RED))
                continue
            unread, late, held = (
                stats["records_unread"],
                stats["late_records"],
                stats["rows_held"],
            )
            lines.append(
                f"  {name}: {stats['records_read']} records read"
                + (f" ({unread} after the job stopped, unread)" if unread else "")
                + (f", {late} behind the watermark" if late is not None else "")
                + (
                    f" ({stats['records_unreadable']} not JSON objects)"
                    if stats.get("records_unreadable")
                    else ""
                )
                + (
                    f" ({stats['records_without_event_time']} without an event time)"
                    if stats.get("records_without_event_time")
                    else ""
                )
                + f", {stats['rows_emitted']} rows emitted"
                + (f", {held} rows held in windows still open at the end" if held else "")
            )
    if result.delivery_streams:
        lines.append("")
        lines.append("Delivery streams")
        for name, stats in sorted(result.delivery_streams.items()):
            line = (
                f"  {name}: {stats['objects']} objects, {stats['delivered']} records delivered, "
                f"{stats['buffered']} buffered"
            )
            if stats["failed_attempts"]:
                line += (
                    f", {stats['failed_attempts']} failed S3 writes (last: {stats['last_error']})"
                )
            lines.append(paint(line, _RED) if stats["failed_attempts"] else line)
    if result.asynchronous:
        lines.append("")
        lines.append("Asynchronous invocations")
        for name, stats in sorted(result.asynchronous.items()):
            lines.append(
                paint(_async_line(name, stats), _RED)
                if stats["dropped"]
                else _async_line(name, stats)
            )
    faults = getattr(result, "faults", None)
    if faults:
        # Each fault with its reach and what it did (sim/faults/effects.py words the summary).
        lines.append("")
        lines.append("Faults")
        lines += [f"  {fault['summary']}" for fault in faults]
    databases = getattr(result, "databases", None)
    if databases:
        # Each database's scheduled events (sim/database/events.py): fires on the clock.
        lines.append("")
        lines.append("Database events")
        for database, events in sorted(databases.items()):
            for event, stats in sorted(events.items()):
                line = (
                    f"  {database}.{event}: {stats['fires']} fires"
                    + (f" ({stats['first_fire']} … {stats['last_fire']})" if stats["fires"] else "")
                    + f", {stats['rows']} rows written, {stats['failures']} failed"
                )
                lines.append(paint(line, _RED) if stats["failures"] else line)
    if result.functions:
        lines.append("")
        lines.append("Functions")
        for name, stats in sorted(result.functions.items()):
            lines.append(
                f"  {name}: {stats['invocations']} invocations, {stats['errors']} "
                f"errors, {stats['timeouts']} timeouts, max iterator age "
                f"{stats['max_iterator_age_ms']} ms"
            )
    if result.mappings:
        lines.append("")
        lines.append("Event source mappings")
        for row in result.mappings:
            line = (
                f"  {row['source']} → function {row['function']} ({row['state']}): "
                f"{row['batches']} batches, {row['records']} records, {row['retries']} retries, "
                f"{row['bisections']} bisections, {row['to_destination']} to the failure "
                f"destination, "
                + (f"{row['filtered']} filtered, " if row["filtered"] else "")
                + (f"{row['dropped']} dropped, " if row["dropped"] else "")
                + f"max iterator age {row['max_iterator_age_ms']} ms"
            )
            lines.append(paint(line, _RED) if row["dropped"] else line)
            errors = row.get("destination_errors") or []
            if errors:
                more = f" (and {len(errors) - 1} more)" if len(errors) > 1 else ""
                lines.append(paint(f"    the failure destination refused: {errors[0]}{more}", _RED))
    if result.export_dir:
        lines.append("")
        lines.append(f"Exported to {result.export_dir}")
    return "\n".join(lines)


def _duration(seconds: float) -> str:
    seconds = int(round(seconds))
    hours, rest = divmod(seconds, 3600)
    minutes, secs = divmod(rest, 60)
    return f"{hours}h{minutes:02d}m{secs:02d}s" if hours else f"{minutes}m{secs:02d}s"


def print_report(result: SimulationResult, out: TextIO | None = None) -> None:
    out = out or sys.stdout
    out.write(render(result, color=out.isatty() and not os.environ.get("NO_COLOR")) + "\n")
