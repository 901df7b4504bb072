"""What the benchmarks share: sizes (full or ``BENCH_QUICK=1``), ports, subprocesses, tables.

Environment (all optional):

``BENCH_QUICK=1``
    Small sizes (ingest to 100k records, trigger 50k records, NOAA without the larger variant):
    the whole suite in under two minutes, for developing the benchmarks.
``BENCH_SERIES=streamlab,http``
    Ingest series to run (floor, streamlab, http, trivial, moto, ministack, localstack;
    default all).
``BENCH_SEGMENT_LIMIT`` (default 20)
    Seconds: a series stops once a segment has taken this long (moto, ministack, LocalStack).
``BENCH_SERIES_BUDGET`` (default 100; quick 40)
    Seconds: a series also stops once its segments add up to more than this, so that
    ``make bench`` stays within about ten minutes.
``BENCH_SHARDS`` (default 4)
    Shards of the ingest stream (the same for every series).
``BENCH_TRIGGER_RECORDS`` (default 200000; quick 50000)
    Records pre-loaded for the trigger benchmark.
``BENCH_SKIP_MINISTACK=1``, ``BENCH_MINISTACK_VERSION`` (default 1.5.33)
    Leave ministack out (reported as skipped), or compare another version.
``BENCH_SKIP_LOCALSTACK=1``
    Leave LocalStack (host mode, ``.localstack-venv``) out, reported as skipped.
``BENCH_NO_ASSERT=1``
    Print everything but do not fail on missed targets.

Files: ``.bench-cache/`` (git-ignored) holds ministack's venv, server logs (``logs/``), the
larger NOAA variant (``scenarios/``) and the last run's numbers as JSON (``results/``).
"""

from __future__ import annotations

import datetime as _dt
import json
import os
import platform
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Iterable, Sequence
from pathlib import Path
from typing import Any

BENCH_DIR = Path(__file__).resolve().parent
ROOT = BENCH_DIR.parent.parent
CACHE = ROOT / ".bench-cache"
RESULTS = CACHE / "results"
PYTHON = sys.executable


def flag(name: str) -> bool:
    return os.environ.get(name, "").strip().lower() not in ("", "0", "false", "no")


QUICK = flag("BENCH_QUICK")
ASSERT = not flag("BENCH_NO_ASSERT")
SEGMENT_LIMIT = float(os.environ.get("BENCH_SEGMENT_LIMIT", "20"))
SERIES_BUDGET = float(os.environ.get("BENCH_SERIES_BUDGET", "40" if QUICK else "100"))


def machine() -> str:
    cpu = platform.processor() or platform.machine()
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    return (
        f"{_dt.date.today().isoformat()}, {os.cpu_count()} cores ({cpu}), "
        f"Python {platform.python_version()}, {platform.system()} {platform.release()}"
    )


def banner(title: str) -> None:
    print()
    print("=" * 100)
    print(f"{title}   [{'quick' if QUICK else 'full'} run; {machine()}]")
    print("=" * 100)


def fmt(value: Any, digits: int = 0) -> str:
    if value is None:
        return "-"
    if isinstance(value, float):
        return f"{value:,.{digits}f}"
    if isinstance(value, int):
        return f"{value:,}"
    return str(value)


def table(headers: Sequence[str], rows: Iterable[Sequence[Any]]) -> str:
    cells = [[str(h) for h in headers]] + [[str(c) for c in row] for row in rows]
    widths = [max(len(row[i]) for row in cells) for i in range(len(headers))]
    lines = []
    for number, row in enumerate(cells):
        lines.append(
            "  ".join(
                cell.ljust(width) if i == 0 else cell.rjust(width)
                for i, (cell, width) in enumerate(zip(row, widths, strict=True))
            )
        )
        if number == 0:
            lines.append("  ".join("-" * width for width in widths))
    return "\n".join(lines)


def processes_cpu(pids: Iterable[int]) -> float:
    """User + system CPU seconds so far of these processes (all their threads; Linux), 0.0 for
    any that is gone."""
    total = 0.0
    for pid in pids:
        try:
            with open(f"/proc/{pid}/stat") as stat:
                fields = stat.read().rsplit(")", 1)[1].split()
        except OSError:
            continue
        total += (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")
    return total


def save(name: str, data: Any) -> Path:
    RESULTS.mkdir(parents=True, exist_ok=True)
    path = RESULTS / f"{name}.json"
    payload = {"machine": machine(), "quick": QUICK, "results": data}
    path.write_text(json.dumps(payload, indent=2, default=str) + "\n")
    return path


def run_json_lines(
    argv: Sequence[str],
    *,
    timeout: float,
    env: dict[str, str] | None = None,
    on_line: Callable[[dict[str, Any]], None] | None = None,
) -> tuple[list[dict[str, Any]], str, int | None]:
    """Run a worker that prints one JSON object per line; return (objects, stderr, exit code).

    Lines are read as they come, so a worker killed at ``timeout`` still leaves what it
    reported (exit code None then).
    """
    process = subprocess.Popen(
        list(argv),
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        cwd=ROOT,
        env={**os.environ, **(env or {})},
    )
    objects: list[dict[str, Any]] = []
    errors: list[str] = []

    def drain_stderr() -> None:
        assert process.stderr is not None
        for line in process.stderr:
            errors.append(line)

    reader = threading.Thread(target=drain_stderr, daemon=True)
    reader.start()
    timed_out = threading.Event()

    def kill() -> None:
        timed_out.set()
        process.kill()

    timer = threading.Timer(timeout, kill)
    timer.start()
    try:
        assert process.stdout is not None
        for line in process.stdout:
            line = line.strip()
            if line.startswith("{"):
                try:
                    objects.append(json.loads(line))
                except ValueError:
                    errors.append(line + "\n")
                    continue
                if on_line is not None:
                    on_line(objects[-1])
        code = process.wait()
    finally:
        timer.cancel()
    reader.join(timeout=5)
    return objects, "".join(errors[-40:]), None if timed_out.is_set() else code


class Server:
    """A server subprocess (started by the benchmark, killed after): waits for ``ready``."""

    def __init__(self, argv: Sequence[str], *, env: dict[str, str] | None = None, log: Path):
        log.parent.mkdir(parents=True, exist_ok=True)
        self.log_path = log
        self._log = log.open("w")
        self.process = subprocess.Popen(
            list(argv),
            stdout=self._log,
            stderr=subprocess.STDOUT,
            cwd=ROOT,
            env={**os.environ, **(env or {})},
            start_new_session=True,
        )

    def wait_http(self, url: str, timeout: float = 60.0) -> float:
        """Wait until GET ``url`` answers 200; returns the seconds it took."""
        import urllib.request

        started = time.monotonic()
        while time.monotonic() - started < timeout:
            if self.process.poll() is not None:
                raise RuntimeError(f"server exited with {self.process.returncode}: {self.tail()}")
            try:
                with urllib.request.urlopen(url, timeout=2) as response:
                    if response.status == 200:
                        return time.monotonic() - started
            except OSError:
                pass
            time.sleep(0.1)
        raise TimeoutError(f"{url} did not answer within {timeout:.0f} s: {self.tail()}")

    def tail(self, lines: int = 15) -> str:
        if not self._log.closed:
            self._log.flush()
        try:
            return "\n".join(self.log_path.read_text(errors="replace").splitlines()[-lines:])
        except OSError:
            return ""

    def stop(self) -> None:
        if self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait(timeout=10)
        self._log.close()

    def __enter__(self) -> Server:
        return self

    def __exit__(self, *exc: object) -> None:
        self.stop()
