"""One execution environment (a "sandbox"): a worker thread, the function's own copy of its
handler module, and the process state it sees while it runs.

An environment is created on a cold start and reused for warm starts, so module-level state
survives between invocations as it does on AWS. It is thrown away after a timeout or a runtime
exit, and the next invocation starts a new one.

The process is shared, so what a sandbox would own is lent to the environment only while it
initialises or runs a request (:meth:`ExecutionEnvironment.enter` / :meth:`exit`), and restored
afterwards:

* environment variables (``os.environ`` and the C environment): the function's, overlaid on the
  process's (a variable given as ``None`` is hidden, e.g. ``AWS_PROFILE`` when the runtime sets
  explicit credentials: a sandbox has no profiles);
* ``boto3.DEFAULT_SESSION``: each environment keeps its own, created lazily by the handler's
  ``boto3.client(...)`` from the function's variables;
* the root logger's level (a fresh sandbox starts at Python's default, WARNING, as the runtime
  sets none in text format);
* ``sys.modules`` entries for the environment's private modules (the handler module, and with
  ``code_dir`` every module loaded from it), and ``code_dir`` at the front of ``sys.path``. During
  Init, a ``code_dir`` that holds the handler's top-level package or module hides the process's
  modules of that name, so the handler comes from its deployment package (an uploaded zip), not
  from whatever the process imported under the same name.

The handler module is loaded fresh for each environment (``find_spec`` → ``module_from_spec`` →
``exec_module``), so two functions, or two successive environments of one function, never share
module state. Its parent packages and third-party libraries are ordinary shared imports.
"""

from __future__ import annotations

import _thread
import ctypes
import importlib.util
import logging
import os
import sys
import threading
import time
from collections.abc import Callable
from queue import SimpleQueue
from types import ModuleType
from typing import Any

import boto3

from sim.services.lambda_ import capture, wire
from sim.services.lambda_.config import FunctionConfig, split_handler
from sim.services.lambda_.exceptions import HandlerImportError, HandlerInitError

_perf_counter = time.perf_counter
_MISSING: Any = object()
# Python-level local time is UTC already (then TZ=:UTC needs no tzset()).
_LOCAL_IS_UTC = time.timezone == 0 and time.altzone == 0 and not time.daylight


_environ = os.environ
# os.environ keeps its contents in ``_data`` under encoded keys, and putenv()/unsetenv() mirror
# them into the C environment. Swapping ~20 variables through the public mapping costs ~40 µs per
# invocation; going to ``_data`` with pre-encoded keys and values costs a third of that.
_FAST_ENVIRON = os.name == "posix" and isinstance(getattr(_environ, "_data", None), dict)


def _encode_env(env: dict[str, str | None]) -> tuple[tuple[Any, Any], ...]:
    if not _FAST_ENVIRON:
        return tuple(env.items())
    encodekey, encodevalue = _environ.encodekey, _environ.encodevalue  # type: ignore[attr-defined]
    return tuple(
        (encodekey(key), None if value is None else encodevalue(value))
        for key, value in env.items()
    )


def _swap_env(items: tuple[tuple[Any, Any], ...] | list[tuple[Any, Any]]) -> list[tuple[Any, Any]]:
    """Set each (key, value) (``None``: unset); return the (key, previous value) pairs."""
    saved = []
    if _FAST_ENVIRON:
        data = _environ._data  # type: ignore[attr-defined]
        putenv, unsetenv = os.putenv, os.unsetenv
        for key, value in items:
            old = data.get(key)
            saved.append((key, old))
            if value is None:
                if old is not None:
                    unsetenv(key)
                    del data[key]
            elif old != value:
                putenv(key, value)
                data[key] = value
        return saved
    for key, value in items:
        old = _environ.get(key)
        saved.append((key, old))
        if value is None:
            if old is not None:
                del _environ[key]
        elif old != value:
            _environ[key] = value
    return saved


class EnvironmentKilled(BaseException):
    """Raised asynchronously in an abandoned worker thread so it stops at its next bytecode."""


class _Fault(Exception):
    """A runtime fault (``FaultException`` in awslambdaric): type, message, trace."""

    def __init__(self, error_type: str, message: str, trace: list[str] | None = None):
        super().__init__(message)
        self.error_type = error_type
        self.message = message
        self.trace = trace


class Job:
    """Work handed to the worker thread; ``done`` is released when it has finished."""

    __slots__ = ("done",)

    def __init__(self) -> None:
        self.done = _thread.allocate_lock()
        self.done.acquire()

    def run(self) -> None:  # pragma: no cover - overridden
        raise NotImplementedError

    def wait(self, timeout: float) -> bool:
        return self.done.acquire(True, timeout if timeout > 0 else 0)


