"""``sim run`` of the NOAA scenario in-process, twice: the exports are byte-identical."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest
from cli_support import NOAA, sim_env


def tree(directory: Path) -> dict[str, bytes]:
    return {
        str(path.relative_to(directory)): path.read_bytes()
        for path in sorted(directory.rglob("*"))
        if path.is_file()
    }


@pytest.mark.slow
def test_two_runs_export_byte_identical_directories(tmp_path: Path) -> None:
    runs = []
    for name in ("first", "second"):  # side by side: each its own process and directory
        directory = tmp_path / name
        directory.mkdir()
        process = subprocess.Popen(
            [sys.executable, "-m", "sim", "run", str(NOAA), "--export", "out", "--no-progress"],
            cwd=directory,
            env=sim_env(directory),
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        runs.append((directory, process))
    for _, process in runs:
        stdout, stderr = process.communicate(timeout=120)
        assert process.returncode == 0, stdout + stderr
        assert "noaa-weather  PASSED" in stdout
        assert "backend embedded" in stdout
        assert "Exported to out" in stdout

    first, second = (tree(directory / "out") for directory, _ in runs)
    assert first.keys() == second.keys()
    assert {"ledger.json", "expectations.json", "invocations.jsonl"} <= first.keys()
    assert any(name.startswith("tables") for name in first)
    assert any(name.startswith("streams") for name in first)
    different = [name for name in first if first[name] != second[name]]
    assert different == []
