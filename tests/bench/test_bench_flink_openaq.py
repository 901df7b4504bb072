"""The OpenAQ 3-hour aggregate's staged replay: 18,000 measurements over 3 hours through
flink_jobs/openaq_aggregate.py, as a simulation runs it between its passes, JVM start included.

Each run is a fresh Python process (this file run as a script, ``--worker``), so each pays for
the JVM: start PyFlink's gateway and environment, replay the measurements through the job
(FlinkRunner.run: write the source file, plan, run on the MiniCluster, read the sink), and plan
when each row is emitted (sim/flink/staging.py). Variants, each run 3 times (once with
``BENCH_QUICK=1``), interleaved, medians reported:

* ``PyFlink defaults``: the JVM as PyFlink starts it (no options, no class archive): before;
* ``JVM options``: sim/flink/jvm.py's C1-only compiler and serial GC;
* ``+ class archive``: and the class-data archive (built first if missing, as
  ``python -m sim.flink.jvm --archive`` does): what a run does by default once it is built;
* ``JVM already warm``: the same, the job's replay alone after a run of the job over no input
  in the same process: the cost that is not the JVM's warming up (a second job in a process).

Reported per variant: wall seconds (start, job, emission planning, total), CPU seconds of the
Python process and the JVM, and simulated time / wall time. Every variant must give the same
rows and the same emission plan (a digest of both). The target (issue 11): the staged run in
at most 12 s, JVM start included, with the defaults.
"""

from __future__ import annotations

import hashlib
import json
import os
import resource
import statistics
import sys
import time
from pathlib import Path
from typing import Any

import pytest

BENCH_DIR = Path(__file__).resolve().parent
sys.path[:0] = [str(BENCH_DIR), str(BENCH_DIR.parent.parent)]

from benchlib import ASSERT, PYTHON, QUICK, banner, processes_cpu, run_json_lines, save, table  # noqa: E402

pytestmark = pytest.mark.bench

MEASUREMENTS = 18_000
HOURS = 3
SIMULATED_SECONDS = HOURS * 3600
TARGET_SECONDS = 12.0
REPEATS = 1 if QUICK else 3

VARIANTS: dict[str, dict[str, str]] = {
    "PyFlink defaults": {"STREAMLAB_FLINK_JVM_OPTIONS": "", "STREAMLAB_FLINK_CDS": "off"},
    "JVM options": {"STREAMLAB_FLINK_CDS": "off"},
    "+ class archive": {},
    "JVM already warm": {"BENCH_FLINK_WARM": "1"},
}
DEFAULT = "+ class archive"


# -- the worker: one staged replay in this process ------------------------------------------------
def worker() -> None:
    wall0 = time.monotonic()
    from flink_jobs import openaq_aggregate
    from sim.flink import FlinkRunner, JobSpec
    from sim.flink.staging import Replay, SourceRecord, plan_emissions
    from tests.flink.test_flink_openaq import measurements

    stream = measurements(hours=HOURS, count=MEASUREMENTS)
    records = [
        SourceRecord(arrival, json.dumps(m, ensure_ascii=False).encode()) for arrival, m in stream
    ]
    spec = JobSpec.from_module(openaq_aggregate)
    runner = FlinkRunner()
    warm = os.environ.get("BENCH_FLINK_WARM") == "1"
    if warm:
        runner.run(spec, [])  # the job once over no input: planned, compiled, deployed

    t0 = time.monotonic()
    runner.start()
    t1 = time.monotonic()
    rows = runner.run(spec, [r.line() for r in records])
    t2 = time.monotonic()
    replay = Replay(spec.name)
    plan_emissions(spec, records, rows, stop_at=None, drain=False, replay=replay)
    t3 = time.monotonic()

    from pyflink.java_gateway import get_gateway

    jvm = int(get_gateway().jvm.java.lang.ProcessHandle.current().pid())
    own = resource.getrusage(resource.RUSAGE_SELF)
    digest = hashlib.sha256(
        json.dumps([[r.time.isoformat(), r.data] for r in rows], sort_keys=True).encode()
        + json.dumps(replay.emitted, sort_keys=True).encode()
    ).hexdigest()[:16]
    print(
        json.dumps(
            {
                "start": t1 - t0,
                "job": t2 - t1,
                "plan": t3 - t2,
                "total": t3 - t0,
                "process": t3 - wall0,
                "python_cpu": own.ru_utime + own.ru_stime,
                "jvm_cpu": processes_cpu([jvm]),
                "rows": len(rows),
                "emitted": len(replay.emitted),
                "held": replay.held,
                "digest": digest,
                "jvm_options": os.environ.get("STREAMLAB_FLINK_JVM_OPTIONS", "(default)"),
            }
        ),
        flush=True,
    )


