"""The NOAA scenario end to end: simulated time against wall time, and peak memory.

Each run is ``sim run SCENARIO --no-progress --in-process`` as the only child of a small probe
(``rss_probe.py``), so its peak RSS is its own. ``--in-process`` keeps the run here even if a
``sim up`` endpoint is running. Reported: the run's own wall time (from its report), the whole
process's wall time (interpreter start and imports included), simulated/wall for both, peak RSS,
and the ledger's counts.

Scenarios: ``scenarios/noaa-weather.yaml`` as it is (8 stations, October 2021, 744 records at
10/s), and, in full runs, a larger variant written to ``.bench-cache/scenarios/``: 12 stations,
the whole of 2021, 100 records/s, the same pipeline, with the ledger expectations only.
"""

from __future__ import annotations

import re
from datetime import datetime
from pathlib import Path
from typing import Any

import pytest
import yaml
from benchlib import (
    ASSERT,
    BENCH_DIR,
    CACHE,
    PYTHON,
    QUICK,
    ROOT,
    banner,
    fmt,
    run_json_lines,
    save,
    table,
)

pytestmark = pytest.mark.bench

SCENARIO = ROOT / "scenarios" / "noaa-weather.yaml"
SIM = str(Path(PYTHON).parent / "sim")
REPORT_LINE = re.compile(r"simulated (\S+) → (\S+) \(([^)]*)\) in ([\d.]+) s wall")
LEDGER_LINE = re.compile(r"produced (\d+)\s+accepted (\d+)\s+delivered (\d+).*lost (\d+)")


def larger_variant() -> Path:
    """The NOAA scenario with 12 stations over all of 2021 at 100 records/s."""
    scenario = yaml.safe_load(SCENARIO.read_text())
    scenario["name"] = "noaa-weather-year"
    scenario["description"] = "noaa-weather with 12 stations over 2021 (benchmark variant)"
    producer = scenario["producers"][0]
    producer["rate"] = "100/s"
    producer["params"] = {"stations": 12, "start_date": "2021-01-01", "end_date": "2021-12-31"}
    scenario["expect"] = [  # the ledger and error checks; the counts are the lab's
        e for e in scenario["expect"] if ("ledger" in e or "invocations" in e) and e["equals"] == 0
    ]
    path = CACHE / "scenarios" / "noaa-weather-year.yaml"
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(
        "# Written by tests/bench/test_bench_noaa.py: the NOAA scenario, larger (benchmark only).\n"
        + yaml.safe_dump(scenario, sort_keys=False)
    )
    return path


def epoch(text: str) -> float:
    return datetime.fromisoformat(text.replace("Z", "+00:00")).timestamp()


def run(path: Path) -> dict[str, Any]:
    argv = [
        PYTHON,
        str(BENCH_DIR / "rss_probe.py"),
        SIM,
        "run",
        str(path),
        "--no-progress",
        "--in-process",
    ]
    lines, stderr, code = run_json_lines(argv, timeout=600)
    if code != 0 or not lines:
        raise AssertionError(f"probe failed ({code}): {stderr}")
    probe = lines[-1]
    out = probe["stdout"]
    match = REPORT_LINE.search(out)
    if probe["returncode"] != 0 or match is None:
        raise AssertionError(
            f"sim run {path} exited {probe['returncode']}:\n{out[-3000:]}\n{probe['stderr']}"
        )
    simulated = epoch(match.group(2)) - epoch(match.group(1))
    run_wall = float(match.group(4))
    ledger = LEDGER_LINE.search(out)
    return {
        "scenario": str(path.relative_to(ROOT)),
        "passed": out.lstrip().splitlines()[0].split()[-1] == "PASSED",
        "simulated_seconds": simulated,
        "run_wall_seconds": run_wall,
        "process_wall_seconds": probe["wall_seconds"],
        "speedup_run": simulated / run_wall if run_wall else None,
        "speedup_process": simulated / probe["wall_seconds"],
        "max_rss_mib": probe["max_rss_kib"] / 1024,
        "cpu_seconds": probe["user_seconds"] + probe["system_seconds"],
        "produced": int(ledger.group(1)) if ledger else None,
        "delivered": int(ledger.group(3)) if ledger else None,
        "lost": int(ledger.group(4)) if ledger else None,
    }


def test_noaa_scenario() -> None:
    banner("NOAA scenario: simulated time / wall time, peak RSS (sim run in its own process)")
    scenarios = [SCENARIO] + ([] if QUICK else [larger_variant()])
    results = []
    for path in scenarios:
        result = run(path)
        results.append(result)
        print(
            f"  {result['scenario']}: {'passed' if result['passed'] else 'FAILED'}, "
            f"{result['delivered']} records delivered, {result['run_wall_seconds']:.1f} s run, "
            f"{result['max_rss_mib']:.0f} MiB peak",
            flush=True,
        )
    rows = [
        [
            r["scenario"],
            fmt(r["produced"]),
            f"{r['simulated_seconds']:.0f} s",
            f"{r['run_wall_seconds']:.1f} s",
            f"{r['speedup_run']:.1f}x",
            f"{r['process_wall_seconds']:.1f} s",
            f"{r['speedup_process']:.1f}x",
            f"{r['cpu_seconds']:.1f} s",
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
                "process CPU",
                "peak RSS",
                "passed",
            ],
            rows,
        )
    )
    print(
        "\n  run wall: the runner's own measure (provision, run, expectations); process wall: "
        "the whole `sim run` command, interpreter start and imports included"
    )
    path = save("noaa", results)
    print(f"  results: {path}")
    failed = [r["scenario"] for r in results if not r["passed"]]
    if ASSERT and failed:
        pytest.fail(f"scenario expectations failed: {', '.join(failed)}", pytrace=False)
