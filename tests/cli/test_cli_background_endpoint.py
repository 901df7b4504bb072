"""The background endpoint: ``sim up --detach``, ``sim run`` inside it, the aws CLI against what
it stored, ``sim down`` (what ``make up`` / ``make scenario`` / ``make down`` do).

One endpoint (a free port, a temporary working directory) is shared by the tests of this module,
which run in order; the last one stops it.
"""

from __future__ import annotations

import contextlib
import json
import os
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from cli_support import MISSING_HANDLER, NOAA, aws, free_port, producer_only, sim, sim_env, write

from sim.daemon import process_alive


@dataclass
class Endpoint:
    directory: Path
    port: int
    url: str
    env: dict[str, str]
    up: subprocess.CompletedProcess[str]

    @property
    def state_file(self) -> Path:
        return self.directory / ".streamlab" / "endpoint.json"

    def get(self, path: str) -> Any:
        with urllib.request.urlopen(self.url + path, timeout=10) as response:
            return json.loads(response.read())

    def post(self, path: str, body: dict[str, Any] | None = None) -> tuple[int, Any]:
        request = urllib.request.Request(
            self.url + path, data=json.dumps(body or {}).encode(), method="POST"
        )
        try:
            with urllib.request.urlopen(request, timeout=10) as response:
                return response.status, response.read()
        except urllib.error.HTTPError as error:
            return error.code, json.loads(error.read())


def can_listen(port: int) -> bool:
    with socket.socket() as probe:
        probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            probe.bind(("127.0.0.1", port))
            probe.listen()
        except OSError:
            return False
    return True


@pytest.fixture(scope="module")
def endpoint(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Endpoint]:
    directory = tmp_path_factory.mktemp("endpoint-cwd")
    port = free_port()
    env = sim_env(directory, STREAMLAB_PORT=str(port))
    up = sim("up", "--detach", cwd=directory, env=env, timeout=90)
    running = Endpoint(directory, port, f"http://127.0.0.1:{port}", env, up)
    pid = None
    with contextlib.suppress(OSError, ValueError):
        pid = json.loads(running.state_file.read_text())["pid"]
    try:
        yield running
    finally:
        if pid is not None and process_alive(pid):
            sim("down", cwd=directory, env=env)
            if process_alive(pid):  # sim down failed: do not leave our endpoint behind
                os.kill(pid, signal.SIGKILL)


def test_up_detach_prints_where_it_listens_and_how_to_stop(endpoint: Endpoint) -> None:
    assert endpoint.up.returncode == 0, endpoint.up.stdout + endpoint.up.stderr
    assert f"streamlab endpoint listening on {endpoint.url}" in endpoint.up.stdout
    assert "sim down" in endpoint.up.stdout
    state = json.loads(endpoint.state_file.read_text())
    assert state["url"] == endpoint.url
    assert process_alive(state["pid"])
    assert endpoint.get("/_localstack/health")["edition"] == "streamlab"
    assert endpoint.get("/_streamlab/info")["pid"] == state["pid"]


def test_a_second_up_says_it_is_already_running(endpoint: Endpoint) -> None:
    pid = json.loads(endpoint.state_file.read_text())["pid"]
    again = sim("up", "--detach", cwd=endpoint.directory, env=endpoint.env)
    assert again.returncode == 0
    assert f"streamlab endpoint already running on {endpoint.url} (pid {pid}" in again.stdout
    assert json.loads(endpoint.state_file.read_text())["pid"] == pid


@pytest.mark.slow
def test_run_goes_inside_the_endpoint_and_the_state_stays_there(endpoint: Endpoint) -> None:
    done = sim("run", str(NOAA), cwd=endpoint.directory, env=endpoint.env)
    assert done.returncode == 0, done.stdout + done.stderr
    assert f"running inside the streamlab endpoint at {endpoint.url}" in done.stderr
    assert "noaa-weather  PASSED" in done.stdout
    assert "delivered 744" in done.stdout

    scanned = aws(
        "dynamodb", "scan", "--table-name", "Temperature", "--select", "COUNT",
        url=endpoint.url, cwd=endpoint.directory, env=endpoint.env,
    )  # fmt: skip
    assert scanned["Count"] == 155
    streams = aws(
        "kinesis", "list-streams", url=endpoint.url, cwd=endpoint.directory, env=endpoint.env
    )
    assert "input-stream" in streams["StreamNames"]
    info = endpoint.get("/_streamlab/info")
    assert info["busy"] is False
    assert info["last_run"] == {
        "name": "noaa-weather",
        "passed": True,
        "ended_at": "2021-11-01T09:03:00.000Z",
    }


