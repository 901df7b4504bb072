"""The Lambda runtime: functions, execution environments, synchronous invoke, the invocation log.

Handlers run in-process on a worker thread per execution environment (see
:mod:`sim.services.lambda_.environment`). ``invoke`` blocks its caller until the handler returns or
its timeout passes; only one handler runs at a time (a lock serialises ``invoke``), which is what
lets the runtime lend process-global state (``os.environ``, ``boto3.DEFAULT_SESSION``) to the
running function.

Simulated time does not pass during an invocation, so the timeout is enforced in wall-clock time:
when it passes, ``invoke`` returns the timeout result at once, the environment is discarded (the
next invocation is a cold start, as after a timeout on AWS), and the abandoned worker thread gets an
asynchronous exception that stops it at its next Python bytecode (a thread blocked inside a C call,
e.g. ``time.sleep``, stops when that call returns).

``invoke_async`` (Invoke with ``InvocationType=Event``) queues the event and returns its request id
at once; one background thread per runtime runs the queued invocations in order, each exactly
once. Lambda's asynchronous retries, maximum event age and destinations are not simulated yet
(a later issue). The Lambda API (:mod:`sim.services.lambda_.api`) is served from a runtime; code
uploaded as a zip is unpacked under the runtime's ``code_root`` (a temporary directory removed by
``close``) and imported from there (``FunctionConfig.code_dir``).
"""

from __future__ import annotations

import inspect
import math
import os
import random
import resource
import shutil
import tempfile
import threading
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass, replace
from typing import Any

from sim.errors import ResourceNotFoundException
from sim.ids import derive_rng, hex_id, uuid4
from sim.services.lambda_ import capture, wire
from sim.services.lambda_.asynchronous import AsyncInvoker, WallLoop
from sim.services.lambda_.config import (
    ASYNC_REQUEST_LIMIT_BYTES,
    INIT_TIMEOUT_S,
    LATEST,
    RUNTIME_DIR,
    SYNC_REQUEST_LIMIT_BYTES,
    SYNC_RESPONSE_LIMIT_BYTES,
    TASK_ROOT,
    FunctionConfig,
    validate,
)
from sim.services.lambda_.context import LambdaContext
from sim.services.lambda_.destinations import Destinations
from sim.services.lambda_.environment import EnvironmentKilled, ExecutionEnvironment, InitJob, Job
from sim.services.lambda_.exceptions import (
    HandlerInitError,
    InjectedFault,
    InjectedTimeout,
    InvalidRequestContentException,
    RequestTooLargeException,
    ResourceConflictException,
    TooManyRequestsException,
)
from sim.services.lambda_.records import InvocationRecord, InvocationResult

_perf_counter = time.perf_counter
_monotonic = time.monotonic
_getrusage = resource.getrusage
_RUSAGE_SELF = resource.RUSAGE_SELF
_ceil = math.ceil


@dataclass(frozen=True)
class Credentials:
    """What the runtime puts in AWS_ACCESS_KEY_ID / AWS_SECRET_ACCESS_KEY / AWS_SESSION_TOKEN.

    On AWS these are the execution role's temporary credentials. The default suits moto and the
    embedded backend; pass real ones when the functions talk to AWS.
    """

    access_key_id: str = "testing"
    secret_access_key: str = "testing"
    session_token: str | None = "testing"


@dataclass(frozen=True)
class InvocationInfo:
    """What a fault predicate sees about the invocation about to run."""

    function_name: str
    request_id: str
    event: Any
    source: str | None
    started_at: float
    invocation_number: int  # 1-based count of invocations of this function


FaultPredicate = Callable[..., "bool | BaseException | None"]


class FaultHandle:
    """Returned by :meth:`LambdaRuntime.add_fault`; ``remove()`` takes the hook out again."""

    def __init__(
        self,
        runtime: LambdaRuntime,
        function_name: str,
        predicate: FaultPredicate,
        message: str | None,
    ):
        self.runtime = runtime
        self.function_name = function_name
        self.predicate = predicate
        self.message = message
        self.takes_info = _takes_argument(predicate)

    def verdict(self, info: InvocationInfo) -> BaseException | None:
        result = self.predicate(info) if self.takes_info else self.predicate()  # type: ignore[call-arg]
        if isinstance(result, BaseException):
            return result
        if result:
            return InjectedFault(
                self.message
                or f"Injected fault: {info.function_name} invocation {info.invocation_number}"
            )
        return None

    def remove(self) -> None:
        hooks = self.runtime._faults.get(self.function_name, [])
        if self in hooks:
            hooks.remove(self)


