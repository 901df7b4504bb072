"""``sim up`` / ``sim down``: the embedded endpoint as a background process.

The running endpoint writes ``.streamlab/endpoint.json`` (pid, url, log file) in the directory it
was started from; ``sim run`` and ``sim down`` find it there. The address comes from ``--host`` /
``--port`` or the environment (``STREAMLAB_HOST``, ``STREAMLAB_PORT``); it binds loopback only.

(``sim down`` imports nothing heavy: the embedded backend and moto load only where needed.)
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

STATE_DIR = ".streamlab"
STATE_FILE = "endpoint.json"
LOG_FILE = "endpoint.log"
START_TIMEOUT_SECONDS = 60.0
STOP_TIMEOUT_SECONDS = 15.0


class DaemonError(Exception):
    """``sim up`` / ``sim down`` cannot do what was asked (port in use, start-up failed...)."""


def default_host() -> str:
    from sim.backends.embedded.server import LOOPBACK

    return os.environ.get("STREAMLAB_HOST") or LOOPBACK


def default_port() -> int:
    from sim.backends.embedded.server import DEFAULT_PORT, LOOPBACK

    value = os.environ.get("STREAMLAB_PORT") or str(DEFAULT_PORT)
    try:
        port = int(value)
    except ValueError:
        raise DaemonError(f"STREAMLAB_PORT must be a port number, not {value!r}") from None
    check_address(LOOPBACK, port)
    return port


def check_address(host: str, port: int) -> None:
    from sim.backends.embedded.server import LOOPBACK_HOSTS

    if host not in LOOPBACK_HOSTS:
        raise DaemonError(
            f"the endpoint binds loopback only ({', '.join(LOOPBACK_HOSTS)}), not {host!r}"
        )
    if not 0 < port < 65536:
        raise DaemonError(f"port {port} is out of range (1-65535)")


def _in_use(host: str, port: int) -> DaemonError:
    return DaemonError(
        f"{host}:{port} is already in use (another endpoint, or LocalStack?). Stop it, or "
        "choose another port with --port or STREAMLAB_PORT."
    )


def state_path(directory: str | Path | None = None) -> Path:
    return Path(directory or Path.cwd()) / STATE_DIR / STATE_FILE


def read_state(directory: str | Path | None = None) -> dict[str, Any] | None:
    path = state_path(directory)
    try:
        state = json.loads(path.read_text())
    except (OSError, ValueError):
        return None
    pid = state.get("pid", -1) if isinstance(state, dict) else -1
    if not isinstance(pid, int) or not process_alive(pid):
        return None
    if not _is_endpoint_process(pid, str(state.get("url", ""))):
        return None
    return state


def process_alive(pid: int) -> bool:
    """Whether ``pid`` is a running process (a zombie waiting to be reaped is not)."""
    if pid <= 0:
        return False
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return True  # no /proc (macOS): trust kill(0)
    return stat.rpartition(")")[2].split()[:1] != ["Z"]


def _is_endpoint_process(pid: int, url: str) -> bool:
    """Whether ``pid`` still is the endpoint (not a pid reused after a crash or a reboot)."""
    try:
        command = Path(f"/proc/{pid}/cmdline").read_bytes().split(b"\0")
    except OSError:
        return True  # no /proc (macOS): cannot tell, trust the state file
    if b"up" in command and any(part.endswith(b"sim") for part in command):
        return True
    # serve() called from other code (a test, a notebook): ask the endpoint who it is.
    from sim.endpoint_control import endpoint_info

    info = endpoint_info(url, timeout=1.0) if url else None
    return info is not None and info.get("pid") == pid


def port_free(host: str, port: int) -> bool:
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    with socket.socket(family, socket.SOCK_STREAM) as probe:
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

    check_address(host, port)
    running = read_state()
    if running is not None and running.get("pid") != os.getpid():
        raise DaemonError(
            f"a streamlab endpoint started from this directory is already running at "
            f"{running.get('url')} (pid {running['pid']}); `sim down` stops it"
        )
    if not port_free(host, port):
        raise _in_use(host, port)
    backend = EmbeddedBackend(seed=seed)
    backend.start()
    host_control = EndpointHost(backend)
    try:
        server = EndpointServer(
            backend, host=host, port=port, control=host_control, verbose=verbose
        )
    except OSError as exc:
        backend.stop()
        raise DaemonError(f"cannot listen on {host}:{port}: {exc}") from exc
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

    check_address(host, port)
    running = read_state()
    if running is not None:
        return {**running, "already": True}
    if not port_free(host, port):
        raise _in_use(host, port)
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
    url = f"http://[{host}]:{port}" if ":" in host else f"http://{host}:{port}"
    deadline = time.monotonic() + START_TIMEOUT_SECONDS
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise DaemonError(
                f"the endpoint exited at start-up (code {process.returncode}); see {log}:\n"
                f"{_tail(log)}"
            )
        info = endpoint_info(url, timeout=0.5)
        if info is not None and info.get("pid") == process.pid:
            return {"pid": process.pid, "url": url, "log": str(log), "already": False}
        time.sleep(0.1)
    process.terminate()
    raise DaemonError(
        f"the endpoint did not become healthy within {START_TIMEOUT_SECONDS:.0f} s; see {log}"
    )


def stop_detached() -> str:
    state = read_state()
    if state is None:
        path = state_path()
        if path.exists():
            path.unlink()
        return "no streamlab endpoint is running here"
    pid = state["pid"]
    try:
        os.kill(pid, signal.SIGTERM)
    except ProcessLookupError:
        state_path().unlink(missing_ok=True)
        return "no streamlab endpoint is running here"
    deadline = time.monotonic() + STOP_TIMEOUT_SECONDS
    while process_alive(pid) and time.monotonic() < deadline:
        time.sleep(0.1)
        with contextlib.suppress(ChildProcessError):  # reap it if it is our own child
            os.waitpid(pid, os.WNOHANG)
    if process_alive(pid):
        with contextlib.suppress(ProcessLookupError):
            os.kill(pid, signal.SIGKILL)
    state_path().unlink(missing_ok=True)
    return f"stopped the streamlab endpoint at {state['url']} (pid {pid})"


def _tail(path: Path, lines: int = 20) -> str:
    try:
        return "\n".join(path.read_text(errors="replace").splitlines()[-lines:])
    except OSError:
        return ""


def free_port(host: str = "127.0.0.1") -> int:
    """A port nothing listens on right now, never the default 4566 (a developer's endpoint):
    for tests and benchmarks."""
    while True:
        with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
            probe.bind((host, 0))
            port = probe.getsockname()[1]
        if port != 4566:
            return port
