"""Helpers for the ``sim`` command tests: run it as a subprocess in a temporary directory."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import textwrap
from pathlib import Path
from typing import Any

from sim.daemon import free_port  # noqa: F401 - re-exported for the tests
from tests.standin import StandIn  # noqa: F401 - re-exported for the tests

REPO = Path(__file__).resolve().parents[2]
NOAA = REPO / "scenarios" / "noaa-weather.yaml"
BIN = Path(sys.executable).parent
AWS = str(BIN / "aws")


def sim_env(directory: Path, **extra: str) -> dict[str, str]:
    """The environment for ``sim``: fake AWS credentials, nothing from ~/.aws, a free port."""
    env = {
        k: v
        for k, v in os.environ.items()
        if not k.startswith(("AWS_", "STREAMLAB_", "LOCALSTACK_")) and k != "NO_COLOR"
    }
    env.update(
        AWS_ACCESS_KEY_ID="test",
        AWS_SECRET_ACCESS_KEY="test",
        AWS_DEFAULT_REGION="us-east-1",
        AWS_CONFIG_FILE=str(directory / "no-aws-config"),
        AWS_SHARED_CREDENTIALS_FILE=str(directory / "no-aws-credentials"),
        AWS_PAGER="",
        STREAMLAB_PORT=str(free_port()),  # never a developer's endpoint on 4566
    )
    env.update(extra)
    return env


def sim(
    *args: str, cwd: Path, env: dict[str, str] | None = None, timeout: float = 120
) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "sim", *args],
        cwd=cwd,
        env=env or sim_env(cwd),
        capture_output=True,
        text=True,
        timeout=timeout,
    )


def aws(*args: str, url: str, cwd: Path, env: dict[str, str]) -> Any:
    done = subprocess.run(
        [AWS, "--endpoint-url", url, "--output", "json", *args],
        cwd=cwd,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert done.returncode == 0, f"aws {args}\nstdout: {done.stdout}\nstderr: {done.stderr}"
    return json.loads(done.stdout)


def write(path: Path, text: str) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(textwrap.dedent(text))
    return path


def producer_only(name: str = "producer-only", *, expect: str = "", duration: str = "10s") -> str:
    """A scenario with one stream and the NOAA producer, 20 records, no functions."""
    return textwrap.dedent(
        f"""\
        name: {name}
        seed: 7
        clock:
          start: 2021-11-01T09:00:00Z
          duration: {duration}
        resources:
          streams:
            - name: only-stream
              shards: 1
        producers:
          - name: noaa
            type: noaa
            target: {{stream: only-stream}}
            rate: 5/s
            count: 20
            params:
              stations: 2
        """
    ) + textwrap.dedent(expect)


MISSING_HANDLER = """\
name: missing-handler
clock:
  start: 2021-11-01T09:00:00Z
  duration: 10s
resources:
  streams:
    - name: s1
      shards: 1
functions:
  - name: f
    handler: no_such_module_xyz.handler:lambda_handler
    triggers:
      - kinesis: {stream: s1, starting_position: TRIM_HORIZON}
"""
"""A scenario whose handler module does not exist."""