class _FunctionState:
    __slots__ = ("config", "env", "count", "metadata")

    def __init__(self, config: FunctionConfig, metadata: dict[str, Any]):
        self.config = config
        self.env: ExecutionEnvironment | None = None
        self.count = 0
        self.metadata = metadata


class _InvokeJob(Job):
    """One request, run on the worker thread: handler call, marshalling, error document."""

    __slots__ = (
        "handler",
        "encode",
        "event",
        "context",
        "fault",
        "request_id",
        "sink",
        "outcome",
        "payload",
        "error",
        "exception",
        "duration",
        "exit_tail",
    )

    def __init__(self, handler, encode, event, context, fault, request_id, sink):
        super().__init__()
        self.handler = handler
        self.encode = encode
        self.event = event
        self.context = context
        self.fault = fault
        self.request_id = request_id
        self.sink = sink
        self.outcome = "error"
        self.payload: Any = None
        self.error: dict[str, Any] | None = None
        self.exception: BaseException | None = None
        self.duration = 0.0
        self.exit_tail: str | None = None  # set when the "runtime process" exited

    def run(self) -> None:
        start = _perf_counter()
        try:
            if self.fault is not None:
                raise self.fault.with_traceback(None)
            response = self.handler(self.event, self.context)
            if response is None:
                self.payload = None
            elif isinstance(response, bytes):
                self.payload = response  # passed through untouched (application/unknown)
            else:
                try:
                    text = self.encode(response)
                except Exception as e:
                    self.exception = e
                    self.error = wire.make_error(
                        f"Unable to marshal response: {e}",
                        wire.MARSHAL_ERROR,
                        None,
                        self.request_id,
                    )
                    self.payload = self.error
                    self.sink.append(wire.error_log_entry(self.error))
                    return
                if len(text) > SYNC_RESPONSE_LIMIT_BYTES:
                    self.error = {
                        "errorMessage": "Response payload size exceeded maximum allowed payload "
                        f"size ({SYNC_RESPONSE_LIMIT_BYTES} bytes).",
                        "errorType": wire.RESPONSE_SIZE_TOO_LARGE,
                    }
                    self.payload = self.error
                    return
                self.payload = wire.decode(text)
            self.outcome = "success"
        except EnvironmentKilled:
            raise
        except Exception as exc:
            self.exception = exc
            self.error = wire.exception_error(exc, self.request_id)
            self.payload = self.error
            self.sink.append(wire.error_log_entry(self.error))
        except BaseException as exc:  # SystemExit & co: the runtime process would have exited
            self.exception = exc
            code = exc.code if isinstance(exc, SystemExit) else 1
            if code is None or code == 0:
                reason = "Runtime exited without providing a reason"
            else:
                reason = (
                    f"Runtime exited with error: exit status {code if isinstance(code, int) else 1}"
                )
            message = f"RequestId: {self.request_id} Error: {reason}"
            self.error = {"errorMessage": message, "errorType": wire.EXIT_ERROR}
            self.payload = self.error
            self.exit_tail = f"{message}\n{wire.EXIT_ERROR}\n"
        finally:
            self.duration = _perf_counter() - start
            self.done.release()


