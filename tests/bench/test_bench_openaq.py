"""The OpenAQ scenarios end to end: simulated time against wall time (target: the 3-hour
streaming scenario, 18,000 measurements through the ingestion Lambda, Kinesis, the Flink job,
Lambda and DynamoDB, at least 360x faster than real time, i.e. in at most 30 s), and peak RSS.

Each run is ``sim run SCENARIO --no-progress --in-process`` in its own process (see
test_bench_noaa.py, whose measuring this reuses).
"""

from __future__ import annotations

import pytest
from benchlib import ASSERT, ROOT, banner, fmt, save, table
from test_bench_noaa import run

pytestmark = pytest.mark.bench

SCENARIOS = [ROOT / "scenarios" / "openaq-streaming.yaml", ROOT / "scenarios" / "openaq-batch.yaml"]
TARGET_SPEEDUP = 360.0  # 3 simulated hours in at most 30 s of wall time (issue 11)


def test_openaq_scenarios() -> None:
    banner("OpenAQ scenarios: simulated time / wall time (target ≥ 360x for streaming)")
    results = [run(path) for path in SCENARIOS]
    rows = [
        [
            r["scenario"],
            fmt(r["produced"]),
            f"{r['simulated_seconds']:.0f} s",
            f"{r['run_wall_seconds']:.1f} s",
            f"{r['speedup_run']:.0f}x",
            f"{r['process_wall_seconds']:.1f} s",
            f"{r['speedup_process']:.0f}x",
            f"{r['max_rss_mib']:.0f} MiB",
            "yes" if r["passed"] else "NO",
        ]
        for r in results
    ]
    print()
    print(
        table(
            [
                "scenario",
                "records",
                "simulated",
                "run wall",
                "sim/wall (run)",
                "process wall",
                "sim/wall (process)",
                "peak RSS",
                "passed",
            ],
            rows,
        )
    )
    streaming = results[0]
    print(
        f"\n  streaming: {streaming['speedup_run']:.0f}x real time in the run "
        f"({streaming['speedup_run'] / TARGET_SPEEDUP:.2f} of the 360x target), "
        f"{streaming['speedup_process']:.0f}x for the whole process"
    )
    path = save("openaq", results)
    print(f"  results: {path}")
    if ASSERT:
        failed = [r["scenario"] for r in results if not r["passed"]]
        if failed:
            pytest.fail(f"scenario expectations failed: {', '.join(failed)}", pytrace=False)
        if streaming["speedup_run"] < TARGET_SPEEDUP:
            pytest.fail(
                f"openaq-streaming ran {streaming['speedup_run']:.0f}x real time, below "
                f"{TARGET_SPEEDUP:.0f}x",
                pytrace=False,
            )