# -- the benchmark ----------------------------------------------------------------------------------
def run_variant(env: dict[str, str]) -> dict[str, Any]:
    lines, stderr, code = run_json_lines(
        [PYTHON, __file__, "--worker"], timeout=300, env={"JVM_ARGS": "", **env}
    )
    if code != 0 or not lines:
        raise AssertionError(f"worker failed ({code}): {stderr[-3000:]}")
    return lines[-1]


def test_flink_openaq_staged_replay() -> None:
    banner(
        f"OpenAQ 3-hour aggregate: staged replay of {MEASUREMENTS:,} measurements over "
        f"{HOURS} h, JVM start included (one process per run)"
    )
    from sim.flink import jvm

    if jvm.class_archive() is None:
        started = time.monotonic()
        path = jvm.build_archive()
        print(f"  class archive built: {path} ({time.monotonic() - started:.0f} s)")
    runs: dict[str, list[dict[str, Any]]] = {name: [] for name in VARIANTS}
    for repeat in range(REPEATS):
        for name, env in VARIANTS.items():
            result = run_variant(env)
            runs[name].append(result)
            print(
                f"  [{repeat + 1}/{REPEATS}] {name}: {result['total']:.2f} s "
                f"(start {result['start']:.2f}, job {result['job']:.2f}, "
                f"plan {result['plan']:.2f}), CPU {result['python_cpu'] + result['jvm_cpu']:.1f} s",
                flush=True,
            )

    def median(name: str, key: str) -> float:
        return statistics.median(r[key] for r in runs[name])

    before = median("PyFlink defaults", "total")
    rows = []
    for name in VARIANTS:
        total = median(name, "total")
        cpu = statistics.median(r["python_cpu"] + r["jvm_cpu"] for r in runs[name])
        rows.append(
            [
                name,
                f"{median(name, 'start'):.2f} s",
                f"{median(name, 'job'):.2f} s",
                f"{median(name, 'plan'):.2f} s",
                f"{total:.2f} s",
                f"{before / total:.2f}x",
                f"{cpu:.1f} s",
                f"{SIMULATED_SECONDS / total:,.0f}x",
            ]
        )
    print()
    print(
        table(
            [
                "variant",
                "start",
                "job",
                "plan",
                "total",
                "vs defaults",
                "CPU (Python + JVM)",
                "simulated/wall",
            ],
            rows,
        )
    )
    sample = runs[DEFAULT][0]
    print(
        f"\n  {sample['rows']:,} rows, {sample['emitted']:,} emitted during the run, "
        f"{sample['held']} held (windows the end of the data leaves open); start = the JVM and "
        "the environment, job = FlinkRunner.run, plan = the emission times"
    )
    path = save("flink-openaq", runs)
    print(f"  results: {path}")

    digests = {r["digest"] for results in runs.values() for r in results}
    assert len(digests) == 1, f"the variants gave different rows or emission plans: {digests}"
    if ASSERT and median(DEFAULT, "total") > TARGET_SECONDS:
        pytest.fail(
            f"the staged replay took {median(DEFAULT, 'total'):.1f} s (target {TARGET_SECONDS:g} s)",
            pytrace=False,
        )


if __name__ == "__main__" and sys.argv[1:] == ["--worker"]:
    worker()