class LambdaRuntime:
    """Functions and their execution environments; synchronous invoke; the invocation log.

    ``rng`` draws request ids and log stream names (deterministic for a seed; default
    ``derive_rng(0, "lambda")``). ``now`` gives simulated time (epoch seconds) for
    ``started_at`` and log timestamps. ``credentials`` and ``extra_env`` (e.g.
    ``AWS_ENDPOINT_URL``) are given to every function; a function's own variables win over
    ``extra_env``, and the variables AWS reserves win over both.

    ``credentials`` is a :class:`Credentials`, ``None`` (moto-style ``testing`` keys), or a mapping
    of environment variables such as a backend's ``handler_environment()``: its
    ``AWS_ACCESS_KEY_ID``/``AWS_SECRET_ACCESS_KEY``/``AWS_SESSION_TOKEN`` become the credentials
    and its other variables (``AWS_ENDPOINT_URL``, ...) join ``extra_env``. A mapping without
    ``AWS_ACCESS_KEY_ID`` means "no explicit credentials": the functions then resolve credentials
    the way the simulator process does (its variables, profile, ...).
    """

    def __init__(
        self,
        *,
        rng: random.Random | None = None,
        now: Callable[[], float] = time.time,
        region: str = "us-east-1",
        account_id: str = "123456789012",
        credentials: Credentials | Mapping[str, str] | None = None,
        extra_env: Mapping[str, str] | None = None,
    ):
        self._rng = rng if rng is not None else derive_rng(0, "lambda")
        # Log stream names come from their own generator, so cold starts (which depend on
        # wall-clock timeouts) never shift the request ids.
        self._stream_rng = random.Random(self._rng.getrandbits(64))
        self._now = now
        self.region = region
        self.account_id = account_id
        self.extra_env: dict[str, str] = {}
        if credentials is None:
            credentials = Credentials()
        elif isinstance(credentials, Mapping):
            variables = dict(credentials)
            key_id = variables.pop("AWS_ACCESS_KEY_ID", None)
            secret = variables.pop("AWS_SECRET_ACCESS_KEY", None)
            token = variables.pop("AWS_SESSION_TOKEN", None)
            credentials = Credentials(key_id, secret or "", token) if key_id else None
            self.extra_env.update(variables)
        self.credentials: Credentials | None = credentials
        # Per-function credentials (the function's role session), given by whoever enforces
        # IAM (sim.services.iam.enforcement); None: every function gets ``credentials``.
        self.role_credentials: Callable[[FunctionConfig], Credentials] | None = None
        self.extra_env.update(extra_env or {})
        self._functions: dict[str, _FunctionState] = {}
        self._faults: dict[str, list[FaultHandle]] = {}
        self._lock = threading.Lock()
        self._closed = False
        self.invocations: list[InvocationRecord] = []
        # Throttled requests per function (TooManyRequestsException; not invocations).
        self.throttles: dict[str, int] = {}
        self._code_root: str | None = None
        # Event (asynchronous) invocations: the queue a run attached, or one on the wall clock.
        self._async_invoker: AsyncInvoker | None = None
        self._wall_loop: WallLoop | None = None
        self._destination_clients: dict[tuple[Any, ...], Any] = {}
        self._code_lock = threading.Lock()
        capture.acquire()

    # ------------------------------------------------------------------ control plane

    def create_function(
        self,
        config: FunctionConfig,
        *,
        init: bool = True,
        metadata: Mapping[str, Any] | None = None,
    ) -> FunctionConfig:
        """Register a function and cold-start its first environment.

        Raises the API errors CreateFunction would (``ValidationException``,
        ``InvalidParameterValueException``, ``ResourceConflictException``) and, unlike AWS (which
        only finds out at the first invoke), :class:`HandlerInitError` /
        :class:`HandlerImportError` if the code cannot be loaded; the function is then not created.

        ``init=False`` does as AWS does instead: the function is created without an environment,
        and the first invocation cold-starts it (an Init failure is then that invocation's error).
        ``metadata`` seeds :meth:`function_metadata` (the Lambda API keeps the code's size and
        hash, revision and tags there); ``last_modified`` is set to the simulated time.
        """
        validate(config)
        resolved = replace(
            config,
            region=config.region or self.region,
            account_id=config.account_id or self.account_id,
            role_arn=config.role_arn
            or f"arn:aws:iam::{config.account_id or self.account_id}:role/{config.name}-role",
            env=dict(config.env),
        )
        with self._lock:
            self._check_open()
            if resolved.name in self._functions:
                raise ResourceConflictException(f"Function already exist: {resolved.name}")
            state = _FunctionState(resolved, dict(metadata or {}))
            state.metadata["last_modified"] = self._now()
            if init:
                env, error = self._cold_start(state)
                if error is not None:
                    raise error
                state.env = env
            self._functions[resolved.name] = state
        return resolved

    def get_function(self, name: str) -> FunctionConfig:
        return self._state(name).config

    def has_function(self, name: str) -> bool:
        return name in self._functions

    def list_functions(self) -> list[FunctionConfig]:
        return [self._functions[name].config for name in sorted(self._functions)]

    def function_metadata(self, name: str) -> dict[str, Any]:
        """The function's metadata (mutable): ``last_modified`` (simulated epoch seconds of the
        last create/update) and whatever the creator stored (the API: code size, hash, ...)."""
        return self._state(name).metadata

    def update_function(
        self, name: str, *, metadata: Mapping[str, Any] | None = None, **changes: Any
    ) -> FunctionConfig:
        """Change a function's configuration or code (``handler``, ``env``, ``timeout``,
        ``memory``, ``code_dir``, ...: :class:`FunctionConfig` fields).

        Validated as ``create_function`` validates. The current execution environment is
        discarded, so the next invocation is a cold start with the new configuration, as on AWS;
        nothing is imported until then. A previous ``code_dir`` under :attr:`code_root` that the
        function no longer uses is deleted.
        """
        with self._lock:
            self._check_open()
            state = self._state(name)
            config = replace(state.config, **changes)
            if "env" in changes:
                config = replace(config, env=dict(config.env))
            validate(config)
            previous = state.config
            state.config = config
            if state.env is not None:
                state.env.stop()
                state.env = None
            state.metadata.update(metadata or {})
            state.metadata["last_modified"] = self._now()
            if previous.code_dir != config.code_dir:
                self._discard_code(previous.code_dir)
        return config

    def set_concurrency(self, name: str, reserved: int | None) -> None:
        """PutFunctionConcurrency / DeleteFunctionConcurrency: the execution environment stays."""
        state = self._state(name)
        state.config = replace(state.config, reserved_concurrency=reserved)

    def delete_function(self, name: str) -> None:
        with self._lock:
            state = self._state(name)
            del self._functions[state.config.name]
            if state.env is not None:
                state.env.stop()
                state.env = None
            self._discard_code(state.config.code_dir)

    @property
    def code_root(self) -> str:
        """A temporary directory for deployment packages (created on first use; ``close``
        removes it). The Lambda API unpacks each uploaded zip into its own directory below."""
        if self._code_root is None:
            self._check_open()
            with self._code_lock:  # not the invoke lock (held while handlers run)
                if self._code_root is None:
                    self._code_root = tempfile.mkdtemp(prefix="streamlab-lambda-")
        return self._code_root

    def _discard_code(self, code_dir: str | None) -> None:
        root = self._code_root
        if root is None or not code_dir:
            return
        if os.path.abspath(code_dir).startswith(os.path.abspath(root) + os.sep):
            shutil.rmtree(code_dir, ignore_errors=True)

    def _state(self, name: str) -> _FunctionState:
        key = name
        if name.startswith("arn:"):
            # arn:aws:lambda:<region>:<account>:function:<name>[:<qualifier>]
            parts = name.split(":")
            key = parts[6] if len(parts) > 6 else name
        state = self._functions.get(key)
        if state is None:
            raise ResourceNotFoundException(
                f"Function not found: arn:aws:lambda:{self.region}:{self.account_id}:function:{key}"
            )
        return state

    # ------------------------------------------------------------------ faults

    def add_fault(
        self, function_name: str, predicate: FaultPredicate, message: str | None = None
    ) -> FaultHandle:
        """Before each invocation of ``function_name``, ``predicate`` may inject a failure.

        ``predicate`` is called with an :class:`InvocationInfo`, or with no argument if it takes
        none (required positional parameters). It returns a falsy value (no fault), ``True``
        (raise :class:`InjectedFault` with ``message``, or a default naming the invocation), or an
        exception instance to raise in place of the handler. The failure is logged and reported
        exactly like an exception from the handler (``errorType`` is the exception's class name).
        The handler does not run. Two instances are verdicts rather than errors:
        :class:`InjectedTimeout` (the invocation times out after the function's timeout; the
        handler does not run) and :class:`TooManyRequestsException` (the request is throttled:
        ``invoke`` raises it, nothing runs or is recorded, :attr:`throttles` counts it).
        """
        handle = FaultHandle(self, function_name, predicate, message)
        self._faults.setdefault(function_name, []).append(handle)
        return handle

    def clear_faults(self, function_name: str | None = None) -> None:
        if function_name is None:
            self._faults.clear()
        else:
            self._faults.pop(function_name, None)

    # ------------------------------------------------------------------ invocation log

    def clear_invocations(self) -> None:
        self.invocations.clear()

    # ------------------------------------------------------------------ invoke

    def invoke(
        self,
        function_name: str,
        event: Any,
        *,
        client_context: Mapping[str, Any] | None = None,
        identity: Mapping[str, Any] | None = None,
        source: str | None = None,
        request_id: str | None = None,
    ) -> InvocationResult:
        """Synchronous (RequestResponse) invoke.

        ``event`` is any JSON-serialisable value; the handler gets a JSON round-trip copy, as over
        the wire. ``bytes`` are taken as the request body itself (already JSON), which skips the
        encoding step. ``client_context`` is the decoded ClientContext document (``client``,
        ``custom``, ``env``), ``identity`` a Cognito identity (``cognitoIdentityId``,
        ``cognitoIdentityPoolId``). ``source`` tags the record (e.g. ``"kinesis:input-stream"``).
        ``request_id`` is given by the asynchronous queue, whose retries keep the event's id.
        Raises :class:`TooManyRequestsException` when the invocation is throttled.
        """
        event = _request_event(event, SYNC_REQUEST_LIMIT_BYTES)
        with self._lock:
            self._check_open()
            return self._invoke(
                self._state(function_name), event, client_context, identity, source, request_id
            )

    def invoke_async(
        self,
        function_name: str,
        event: Any,
        *,
        client_context: Mapping[str, Any] | None = None,
        source: str | None = None,
    ) -> str:
        """Asynchronous (``Event``) invoke: queue the event, return its request id at once.

        The payload limit is :data:`ASYNC_REQUEST_LIMIT_BYTES`; an unknown function raises
        ``ResourceNotFoundException`` here. The event then goes through the asynchronous queue
        (:attr:`async_invoker`, :mod:`sim.services.lambda_.asynchronous`): retries, event age,
        destinations and the dead-letter queue as AWS handles them, on the run's clock when a run
        attached one (:meth:`use_async_invoker`), else on the wall clock. Its invocations are
        recorded in :attr:`invocations` like any other. :meth:`wait_async` waits until no
        attempt is due.
        """
        event = _request_event(event, ASYNC_REQUEST_LIMIT_BYTES)
        with self._lock:
            self._check_open()
            name = self._state(function_name).config.name
            request_id = uuid4(self._rng)
            invoker = self.async_invoker
        return invoker.submit(
            name, event, request_id=request_id, source=source, client_context=client_context
        )

    @property
    def async_invoker(self) -> AsyncInvoker:
        """The asynchronous queue: the one a run attached, else one on the wall clock, created
        on first use."""
        if self._async_invoker is None:
            self._wall_loop = WallLoop(now=self._now)
            self._async_invoker = AsyncInvoker(
                self,
                self._wall_loop,
                deliver=Destinations(self.destination_client),
                rng=random.Random(self._rng.getrandbits(64)),
            )
        return self._async_invoker

    def use_async_invoker(self, invoker: AsyncInvoker) -> None:
        """Run asynchronous invocations through ``invoker`` (a run's, on its clock)."""
        self._async_invoker = invoker

    def destination_client(self, config: FunctionConfig, service: str, region: str) -> Any:
        """A boto3 client acting as ``config``'s execution role (its session where IAM is
        enforced, as Lambda sends to destinations), to this runtime's endpoint."""
        import boto3
        from botocore.config import Config

        creds = self.credentials
        if self.role_credentials is not None and config.role_arn:
            creds = self.role_credentials(config)
        key = (config.role_arn, service, region, creds)
        client = self._destination_clients.get(key)
        if client is None:
            kwargs: dict[str, Any] = {}
            if creds is not None:
                kwargs = {
                    "aws_access_key_id": creds.access_key_id,
                    "aws_secret_access_key": creds.secret_access_key,
                    "aws_session_token": creds.session_token,
                }
            client = boto3.session.Session(region_name=region or self.region, **kwargs).client(
                service,
                endpoint_url=self.extra_env.get("AWS_ENDPOINT_URL"),
                config=Config(retries={"max_attempts": 0}),
            )
            self._destination_clients[key] = client
        return client

    def wait_async(self, timeout: float | None = None) -> bool:
        """Wait (wall time) until no asynchronous attempt is due (see
        :meth:`AsyncInvoker.wait`); False on timeout."""
        return self.async_invoker.wait(timeout)

    def _invoke(
        self,
        state: _FunctionState,
        event: Any,
        client_context: Mapping[str, Any] | None,
        identity: Mapping[str, Any] | None,
        source: str | None,
        request_id: str | None = None,
    ) -> InvocationResult:
        config = state.config
        if request_id is None:
            request_id = uuid4(self._rng)
        started_at = self._now()
        if config.reserved_concurrency == 0:
            # Reserved concurrency 0 throttles every invocation; nothing runs.
            self.throttles[config.name] = self.throttles.get(config.name, 0) + 1
            raise TooManyRequestsException()
        state.count += 1
        capture.ensure_installed()

        fault = None
        hooks = self._faults.get(config.name)
        if hooks:
            fault = self._pick_fault(
                hooks, config.name, request_id, event, source, started_at, state
            )
            if isinstance(fault, TooManyRequestsException):
                state.count -= 1  # a throttled request is not an invocation
                self.throttles[config.name] = self.throttles.get(config.name, 0) + 1
                raise fault

        env = state.env
        if env is None:
            env, init_error = self._cold_start(state)
            if init_error is not None:
                return self._init_failure(state, request_id, started_at, source, init_error)
            state.env = env
        init_logs = env.init_logs
        init_duration = env.init_duration
        cold = init_duration is not None
        if cold:
            env.init_logs = ""
            env.init_duration = None

        timeout = config.timeout
        sink = capture.Sink(request_id)
        context = LambdaContext(
            aws_request_id=request_id,
            function_name=config.name,
            function_version=LATEST,
            invoked_function_arn=config.arn,
            memory_limit_in_mb=str(config.memory),
            log_group_name=f"/aws/lambda/{config.name}",
            log_stream_name=env.log_stream_name,
            deadline=_monotonic() + timeout,
            client_context=client_context,
            identity=identity,
        )
        job = _InvokeJob(
            env.handler, wire.response_encoder(config.runtime), event, context, fault, request_id,
            sink,
        )  # fmt: skip
        start = _perf_counter()
        if isinstance(fault, InjectedTimeout):
            finished = False  # the handler never returns; its environment is discarded
        else:
            finished = _run_job(env, job, sink, timeout, lambda: job.exit_tail is None)
        if not (finished and job.exit_tail is None):
            state.env = None

        head = f"{init_logs}START RequestId: {request_id} Version: {LATEST}\n"
        if finished:
            duration_ms = job.duration * 1000.0
            outcome = job.outcome
            payload = job.payload
            error = job.error
            exception = job.exception
            tail = job.exit_tail or ""
            if exception is not None and error is not None:
                error = dict(error, traceback=wire.full_traceback(exception))
        else:
            duration_ms = (
                timeout * 1000.0
                if isinstance(fault, InjectedTimeout)
                else (_perf_counter() - start) * 1000.0
            )
            outcome = "timeout"
            message = (
                f"{wire.iso_millis(started_at + timeout)} {request_id} "
                f"Task timed out after {timeout:.2f} seconds"
            )
            payload = {"errorMessage": message}
            error = dict(payload)
            exception = None
            tail = message + "\n"
        head = f"{head}{sink.text()}END RequestId: {request_id}\n"
        return self._record(
            state, request_id, started_at, source, outcome, payload, error, exception,
            duration_ms, init_duration, head, tail, log_stream_name=env.log_stream_name,
        )  # fmt: skip

    def _record(
        self,
        state: _FunctionState,
        request_id: str,
        started_at: float,
        source: str | None,
        outcome: str,
        payload: Any,
        error: dict[str, Any] | None,
        exception: BaseException | None,
        duration_ms: float,
        init_duration: float | None,
        head: str,
        tail: str,
        log_stream_name: str = "",
    ) -> InvocationResult:
        memory = state.config.memory
        max_used = _getrusage(_RUSAGE_SELF).ru_maxrss // 1024
        if init_duration is None:
            init_ms = None
            billed = _ceil(duration_ms)
            init_part = ""
        else:
            init_ms = init_duration * 1000.0
            # Since 2025-08-01 the Init phase of on-demand managed-runtime functions is billed.
            billed = _ceil(duration_ms + init_ms)
            init_part = f"Init Duration: {init_ms:.2f} ms\t"
        report = (
            f"REPORT RequestId: {request_id}\tDuration: {duration_ms:.2f} ms\t"
            f"Billed Duration: {billed} ms\tMemory Size: {memory} MB\t"
            f"Max Memory Used: {max_used} MB\t{init_part}\n"
        )
        record = InvocationRecord(
            request_id=request_id,
            function_name=state.config.name,
            started_at=started_at,
            outcome=outcome,  # type: ignore[arg-type]
            payload=payload,
            error=error,
            cold_start=init_duration is not None,
            source=source,
            duration_ms=duration_ms,
            billed_duration_ms=billed,
            init_duration_ms=init_ms,
            max_memory_used_mb=max_used,
            memory_size_mb=memory,
            log_head=head,
            log_report=report,
            log_tail=tail,
            exception=exception,
            log_stream_name=log_stream_name,
        )
        self.invocations.append(record)
        return InvocationResult(record)

    def _pick_fault(
        self,
        hooks: list[FaultHandle],
        function_name: str,
        request_id: str,
        event: Any,
        source: str | None,
        started_at: float,
        state: _FunctionState,
    ) -> BaseException | None:
        info = InvocationInfo(function_name, request_id, event, source, started_at, state.count)
        for hook in list(hooks):
            fault = hook.verdict(info)
            if fault is not None:
                return fault
        return None

    # ------------------------------------------------------------------ environments

    def _env_vars(self, config: FunctionConfig, log_stream_name: str) -> dict[str, str | None]:
        creds = self.credentials
        if self.role_credentials is not None and config.role_arn:
            creds = self.role_credentials(config)  # the role's own session, as Lambda gives
        env: dict[str, str | None] = {"TZ": ":UTC"}
        env.update(self.extra_env)
        env.update(config.env)
        env.update(
            {
                "_HANDLER": _aws_handler(config),
                "AWS_REGION": config.region,
                "AWS_DEFAULT_REGION": config.region,
                "AWS_EXECUTION_ENV": f"AWS_Lambda_{config.runtime}",
                "AWS_LAMBDA_FUNCTION_NAME": config.name,
                "AWS_LAMBDA_FUNCTION_MEMORY_SIZE": str(config.memory),
                "AWS_LAMBDA_FUNCTION_VERSION": LATEST,
                "AWS_LAMBDA_INITIALIZATION_TYPE": "on-demand",
                "AWS_LAMBDA_LOG_GROUP_NAME": f"/aws/lambda/{config.name}",
                "AWS_LAMBDA_LOG_STREAM_NAME": log_stream_name,
                "AWS_LAMBDA_RUNTIME_API": "127.0.0.1:9001",
                "LAMBDA_TASK_ROOT": config.code_dir or TASK_ROOT,
                "LAMBDA_RUNTIME_DIR": RUNTIME_DIR,
            }
        )
        if creds is not None:
            # None hides a variable while the function runs: a sandbox has no profiles, and no
            # session token unless its credentials carry one.
            env.update(
                {
                    "AWS_ACCESS_KEY_ID": creds.access_key_id,
                    "AWS_SECRET_ACCESS_KEY": creds.secret_access_key,
                    "AWS_SESSION_TOKEN": creds.session_token,
                    "AWS_PROFILE": None,
                    "AWS_DEFAULT_PROFILE": None,
                }
            )
        return env

    def _cold_start(
        self, state: _FunctionState
    ) -> tuple[ExecutionEnvironment | None, HandlerInitError | None]:
        """A new environment with its Init phase run. Init output and duration are left on the
        environment for the next invocation's log and REPORT line."""
        config = state.config
        capture.ensure_installed()
        day = time.strftime("%Y/%m/%d", time.gmtime(self._now()))
        stream = f"{day}/[{LATEST}]{hex_id(self._stream_rng, 32)}"
        env = ExecutionEnvironment(config, self._env_vars(config, stream), stream, self._now)
        sink = capture.Sink("")
        job = InitJob(env)
        finished = _run_job(env, job, sink, INIT_TIMEOUT_S, lambda: job.error is None)
        logs = sink.text()
        if finished and job.error is None:
            env.init_logs = logs
            env.init_duration = job.duration
            return env, None
        if finished:
            error = job.error
            assert error is not None
            error.init_duration = job.duration
        else:
            message = f"Init phase did not complete within {INIT_TIMEOUT_S:.2f} seconds"
            error = HandlerInitError(
                "Sandbox.Timedout",
                message,
                {"errorMessage": message, "errorType": "Sandbox.Timedout"},
            )
        error.logs = (
            logs
            + wire.warning_log_entry(wire.LAMBDA_UNHANDLED_EXCEPTION_WARNING, "", self._now())
            + wire.error_log_entry(error.payload)
        )
        return None, error

    def _init_failure(
        self,
        state: _FunctionState,
        request_id: str,
        started_at: float,
        source: str | None,
        error: HandlerInitError,
    ) -> InvocationResult:
        """An invocation whose cold start failed: the init error is the response."""
        head = (
            f"{error.logs}START RequestId: {request_id} Version: {LATEST}\n"
            f"END RequestId: {request_id}\n"
        )
        detail = dict(error.payload)
        if error.__cause__ is not None:
            detail["traceback"] = wire.full_traceback(error.__cause__)
        return self._record(
            state, request_id, started_at, source, "error", dict(error.payload), detail,
            error.__cause__ or error, 0.0, error.init_duration, head, "",
        )  # fmt: skip

    # ------------------------------------------------------------------ lifecycle

    def _check_open(self) -> None:
        if self._closed:
            raise RuntimeError("LambdaRuntime is closed")

    @property
    def closed(self) -> bool:
        return self._closed

    def close(self) -> None:
        """Stop the worker threads, drop queued asynchronous invocations, delete uploaded code,
        and give back stdout/stderr/logging."""
        with self._lock:
            if self._closed:
                return
            self._closed = True
            threads = []
            for state in self._functions.values():
                if state.env is not None:
                    state.env.stop()
                    threads.append(state.env.thread)
                    state.env = None
            if self._wall_loop is not None:
                self._wall_loop.close()  # what was still queued will never run
        for thread in threads:
            thread.join(timeout=1.0)
        if self._code_root is not None:
            shutil.rmtree(self._code_root, ignore_errors=True)
        capture.release()

    def __enter__(self) -> LambdaRuntime:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