def test_one_run_at_a_time_and_json_from_the_endpoint(endpoint: Endpoint) -> None:
    scenario = write(
        endpoint.directory / "slow.yaml",
        producer_only(
            "slow",
            duration="3s",
            expect="""\
            expect:
              - name: nothing lost
                ledger: lost
                equals: 0
            """,
        ),
    )
    process = subprocess.Popen(
        [sys.executable, "-m", "sim", "run", str(scenario), "--speed", "1", "--json"],
        cwd=endpoint.directory,
        env=endpoint.env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        deadline = time.monotonic() + 30
        while not endpoint.get("/_streamlab/info")["busy"]:
            assert process.poll() is None, process.communicate()
            assert time.monotonic() < deadline
            time.sleep(0.05)
        status, refusal = endpoint.post("/_streamlab/run", {"path": str(scenario)})
        assert status == 409
        assert "another scenario is running" in refusal["error"]
        status, refusal = endpoint.post("/_streamlab/reset")
        assert status == 409
        stdout, stderr = process.communicate(timeout=60)
    finally:
        if process.poll() is None:
            process.kill()
            process.wait()
    assert process.returncode == 0, stdout + stderr
    result = json.loads(stdout)
    assert result["name"] == "slow"
    assert result["passed"] is True
    totals = result["ledger"]["totals"]
    assert totals["produced"] == totals["accepted"] > 0
    assert "%" not in stderr  # no progress lines with --json
    # Refusing a run must not leave the endpoint locked.
    assert endpoint.post("/_streamlab/reset")[0] == 200
    assert endpoint.get("/_streamlab/info")["busy"] is False


def test_a_failing_run_inside_the_endpoint_exits_2_and_the_endpoint_keeps_serving(
    endpoint: Endpoint,
) -> None:
    scenario = write(
        endpoint.directory / "handler.yaml",
        MISSING_HANDLER,
    )
    done = sim("run", str(scenario), cwd=endpoint.directory, env=endpoint.env)
    assert done.returncode == 2
    assert "running inside the streamlab endpoint" in done.stderr
    assert "no_such_module_xyz" in done.stderr
    info = endpoint.get("/_streamlab/info")
    assert info["busy"] is False


def test_down_stops_it_and_frees_the_port(endpoint: Endpoint) -> None:
    pid = json.loads(endpoint.state_file.read_text())["pid"]
    done = sim("down", cwd=endpoint.directory, env=endpoint.env)
    assert done.returncode == 0
    assert f"stopped the streamlab endpoint at {endpoint.url} (pid {pid})" in done.stdout
    assert not process_alive(pid)
    assert not endpoint.state_file.exists()
    assert can_listen(endpoint.port)
    again = sim("down", cwd=endpoint.directory, env=endpoint.env)
    assert again.returncode == 0
    assert "no streamlab endpoint is running here" in again.stdout


def test_up_on_a_port_in_use_is_a_clear_error(tmp_path: Path) -> None:
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        env = sim_env(tmp_path, STREAMLAB_PORT=str(port))
        done = sim("up", "--detach", cwd=tmp_path, env=env)
    assert done.returncode == 2
    assert f"sim up: 127.0.0.1:{port} is already in use" in done.stderr
    assert "--port or STREAMLAB_PORT" in done.stderr
    assert "Traceback" not in done.stderr
    assert not (tmp_path / ".streamlab" / "endpoint.json").exists()


def test_a_stale_state_file_is_ignored_and_its_pid_left_alone(tmp_path: Path) -> None:
    """After a crash or a reboot the pid in endpoint.json may belong to another program."""
    other = subprocess.Popen(["sleep", "60"])
    try:
        state = tmp_path / ".streamlab" / "endpoint.json"
        state.parent.mkdir()
        url = f"http://127.0.0.1:{free_port()}"
        state.write_text(json.dumps({"pid": other.pid, "url": url, "log": "x"}))
        write(tmp_path / "p.yaml", producer_only())

        run = sim("run", "p.yaml", "--no-progress", cwd=tmp_path)
        assert run.returncode == 0, run.stdout + run.stderr
        assert "running inside" not in run.stderr
        assert "backend embedded" in run.stdout

        down = sim("down", cwd=tmp_path)
        assert down.returncode == 0
        assert "no streamlab endpoint is running here" in down.stdout
        assert other.poll() is None  # not killed
        assert not state.exists()
    finally:
        other.kill()
        other.wait()
