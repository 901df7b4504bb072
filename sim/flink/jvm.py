"""The JVM behind PyFlink: started with options that suit short jobs, and a class archive.

PyFlink starts one Java process per Python process, its *gateway*, on first use, and every
runner in the process shares it (:class:`~sim.flink.runner.FlinkRunner`,
:class:`~sim.flink.live.LiveFlinkJob`). A simulation's Flink job is short: the staged replay of
18,000 OpenAQ measurements runs for about a second of its own, the rest of its cost is the
JVM loading and compiling Flink's planner, code generator and MiniCluster. :func:`gateway`
starts the gateway with:

* :data:`JVM_OPTIONS`: ``-XX:TieredStopAtLevel=1`` compiles with C1 only. C2, the optimising
  compiler, spends CPU on code that a job this short never runs long enough to repay; on two
  cores its compiler threads compete with the job itself. ``-XX:+UseSerialGC``: one GC
  thread, no concurrent marking, for a heap that stays small. Measured (tests/bench/
  test_bench_flink_openaq.py, docs/flink.md "What costs time"): the job's staged run fell from
  6.9 s to 5.3 s on an idle machine, from 11-13 s to 6-7 s with the other core busy, and its
  CPU time from 11.8 s to 6.6 s.
* a **class-data archive** (AppCDS, JDK 13+), when one has been built for this JDK and PyFlink
  (``python -m sim.flink.jvm --archive``): the classes Flink loaded in a representative run,
  already parsed and verified, mapped from one file. It takes another 1.2 s off (4.1 s). Built
  by running the jobs of ``flink_jobs/`` once under ``-XX:ArchiveClassesAtExit`` in a child
  process; written to a temporary name and renamed into place once the JVM has exited, so a
  run never maps half a file. Its name carries a digest of the Java binary and the gateway's
  class path, so a new JDK or PyFlink simply finds none. The JVM itself refuses an archive
  that does not match (and then runs without); ``-Xlog:cds*=off`` keeps that quiet.

The options come first on the command line and ``JVM_ARGS`` from the environment after them,
so a user's ``JVM_ARGS="-XX:TieredStopAtLevel=4"`` wins. Environment overrides:

``STREAMLAB_FLINK_JVM_OPTIONS``
    Replaces :data:`JVM_OPTIONS` (space-separated; empty: none).
``STREAMLAB_FLINK_CDS``
    A class archive to use instead of the default one, or ``off``.

A gateway already running (started by other code, or ``PYFLINK_GATEWAY_PORT``) is used as it
is. Relies on PyFlink's ``pyflink.java_gateway._gateway`` to know whether it runs.
"""

from __future__ import annotations

import argparse
import contextlib
import hashlib
import importlib.metadata
import os
import shutil
import subprocess
import sys
import threading
import time
from collections.abc import Sequence
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[2]
ARCHIVE_DIR = ROOT / ".streamlab" / "flink-cds"  # git-ignored, like .flink-jars/

JVM_OPTIONS: tuple[str, ...] = ("-XX:TieredStopAtLevel=1", "-XX:+UseSerialGC")
QUIET_CDS = "-Xlog:cds*=off"  # no warning when the JVM declines an archive
OPTIONS_ENV = "STREAMLAB_FLINK_JVM_OPTIONS"
ARCHIVE_ENV = "STREAMLAB_FLINK_CDS"
# Building the archive: the warm-up jobs and the JVM's dump at exit take 10-30 s on 2 cores.
ARCHIVE_TIMEOUT_SECONDS = 300.0

_lock = threading.Lock()


class ClassArchiveError(RuntimeError):
    """The class-data archive could not be built (the message says why)."""


def options() -> list[str]:
    """The JVM options :func:`gateway` starts PyFlink's gateway with (the archive included)."""
    text = os.environ.get(OPTIONS_ENV)
    chosen = list(JVM_OPTIONS) if text is None else text.split()
    archive = class_archive()
    if archive is not None:
        chosen += [f"-XX:SharedArchiveFile={archive}", QUIET_CDS]
    return chosen