def _takes_argument(predicate: Callable[..., Any]) -> bool:
    """Whether ``predicate`` has a required positional parameter (then it gets the info)."""
    try:
        parameters = inspect.signature(predicate).parameters.values()
    except (TypeError, ValueError):
        return True
    return any(
        p.default is p.empty
        and p.kind in (p.POSITIONAL_ONLY, p.POSITIONAL_OR_KEYWORD, p.VAR_POSITIONAL)
        for p in parameters
    )


def _aws_handler(config: FunctionConfig) -> str:
    try:
        return config.aws_handler
    except ValueError:  # malformed: the Init phase will say so
        return config.handler


def _too_large(limit: int = SYNC_REQUEST_LIMIT_BYTES) -> RequestTooLargeException:
    return RequestTooLargeException(
        f"Request must be smaller than {limit} bytes for the InvokeFunction operation"
    )


def _request_event(event: Any, limit: int) -> Any:
    """The event as the handler will get it (a JSON round trip), checked against ``limit``.
    ``bytes`` are the request body itself."""
    if isinstance(event, bytes | bytearray | memoryview):
        body = bytes(event)
        if len(body) > limit:
            raise _too_large(limit)
        try:
            return wire.decode(body)
        except ValueError as e:
            raise InvalidRequestContentException(
                f"Could not parse request body into json: {e}"
            ) from e
    text = wire.encode_event(event)
    if len(text) > limit:
        raise _too_large(limit)
    return wire.decode(text)


def _run_job(env: Any, job: Any, sink: Any, timeout: float, healthy: Callable[[], bool]) -> bool:
    """Run ``job`` on the environment's thread with its variables and capture in place; wait at
    most ``timeout`` wall seconds. The environment is kept only if the job finished and
    ``healthy()`` says it may be reused; otherwise it is stopped (or killed, if still running).
    Returns whether the job finished."""
    saved = env.enter(sink)
    finished = False
    try:
        env.run(job)
        finished = job.wait(timeout)
    finally:
        if finished and healthy():
            env.exit(saved)
        else:
            if finished:
                env.stop()
            else:
                env.kill()
            env.exit(saved, keep=False)
    return finished
