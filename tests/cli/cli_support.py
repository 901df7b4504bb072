"""Helpers for the ``sim`` command tests: run it as a subprocess in a temporary directory."""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
import textwrap
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parents[2]
NOAA = REPO / "scenarios" / "noaa-weather.yaml"
BIN = Path(sys.executable).parent
AWS = str(BIN / "aws")


def free_port() -> int:
    """A loopback port nothing listens on (never 4566, a developer's endpoint)."""
    while True:
        with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
            probe.bind(("127.0.0.1", 0))
            port = probe.getsockname()[1]
        if port != 4566:
            return port


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


class StandIn:
    """A local HTTP server standing in for AWS: counts requests, refuses every one (400)."""

    def __init__(self) -> None:
        self.requests: list[tuple[str, str, str]] = []
        stand_in = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, *args: Any) -> None:
                pass

            def do_POST(self) -> None:
                length = int(self.headers.get("Content-Length") or 0)
                if length:
                    self.rfile.read(length)
                target = self.headers.get("X-Amz-Target") or ""
                stand_in.requests.append((self.command, self.path, target))
                payload = json.dumps(
                    {"__type": "AccessDeniedException", "message": "stand-in for AWS"}
                ).encode()
                self.send_response(400)
                self.send_header("Content-Type", "application/x-amz-json-1.1")
                self.send_header("Content-Length", str(len(payload)))
                self.end_headers()
                self.wfile.write(payload)

            do_GET = do_PUT = do_DELETE = do_HEAD = do_POST

        self._server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self._server.daemon_threads = True
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self._server.server_address[1]}"

    def __enter__(self) -> StandIn:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._server.shutdown()
        self._server.server_close()
        self._thread.join(timeout=5)