def launched() -> bool:
    """Whether PyFlink's gateway has been started in this process."""
    from pyflink import java_gateway

    return java_gateway._gateway is not None


def gateway(extra: Sequence[str] = ()) -> Any:
    """PyFlink's gateway, started now with :func:`options` (and ``extra``) if it is not yet."""
    from pyflink import java_gateway

    with _lock:
        if java_gateway._gateway is None and "PYFLINK_GATEWAY_PORT" not in os.environ:
            user = os.environ.get("JVM_ARGS")
            os.environ["JVM_ARGS"] = " ".join([*options(), *extra, *(user.split() if user else [])])
            try:
                java_gateway.get_gateway()
            finally:
                if user is None:
                    os.environ.pop("JVM_ARGS", None)
                else:
                    os.environ["JVM_ARGS"] = user
    return java_gateway.get_gateway()


# -- the class-data archive ----------------------------------------------------------------------
def _java() -> Path | None:
    """The java PyFlink's gateway runs (JAVA_HOME's, else the one on PATH), resolved."""
    home = os.environ.get("JAVA_HOME")
    candidate = Path(home) / "bin" / "java" if home else None
    if candidate is None or not candidate.is_file():
        found = shutil.which("java")
        candidate = Path(found) if found else None
    return candidate.resolve() if candidate is not None else None


def archive_key() -> str | None:
    """A digest of what an archive depends on: the JVM build (its binary and libjvm) and the
    gateway's class path (PyFlink's version and jars). None without Java or PyFlink."""
    java = _java()
    if java is None:
        return None
    try:
        import pyflink

        version = importlib.metadata.version("apache-flink")
    except (ImportError, importlib.metadata.PackageNotFoundError):
        return None
    digest = hashlib.sha256()
    home = java.parent.parent
    for path in (java, home / "lib" / "server" / "libjvm.so", home / "lib" / "modules"):
        if path.exists():
            stat = path.stat()
            digest.update(f"{path}:{stat.st_size}:{stat.st_mtime_ns}\n".encode())
    flink = Path(pyflink.__file__).parent
    jars = sorted([*flink.glob("lib/*.jar"), *flink.glob("opt/flink-python*.jar")])
    digest.update(f"apache-flink {version}\n".encode())
    for jar in jars:
        digest.update(f"{jar}:{jar.stat().st_size}\n".encode())
    digest.update(" ".join(JVM_OPTIONS).encode())
    return digest.hexdigest()[:16]


def archive_path(directory: str | os.PathLike[str] = ARCHIVE_DIR) -> Path | None:
    """Where the archive for this JDK and PyFlink lives (whether or not it exists)."""
    key = archive_key()
    return None if key is None else Path(directory) / f"flink-{key}.jsa"


def class_archive() -> Path | None:
    """The archive to start the gateway with: ``STREAMLAB_FLINK_CDS``, else the default one
    if it has been built; None for none."""
    chosen = os.environ.get(ARCHIVE_ENV)
    if chosen is not None:
        if chosen.strip().lower() in ("", "off", "0", "false", "no"):
            return None
        path = Path(chosen)
        return path if path.is_file() else None
    path = archive_path()
    return path if path is not None and path.is_file() else None