class InitJob(Job):
    __slots__ = ("env", "error", "duration")

    def __init__(self, env: ExecutionEnvironment):
        super().__init__()
        self.env = env
        self.error: HandlerInitError | None = None
        self.duration = 0.0

    def run(self) -> None:
        start = _perf_counter()
        try:
            self.env.load()
        except EnvironmentKilled:
            raise
        except HandlerInitError as e:
            self.error = e
        finally:
            self.duration = _perf_counter() - start
            self.done.release()


class ExecutionEnvironment:
    def __init__(
        self,
        config: FunctionConfig,
        env_vars: dict[str, str | None],
        log_stream_name: str,
        now: Callable[[], float],
    ):
        self.config = config
        self.log_stream_name = log_stream_name
        self.env_vars = {k: v for k, v in env_vars.items() if v is not None}
        # A None value: the variable is hidden while the environment runs.
        self._env_items = _encode_env(env_vars)
        self._now = now
        self.handler: Callable[..., Any] | None = None
        self.modules: dict[str, ModuleType] = {}
        self.boto3_session: boto3.Session | None = None
        self.root_level = logging.WARNING
        self.inbox: SimpleQueue[Job | None] = SimpleQueue()
        self.init_logs = ""
        self.init_duration: float | None = None
        self.alive = True
        self.thread = threading.Thread(
            target=self._loop, name=f"lambda:{config.name}:{log_stream_name[-8:]}", daemon=True
        )
        self.thread.start()
        self.thread_id: int = self.thread.ident  # type: ignore[assignment]

    # ---------------------------------------------------------------- worker thread

    def _loop(self) -> None:
        try:
            while True:
                job = self.inbox.get()
                if job is None:
                    return
                job.run()
        except EnvironmentKilled:
            pass
        finally:
            if capture.routes.get(threading.get_ident()) is not None:
                capture.routes.pop(threading.get_ident(), None)

    def load(self) -> None:
        """Init phase (on the worker thread): import the module, find the handler.

        Raises :class:`HandlerInitError` with the runtime's error document.
        """
        try:
            self.handler = self._get_handler()
        except _Fault as fault:
            payload = wire.make_error(fault.message, fault.error_type, fault.trace)
            raise HandlerImportError(fault.error_type, fault.message, payload) from (
                fault.__cause__
            )
        except EnvironmentKilled:
            raise
        except Exception as exc:  # init code raised
            payload = wire.exception_error(exc, None)
            raise HandlerInitError(type(exc).__name__, str(exc), payload) from exc

    def _get_handler(self) -> Callable[..., Any]:
        handler = self.config.handler
        try:
            modname, fname = split_handler(handler)
        except ValueError as e:
            raise _Fault(wire.MALFORMED_HANDLER_NAME, f"Bad handler '{handler}': {e}") from e
        try:
            if modname.split(".")[0] in sys.builtin_module_names:
                raise _Fault(
                    wire.BUILT_IN_MODULE_CONFLICT,
                    f"Cannot use built-in module {modname} as a handler module",
                )
            module = self._import_fresh(modname.replace("/", "."))
        except ImportError as e:
            raise _Fault(
                wire.IMPORT_MODULE_ERROR, f"Unable to import module '{modname}': {e}"
            ) from e
        except SyntaxError as e:
            trace = [f'  File "{e.filename}" Line {e.lineno}\n    {e.text}']
            raise _Fault(
                wire.USER_CODE_SYNTAX_ERROR, f"Syntax error in module '{modname}': {e}", trace
            ) from e
        try:
            return getattr(module, fname)
        except AttributeError as e:
            raise _Fault(
                wire.HANDLER_NOT_FOUND, f"Handler '{fname}' missing on module '{modname}'"
            ) from e

    def _import_fresh(self, name: str) -> ModuleType:
        """A new copy of module ``name``, registered in ``sys.modules`` only while it executes.

        With ``code_dir``, every module newly imported from that directory during init also
        becomes private to this environment.
        """
        code_dir = self.config.code_dir
        hidden = self._hide_shadowed(name) if code_dir else {}
        before = set(sys.modules) if code_dir else None
        try:
            spec = importlib.util.find_spec(name)
            if spec is None:
                raise ModuleNotFoundError(f"No module named '{name}'", name=name)
            module = importlib.util.module_from_spec(spec)
            previous = sys.modules.get(name, _MISSING)
            sys.modules[name] = module
            try:
                if spec.loader is not None:
                    spec.loader.exec_module(module)
            finally:
                if previous is _MISSING:
                    sys.modules.pop(name, None)
                else:
                    sys.modules[name] = previous
            self.modules[name] = module
        finally:
            if before is not None:
                self._adopt_new_modules(before)
            sys.modules.update(hidden)
        return module

    def _hide_shadowed(self, name: str) -> dict[str, ModuleType]:
        """Take out of ``sys.modules``, for the Init phase, the already imported modules that the
        handler's top-level package in ``code_dir`` shadows (a zip holding ``app.py`` or
        ``consumers/`` while the process has imported another ``app`` or ``consumers``), so the
        handler is imported from its own package; returns them to be put back afterwards."""
        top = name.split(".", 1)[0]
        root = os.path.abspath(self.config.code_dir or "")
        if not (
            os.path.isfile(os.path.join(root, top + ".py"))
            or os.path.isfile(os.path.join(root, top, "__init__.py"))
        ):
            return {}
        prefix = top + "."
        hidden = {}
        for key in [k for k in sys.modules if k == top or k.startswith(prefix)]:
            module = sys.modules[key]
            origin = getattr(module, "__file__", None)
            if not (origin and os.path.abspath(origin).startswith(root + os.sep)):
                hidden[key] = sys.modules.pop(key)
        return hidden

    def _adopt_new_modules(self, before: set[str] | None) -> None:
        """Take modules imported from ``code_dir`` out of ``sys.modules``: they are ours.

        ``before`` is the set of names present before init; ``None`` (after an invocation that
        imported something) means "any module from ``code_dir`` not already ours".
        """
        root = os.path.abspath(self.config.code_dir or "") + os.sep
        names = set(sys.modules) - before if before is not None else list(sys.modules)
        for name in names:
            if name in self.modules:
                continue
            module = sys.modules.get(name)
            origin = getattr(module, "__file__", None)
            if module is not None and origin and os.path.abspath(origin).startswith(root):
                self.modules[name] = module
                del sys.modules[name]

    # ---------------------------------------------------------------- caller side

    def enter(self, sink: capture.Sink) -> list[Any]:
        """Lend the process to this environment; returns what :meth:`exit` restores."""
        saved_env = _swap_env(self._env_items)
        if not _LOCAL_IS_UTC:
            time.tzset()
        saved_modules = []
        modules = sys.modules
        for name, module in self.modules.items():
            saved_modules.append((name, modules.get(name, _MISSING)))
            modules[name] = module
        code_dir = self.config.code_dir
        if code_dir:
            sys.path.insert(0, code_dir)
        saved_session = boto3.DEFAULT_SESSION
        boto3.DEFAULT_SESSION = self.boto3_session
        root = logging.root
        saved_level = root.level
        if saved_level != self.root_level:
            root.setLevel(self.root_level)
        module_count = len(modules)
        capture.routes[self.thread_id] = sink
        return [saved_env, saved_modules, saved_session, saved_level, module_count]

    def exit(self, saved: list[Any], *, keep: bool = True) -> None:
        """Give the process back. ``keep=False`` for an environment being thrown away."""
        saved_env, saved_modules, saved_session, saved_level, module_count = saved
        if keep:
            capture.routes[self.thread_id] = capture.NULL_SINK
            self.boto3_session = boto3.DEFAULT_SESSION
            self.root_level = logging.root.level
        boto3.DEFAULT_SESSION = saved_session
        root = logging.root
        if root.level != saved_level:
            root.setLevel(saved_level)
        code_dir = self.config.code_dir
        if code_dir:
            path = sys.path
            if path and path[0] == code_dir:
                del path[0]
            elif code_dir in path:
                path.remove(code_dir)
            if keep and len(sys.modules) != module_count:
                self._adopt_new_modules(None)
        modules = sys.modules
        for name, previous in saved_modules:
            if previous is _MISSING:
                modules.pop(name, None)
            else:
                modules[name] = previous
        _swap_env(saved_env[::-1])
        if not _LOCAL_IS_UTC:
            time.tzset()

    def run(self, job: Job) -> None:
        self.inbox.put(job)

    def stop(self) -> None:
        """Let the worker thread end once it is idle."""
        self.alive = False
        self.inbox.put(None)

    def kill(self) -> None:
        """Abandon a busy worker: stop it at its next bytecode, and when it next gets work."""
        self.alive = False
        capture.routes[self.thread_id] = capture.NULL_SINK
        if self.thread.is_alive():
            ctypes.pythonapi.PyThreadState_SetAsyncExc(
                ctypes.c_ulong(self.thread_id), ctypes.py_object(EnvironmentKilled)
            )
        self.inbox.put(None)
