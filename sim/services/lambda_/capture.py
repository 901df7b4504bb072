"""Per-thread capture of a handler's output: ``print``, ``sys.stderr`` and ``logging``.

Installed once (reference-counted across runtimes), not swapped per invocation:

* ``sys.stdout`` / ``sys.stderr`` become :class:`StreamRouter` proxies. A write from a thread that
  has a route (a Lambda worker) goes to that thread's current :class:`Sink`; any other thread's
  write goes to the stream that was there before, untouched. If someone replaces ``sys.stdout``
  later (pytest's capture does, between tests), :func:`ensure_installed` wraps the new one too.
* the root logger gets :class:`LambdaLogHandler`, which formats records from routed threads the way
  the Python runtime's text format does (``[LEVEL]\\t<UTC time>.<ms>Z\\t<request id>\\t<message>\\n``,
  awslambdaric ``bootstrap._setup_logging``) and ignores every other thread's records. The other
  handlers on the root logger get a filter that drops routed threads' records, so a function's
  logging does not also reach the simulator's own log output (on AWS it would reach only the
  runtime's handler).

Routing is keyed by thread id, so the simulation, an HTTP server thread or the test runner keep
their output while a handler runs.
"""

from __future__ import annotations

import logging
import sys
import threading
import time
from typing import Any

_get_ident = threading.get_ident

# Thread id → the sink that thread's output currently goes to.
routes: dict[int, Sink] = {}


class Sink(list):
    """The output of one invocation (or init phase): a list of text pieces, plus its request id."""

    __slots__ = ("request_id",)

    def __init__(self, request_id: str = ""):
        super().__init__()
        self.request_id = request_id

    def text(self) -> str:
        return "".join(self)


class NullSink(Sink):
    """Where an abandoned (timed-out) worker's output goes: nowhere."""

    __slots__ = ()

    def append(self, item: Any) -> None:
        pass


NULL_SINK = NullSink()


class StreamRouter:
    """A ``sys.stdout``/``sys.stderr`` stand-in that routes writes by thread."""

    def __init__(self, target: Any):
        self._target = target

    def write(self, s: str) -> int:
        sink = routes.get(_get_ident())
        if sink is None:
            return self._target.write(s)
        if not isinstance(s, str):
            raise TypeError(f"write() argument must be str, not {type(s).__name__}")
        sink.append(s)
        return len(s)

    def writelines(self, lines: Any) -> None:
        for line in lines:
            self.write(line)

    def flush(self) -> None:
        if _get_ident() not in routes:
            self._target.flush()

    def __getattr__(self, name: str) -> Any:
        return getattr(self._target, name)


class AwsTextFormatter(logging.Formatter):
    """The Python runtime's text log format, in UTC."""

    converter = time.gmtime

    def __init__(self) -> None:
        super().__init__(
            "[%(levelname)s]\t%(asctime)s.%(msecs)03dZ\t%(aws_request_id)s\t%(message)s\n",
            "%Y-%m-%dT%H:%M:%S",
        )


class LambdaLogHandler(logging.Handler):
    """Root-logger handler that keeps only records made on routed (worker) threads."""

    def __init__(self) -> None:
        super().__init__()
        self.setFormatter(AwsTextFormatter())

    def handle(self, record: logging.LogRecord) -> bool:  # type: ignore[override]
        sink = routes.get(record.thread)  # type: ignore[arg-type]
        if sink is None:
            return False
        record.aws_request_id = sink.request_id
        try:
            sink.append(self.format(record))
        except Exception:
            self.handleError(record)
        return True

    def emit(self, record: logging.LogRecord) -> None:  # pragma: no cover - handle() does it
        self.handle(record)


class SkipRoutedThreads(logging.Filter):
    """Filter for the other root handlers: drop records made on routed threads."""

    def filter(self, record: logging.LogRecord) -> bool:
        return record.thread not in routes


_lock = threading.Lock()
_users = 0
_handler = LambdaLogHandler()
_skip = SkipRoutedThreads()


def acquire() -> None:
    """Install the routers and the log handler (first user installs)."""
    global _users
    with _lock:
        _users += 1
    ensure_installed()


def ensure_installed() -> None:
    """Wrap ``sys.stdout``/``sys.stderr`` and re-attach logging if someone replaced them.

    Called before each cold start and invocation; when nothing changed it costs a few checks.
    A router is never re-pointed: if ``sys.stdout`` was replaced, the new stream gets a router of
    its own, so whoever put it there and later restores the old one restores a working router.
    """
    if _users <= 0:
        return
    if not isinstance(sys.stdout, StreamRouter):
        sys.stdout = StreamRouter(sys.stdout)
    if not isinstance(sys.stderr, StreamRouter):
        sys.stderr = StreamRouter(sys.stderr)
    root = logging.root
    handlers = root.handlers
    if _handler not in handlers:
        root.addHandler(_handler)
    for handler in handlers:
        if handler is not _handler and _skip not in handler.filters:
            handler.addFilter(_skip)


def release() -> None:
    """Uninstall when the last user is done: streams and logging as they were."""
    global _users
    with _lock:
        _users -= 1
        if _users > 0:
            return
        _users = 0
        while isinstance(sys.stdout, StreamRouter):
            sys.stdout = sys.stdout._target
        while isinstance(sys.stderr, StreamRouter):
            sys.stderr = sys.stderr._target
        root = logging.root
        root.removeHandler(_handler)
        for handler in list(root.handlers):
            handler.removeFilter(_skip)
