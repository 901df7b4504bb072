"""ministack for the ingest comparison: installed into its own venv, run as a subprocess.

ministack (PyPI ``ministack``, a LocalStack-compatible emulator) pins its own botocore, so it
gets a venv of its own under ``.bench-cache/ministack-venv`` (git-ignored), made once with the
ordinary ``python -m venv`` and ``pip install ministack==VERSION``. Its console script
``ministack`` serves every service on one port in the foreground: ``GATEWAY_PORT`` picks the
port, ``BIND_HOST`` the interface; ``/_ministack/health`` answers once it listens. The benchmark
starts it on a free loopback port, waits for that, drives it over HTTP and kills it after.

If it cannot be installed (no network, no PyPI), :func:`ensure` says why and the series is
reported as skipped.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from benchlib import CACHE, Server

from sim.daemon import free_port

VERSION = os.environ.get("BENCH_MINISTACK_VERSION", "1.5.33")
VENV = CACHE / "ministack-venv"
MARKER = VENV / f".installed-{VERSION}"


def executable() -> Path:
    return VENV / "bin" / "ministack"


def ensure(timeout: float = 300.0) -> tuple[Path | None, str]:
    """(path of the ``ministack`` script, note) or (None, why it is not available)."""
    if MARKER.exists() and executable().exists():
        return executable(), f"ministack {VERSION} (cached in {VENV.relative_to(CACHE.parent)})"
    try:
        if not (VENV / "bin" / "python").exists():
            subprocess.run(
                [sys.executable, "-m", "venv", str(VENV)],
                check=True,
                capture_output=True,
                text=True,
                timeout=120,
            )
        result = subprocess.run(
            [
                str(VENV / "bin" / "python"),
                "-m",
                "pip",
                "install",
                "--quiet",
                "--disable-pip-version-check",
                "--retries",
                "1",
                "--timeout",
                "15",
                f"ministack=={VERSION}",
            ],
            capture_output=True,
            text=True,
            timeout=timeout,
        )
    except (OSError, subprocess.SubprocessError) as error:
        return None, f"could not install ministack {VERSION}: {error}"
    if result.returncode != 0 or not executable().exists():
        lines = (result.stderr or result.stdout).strip().splitlines()
        tail = lines[-1] if lines else f"pip exited with {result.returncode}"
        return None, f"could not install ministack {VERSION}: {tail}"
    MARKER.touch()
    return executable(), f"ministack {VERSION} (installed into {VENV.relative_to(CACHE.parent)})"


def start(script: Path) -> tuple[Server, str]:
    """Start ministack on a free loopback port; returns the server and its URL once healthy."""
    port = free_port()
    env = {
        "GATEWAY_PORT": str(port),
        "BIND_HOST": "127.0.0.1",
        "LOG_LEVEL": "WARNING",
        "SERVICES": "kinesis",
    }
    server = Server([str(script)], env=env, log=CACHE / "logs" / "ministack.log")
    url = f"http://127.0.0.1:{port}"
    try:
        server.wait_http(f"{url}/_ministack/health", timeout=60)
    except Exception:
        server.stop()
        raise
    return server, url
