"""``sim up`` / ``sim down``: the embedded endpoint as a background process.

The running endpoint writes ``.streamlab/endpoint.json`` (pid, url, log file) in the directory it
was started from; ``sim run`` and ``sim down`` find it there. The address comes from ``--host`` /
``--port`` or the environment (``STREAMLAB_HOST``, ``STREAMLAB_PORT``); it binds loopback only.
"""

from __future__ import annotations

import contextlib
import json
import os
import signal
import socket
import subprocess
import sys
import threading
import time
from pathlib import Path
from typing import Any

from sim.backends.embedded.server import DEFAULT_PORT, LOOPBACK

STATE_DIR = ".streamlab"
STATE_FILE = "endpoint.json"
LOG_FILE = "endpoint.log"
START_TIMEOUT_SECONDS = 60.0
STOP_TIMEOUT_SECONDS = 15.0


def default_host() -> str:
    return os.environ.get("STREAMLAB_HOST", LOOPBACK)


def default_port() -> int:
    return int(os.environ.get("STREAMLAB_PORT", DEFAULT_PORT))


def state_path(directory: str | Path | None = None) -> Path:
    return Path(directory or Path.cwd()) / STATE_DIR / STATE_FILE


def read_state(directory: str | Path | None = None) -> dict[str, Any] | None:
    path = state_path(directory)
    try:
        state = json.loads(path.read_text())
    except (OSError, ValueError):
        return None
    if not _alive(state.get("pid", -1)):
        return None
    return state


def _alive(pid: int) -> bool:
    if pid <= 0:
        return False
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def port_free(host: str, port: int) -> bool:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            probe.bind((host, port))
        except OSError:
            return False
    return True


def serve(
    host: str,
    port: int,
    *,
    verbose: bool = False,
    seed: int = 0,
    ready: threading.Event | None = None,
) -> None:
    """Run the endpoint in the foreground until SIGTERM or Ctrl-C."""
    from sim.backends.embedded import EmbeddedBackend
    from sim.backends.embedded.server import EndpointServer
    from sim.endpoint_control import EndpointHost

    if not port_free(host, port):
        raise SystemExit(
            f"sim up: {host}:{port} is already in use (another endpoint, or "
            "LocalStack?). Stop it, or choose another port with --port or "
            "STREAMLAB_PORT."
        )
    backend = EmbeddedBackend(seed=seed)
    backend.start()
    host_control = EndpointHost(backend)
    server = EndpointServer(backend, host=host, port=port, control=host_control, verbose=verbose)
    path = state_path()
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(
        json.dumps({"pid": os.getpid(), "url": server.url, "log": str(path.parent / LOG_FILE)})
    )
    stop = threading.Event()

    def on_signal(signum: int, frame: Any) -> None:
        stop.set()

    if threading.current_thread() is threading.main_thread():
        signal.signal(signal.SIGTERM, on_signal)
        signal.signal(signal.SIGINT, on_signal)
    server.start()
    print(f"streamlab endpoint listening on {server.url} (pid {os.getpid()})", flush=True)
    if ready is not None:
        ready.set()
    try:
        while not stop.wait(0.5):
            pass
    finally:
        server.stop()
        host_control.close()
        backend.stop()
        try:
            if json.loads(path.read_text()).get("pid") == os.getpid():
                path.unlink()
        except (OSError, ValueError):
            pass
        print("streamlab endpoint stopped", flush=True)


def start_detached(host: str, port: int, verbose: bool = False) -> dict[str, Any]:
    """Start the endpoint in the background and wait until it answers its health check."""
    from sim.endpoint_control import endpoint_info

    running = read_state()
    if running is not None:
        return {**running, "already": True}
    if not port_free(host, port):
        raise SystemExit(
            f"sim up: {host}:{port} is already in use (another endpoint, or "
            "LocalStack?). Stop it, or choose another port with --port or "
            "STREAMLAB_PORT."
        )
    directory = Path.cwd() / STATE_DIR
    directory.mkdir(parents=True, exist_ok=True)
    log = directory / LOG_FILE
    command = [sys.executable, "-m", "sim", "up", "--host", host, "--port", str(port)]
    if verbose:
        command.append("--verbose")
    with log.open("ab") as out:
        process = subprocess.Popen(
            command,
            stdout=out,
            stderr=subprocess.STDOUT,
            stdin=subprocess.DEVNULL,
            start_new_session=True,
        )
    url = f"http://{host}:{port}"
    deadline = time.monotonic() + START_TIMEOUT_SECONDS
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise SystemExit(
                f"sim up: the endpoint exited at start-up (code "
                f"{process.returncode}); see {log}:\n{_tail(log)}"
            )
        if endpoint_info(url, timeout=0.5) is not None:
            return {"pid": process.pid, "url": url, "log": str(log), "already": False}
        time.sleep(0.1)
    process.terminate()
    raise SystemExit(
        f"sim up: the endpoint did not become healthy within "
        f"{START_TIMEOUT_SECONDS:.0f} s; see {log}"
    )


def stop_detached() -> str:
    state = read_state()
    if state is None:
        path = state_path()
        if path.exists():
            path.unlink()
        return "no streamlab endpoint is running here"
    pid = state["pid"]
    os.kill(pid, signal.SIGTERM)
    deadline = time.monotonic() + STOP_TIMEOUT_SECONDS
    while _alive(pid) and time.monotonic() < deadline:
        time.sleep(0.1)
        with contextlib.suppress(ChildProcessError):  # reap it if it is our own child
            os.waitpid(pid, os.WNOHANG)
    if _alive(pid):
        os.kill(pid, signal.SIGKILL)
    state_path().unlink(missing_ok=True)
    return f"stopped the streamlab endpoint at {state['url']} (pid {pid})"


def _tail(path: Path, lines: int = 20) -> str:
    try:
        return "\n".join(path.read_text(errors="replace").splitlines()[-lines:])
    except OSError:
        return ""