def _reap(pid: int, timeout: float) -> None:
    """Wait until our child process ``pid`` has exited (and reap it)."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            done, _status = os.waitpid(pid, os.WNOHANG)
        except ChildProcessError:
            return
        if done:
            return
        time.sleep(0.05)
    raise ClassArchiveError(f"the JVM (pid {pid}) did not exit within {timeout:g} s")


def _warm_up_jobs() -> None:
    """Run the project's jobs once over a few records: the classes they load are archived."""
    from datetime import UTC, datetime, timedelta

    from flink_jobs import openaq_aggregate, wildrydes_summary
    from sim.flink.runner import FlinkRunner

    start = datetime(2026, 11, 2, 9, 0, tzinfo=UTC)
    measurements = [
        {
            "city": "Brussels",
            "parameter": "pm25",
            "value": float(i),
            "date": {"utc": (start + timedelta(minutes=i)).isoformat()},
        }
        for i in range(12)
    ]
    statuses = [
        {"Name": "Shadowfax", "StatusTime": start.timestamp() + s, "Distance": 1.0}
        for s in range(0, 150, 10)
    ]
    with FlinkRunner() as runner:
        runner.run(openaq_aggregate, measurements)
        runner.run(wildrydes_summary, statuses)


def _dump(path: str) -> None:
    """In a child process: start the gateway archiving at exit, run the jobs, end the JVM."""
    os.environ[ARCHIVE_ENV] = "off"  # a dynamic archive is not built on top of another
    g = gateway(extra=[f"-XX:ArchiveClassesAtExit={path}"])
    pid = int(g.jvm.java.lang.ProcessHandle.current().pid())
    _warm_up_jobs()
    with contextlib.suppress(Exception):  # the connection closes under the call
        g.jvm.java.lang.System.exit(0)  # the JVM writes the archive as it exits
    _reap(pid, ARCHIVE_TIMEOUT_SECONDS)


def build_archive(directory: str | os.PathLike[str] = ARCHIVE_DIR) -> Path:
    """Build the class-data archive for this JDK and PyFlink in ``directory``; its path.

    Runs :func:`_warm_up_jobs` in a child Python process whose gateway dumps the classes it
    loaded at exit, then renames the archive into place. ClassArchiveError on failure.
    """
    final = archive_path(directory)
    if final is None:
        raise ClassArchiveError("no Java or no PyFlink: nothing to archive for")
    final.parent.mkdir(parents=True, exist_ok=True)
    partial = final.with_name(f".{final.name}.{os.getpid()}.tmp")
    partial.unlink(missing_ok=True)
    try:
        done = subprocess.run(
            [sys.executable, "-m", "sim.flink.jvm", "--dump", str(partial)],
            cwd=ROOT,
            capture_output=True,
            text=True,
            timeout=ARCHIVE_TIMEOUT_SECONDS,
        )
    except subprocess.TimeoutExpired:
        partial.unlink(missing_ok=True)
        raise ClassArchiveError(
            f"building the class archive took over {ARCHIVE_TIMEOUT_SECONDS:g} s"
        ) from None
    if done.returncode != 0 or not partial.is_file() or partial.stat().st_size == 0:
        partial.unlink(missing_ok=True)
        tail = (done.stderr or done.stdout).strip().splitlines()[-3:]
        raise ClassArchiveError(
            f"the JVM wrote no class archive (exit {done.returncode}): " + " | ".join(tail)
        )
    os.replace(partial, final)
    for stale in final.parent.glob("flink-*.jsa"):
        if stale != final:
            stale.unlink(missing_ok=True)  # archives of an earlier JDK or PyFlink
    return final


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m sim.flink.jvm",
        description="The JVM options PyFlink's gateway starts with, and its class archive.",
    )
    parser.add_argument("--archive", action="store_true", help="build the class-data archive")
    parser.add_argument("--dump", metavar="PATH", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.dump:
        _dump(args.dump)
        return 0
    if args.archive:
        started = time.monotonic()
        try:
            path = build_archive()
        except ClassArchiveError as error:
            print(f"flink-cds: {error}", file=sys.stderr)
            return 1
        size = path.stat().st_size / 2**20
        print(
            f"flink-cds: {path.relative_to(ROOT)} built ({size:.0f} MiB, "
            f"{time.monotonic() - started:.0f} s)"
        )
        return 0
    archive = class_archive()
    print("JVM options:", " ".join(options()))
    print("class archive:", archive if archive else "none (python -m sim.flink.jvm --archive)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
