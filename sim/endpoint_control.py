"""Running scenarios inside a running endpoint (``make up``, then ``make scenario``).

Server side, :class:`EndpointHost` owns the endpoint process's embedded backend and answers the
control API under ``/_streamlab/``:

* ``GET /_streamlab/info``: version, pid, whether a run is going on, the endpoint's time;
* ``POST /_streamlab/run`` ``{"path", "seed", "speed", "export", "databases"}``: resets the backend, runs the
  scenario on its simulated clock and streams JSON lines back (``progress``, then ``result`` with
  the report, or ``error``); the state stays for ``awslocal`` / ``aws --endpoint-url``;
* ``POST /_streamlab/reset``: forgets every resource;
* ``GET /_streamlab/outbox``: the emails SNS sent (``sim outbox``), see :meth:`EndpointHost.outbox`.

Between runs the endpoint's time starts from the last run's end and then follows the wall clock,
so what a run stored keeps ageing naturally (iterators expire, retention trims) while explored.

The run's Lambda runtime outlives the run: the host keeps it (instead of letting the
``Simulation`` close it), so the scenario's functions stay invocable through the Lambda API
(``aws lambda invoke --function-name KinesisLambdaConsumer ...``), warm, with the run's
environments, until the next run, a reset or shutdown closes it. Handlers invoked then see the
endpoint's time (the last run's end, ticking on). The run's event source mappings are listed by
``ListEventSourceMappings`` but no longer poll (the run's clock has stopped).

Client side, :func:`run_remote` posts a run and prints what comes back.
"""

from __future__ import annotations

import http.client
import io
import json
import os
import queue
import threading
import time
import traceback
import urllib.error
import urllib.request
from collections.abc import Callable, Iterable, Iterator
from typing import Any, TextIO

from sim.clock import TickingTime, iso

RUN_TIMEOUT_SECONDS = 24 * 3600


class _LineWriter(io.TextIOBase):
    """A text stream that hands complete lines to a callback (progress inside the endpoint)."""

    def __init__(self, emit: Callable[[str], None]):
        self._emit = emit
        self._buffer = ""

    def isatty(self) -> bool:
        return False

    def write(self, text: str) -> int:
        self._buffer += text
        while "\n" in self._buffer:
            line, self._buffer = self._buffer.split("\n", 1)
            self._emit(line)
        return len(text)


