"""The background LocalStack of ``make localstack`` / ``make down``: start, status, stop.

This starts a second, small LocalStack (Kinesis and DynamoDB only, so that both engines run)
through the CLI the Makefile uses, and checks that stopping it leaves no process behind.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

from sim.daemon import free_port, port_free, process_alive
from sim.localstack_host import PROJECT, process_tree, read_state, state_path


def cli(*args: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "sim.localstack_host", *args],
        cwd=cwd,
        capture_output=True,
        text=True,
        timeout=240,
        env={**os.environ, "PYTHONPATH": str(PROJECT)},
    )


def command_line(pid: int) -> str:
    try:
        return Path(f"/proc/{pid}/cmdline").read_bytes().replace(b"\0", b" ").decode()
    except OSError:
        return ""


def test_start_status_stop_leaves_no_process(tmp_path: Path) -> None:
    port = free_port()
    started = cli("start", "--port", str(port), "--services", "kinesis,dynamodb", cwd=tmp_path)
    assert started.returncode == 0, started.stdout + started.stderr
    assert f"http://127.0.0.1:{port}" in started.stdout
    state = read_state(tmp_path)
    try:
        assert state is not None
        assert json.loads(state_path(tmp_path).read_text())["pid"] == state["pid"]
        pids = process_tree(state["pid"], state["marker"])
        commands = [command_line(pid) for pid in pids]
        assert any("localstack.runtime.main" in c for c in commands), commands
        assert any("kinesis-local" in c for c in commands), commands
        assert any("DynamoDBLocal.jar" in c for c in commands), commands
        assert Path(state["root"]).is_dir()
        assert (tmp_path / ".streamlab" / "localstack.log").read_text().count("Ready.") == 1

        status = cli("status", cwd=tmp_path)
        assert status.returncode == 0 and f"127.0.0.1:{port}" in status.stdout

        again = cli("start", "--port", str(port), cwd=tmp_path)
        assert again.returncode == 0 and "already running" in again.stdout
    finally:
        stopped = cli("stop", cwd=tmp_path)
    assert stopped.returncode == 0, stopped.stderr
    assert stopped.stdout.startswith("stopped LocalStack")
    assert [pid for pid in pids if process_alive(pid)] == []
    assert not state_path(tmp_path).exists()
    assert not Path(state["root"]).exists()
    assert port_free("127.0.0.1", port)

    # Nothing running: stop and status say so; stop is not an error (`make down`).
    assert cli("stop", cwd=tmp_path).stdout.strip() == "no LocalStack is running here"
    assert cli("status", cwd=tmp_path).returncode == 1