class EndpointHost:
    """The endpoint process: backend, time between runs, and the control API."""

    def __init__(self, backend: Any):
        self.backend = backend
        self.lock = threading.Lock()
        self.busy = False
        self._idle_time: TickingTime | None = None
        self.last_run: dict[str, Any] | None = None
        # The last run's Lambda runtime (attached to the backend), kept open so that its
        # functions stay invocable until the next run or reset.
        self.runtime: Any = None

    # -- time between runs ----------------------------------------------------------------
    def _resume_idle_time(self, at: float) -> None:
        self._idle_time = TickingTime(at)
        self._idle_time.__enter__()

    def _stop_idle_time(self) -> None:
        if self._idle_time is not None:
            self._idle_time.__exit__(None, None, None)
            self._idle_time = None

    def _release_runtime(self) -> None:
        runtime, self.runtime = self.runtime, None
        if runtime is not None:
            runtime.close()

    def close(self) -> None:
        self._release_runtime()
        self._stop_idle_time()

    # -- control API ----------------------------------------------------------------------
    def __call__(
        self,
        method: str,
        path: str,
        body: bytes,
        send: Callable[[int, dict[str, str], Iterable[bytes]], None],
    ) -> None:
        route = path.split("?", 1)[0].rstrip("/")
        if method == "GET" and route == "/_streamlab/info":
            send(200, {"Content-Type": "application/json"}, [json.dumps(self.info()).encode()])
        elif method == "GET" and route == "/_streamlab/outbox":
            send(200, {"Content-Type": "application/json"}, [json.dumps(self.outbox()).encode()])
        elif method == "POST" and route == "/_streamlab/reset":
            with self.lock:
                if self.busy:
                    send(
                        409,
                        {"Content-Type": "application/json"},
                        [b'{"error": "a scenario is running"}'],
                    )
                    return
                self._stop_idle_time()
                self.backend.reset()
                self._release_runtime()
            send(200, {"Content-Type": "application/json"}, [b'{"reset": true}'])
        elif method == "POST" and route == "/_streamlab/run":
            try:
                request = json.loads(body or b"{}")
            except ValueError:
                send(400, {"Content-Type": "application/json"}, [b'{"error": "bad JSON"}'])
                return
            if not isinstance(request, dict) or not isinstance(request.get("path"), str):
                send(
                    400,
                    {"Content-Type": "application/json"},
                    [b'{"error": "expected {\\"path\\": SCENARIO, ...}"}'],
                )
                return
            with self.lock:
                refused = self.busy
                self.busy = True
            if refused:
                send(
                    409,
                    {"Content-Type": "application/json"},
                    [b'{"error": "another scenario is running in this endpoint"}'],
                )
                return
            send(200, {"Content-Type": "application/x-ndjson"}, self._run_stream(request))
        else:
            send(
                404,
                {"Content-Type": "application/json"},
                [json.dumps({"error": f"no control route {method} {route}"}).encode()],
            )

    def outbox(self) -> dict[str, Any]:
        """``GET /_streamlab/outbox``: the emails SNS sent (sim/services/sns: ``emails``, each
        ``Email.to_dict()``) and the email subscriptions still pending confirmation
        (``pending``: subscription_arn, topic_arn, protocol, endpoint)."""
        sns = getattr(self.backend, "sns", None)
        if sns is None:
            return {"emails": [], "pending": []}
        return {"emails": self.backend.outbox().to_list(), "pending": sns().pending_confirmations()}

    def info(self) -> dict[str, Any]:
        from sim import __version__

        return {
            "streamlab": __version__,
            "pid": os.getpid(),
            "busy": self.busy,
            "time": iso(time.time()),
            "last_run": self.last_run,
        }

    def _run_stream(self, request: dict[str, Any]) -> Iterator[bytes]:
        """Start the run now (so that ``busy`` is cleared even if the client is already gone)
        and return the stream of its JSON lines."""
        lines: queue.Queue[dict[str, Any] | None] = queue.Queue()
        worker = threading.Thread(
            target=self._run, args=(request, lines.put), name="streamlab-run", daemon=True
        )
        worker.start()

        def stream() -> Iterator[bytes]:
            while True:
                message = lines.get(timeout=RUN_TIMEOUT_SECONDS)
                if message is None:
                    break
                yield (json.dumps(message) + "\n").encode()

        return stream()

    def _run(self, request: dict[str, Any], put: Callable[[dict[str, Any] | None], None]) -> None:
        from sim.runner import Simulation

        try:
            writer = _LineWriter(lambda line: put({"type": "progress", "line": line}))
            self._stop_idle_time()
            self._release_runtime()  # the previous run's functions: this run replaces them
            with Simulation.from_file(
                request["path"],
                seed=request.get("seed"),
                speed=request.get("speed"),
                backend=self.backend,
                progress=bool(request.get("progress", True)),
                progress_out=writer,
                database_urls=request.get("databases") or {},
            ) as simulation:
                result = simulation.run(export=request.get("export"))
                # Keep the functions (closing the Simulation would close its runtime); the
                # backend keeps serving the Lambda API from this runtime.
                self.runtime, simulation.runtime = simulation.runtime, None
            self.last_run = {
                "name": result.name,
                "passed": result.passed,
                "ended_at": iso(result.ended_at),
            }
            self._resume_idle_time(result.ended_at)
            put(
                {
                    "type": "result",
                    "passed": result.passed,
                    "report": result.report(),
                    "result": result.to_dict(),
                }
            )
        except Exception as exc:  # reported to the client; the endpoint keeps serving
            put(
                {
                    "type": "error",
                    "kind": type(exc).__name__,
                    "message": str(exc),
                    "traceback": traceback.format_exc(),
                }
            )
        finally:
            self.busy = False
            put(None)


def endpoint_info(url: str, timeout: float = 2.0) -> dict[str, Any] | None:
    """The info of a streamlab endpoint at ``url``, or None if none answers there."""
    try:
        with urllib.request.urlopen(f"{url}/_streamlab/info", timeout=timeout) as response:
            return json.loads(response.read())
    except (OSError, ValueError, urllib.error.URLError):
        return None


def run_remote(
    url: str, request: dict[str, Any], out: TextIO, err: TextIO
) -> tuple[bool, str, dict[str, Any]]:
    """Run a scenario inside the endpoint at ``url``; returns (passed, report, result dict)."""
    data = json.dumps(request).encode()
    http_request = urllib.request.Request(
        f"{url}/_streamlab/run",
        data=data,
        method="POST",
        headers={"Content-Type": "application/json"},
    )
    try:
        response = urllib.request.urlopen(http_request, timeout=RUN_TIMEOUT_SECONDS)
    except urllib.error.HTTPError as error:
        raise RuntimeError(
            f"the endpoint at {url} refused the run: {error.read().decode(errors='replace')}"
        ) from error
    except OSError as error:  # URLError: refused, reset, timed out
        raise RuntimeError(f"no streamlab endpoint answers at {url}: {error}") from error
    with response:
        try:
            for raw in response:
                message = json.loads(raw)
                if message["type"] == "progress":
                    err.write(message["line"] + "\n")
                    err.flush()
                elif message["type"] == "result":
                    return message["passed"], message["report"], message.get("result") or {}
                elif message["type"] == "error":
                    raise RemoteRunError(message["kind"], message["message"], message["traceback"])
        except (OSError, ValueError, http.client.HTTPException) as error:
            raise RuntimeError(
                f"the endpoint at {url} broke off the run: {type(error).__name__}: {error}"
            ) from error
    raise RuntimeError(f"the endpoint at {url} closed the connection before the run ended")


class RemoteRunError(Exception):
    def __init__(self, kind: str, message: str, remote_traceback: str):
        super().__init__(message)
        self.kind = kind
        self.remote_traceback = remote_traceback
