"""Simulated AWS Lambda (Python runtime): functions, execution environments, invoke, and
Lambda's REST API served from them.

Public API::

    from sim.services.lambda_ import FunctionConfig, LambdaApi, LambdaRuntime

    runtime = LambdaRuntime(rng=derive_rng(seed, "lambda"), now=lambda: clock.now)
    runtime.create_function(FunctionConfig(name="f", handler="consumers.noaa.app:handler", memory=256))
    result = runtime.invoke("f", event, source="kinesis:input-stream")
    result.payload, result.function_error, result.logs
    runtime.invoke_async("f", event)  # Event invocation on a background thread; wait_async()
    runtime.invocations  # list[InvocationRecord]; record.to_json(include_timing=False)
    LambdaApi(runtime).handle(method, path, headers, body)  # -> (status, headers, body)

See README.md in this directory for what is simulated and how faithfully.
"""

from sim.services.lambda_.api import LambdaApi
from sim.services.lambda_.config import FunctionConfig
from sim.services.lambda_.context import LambdaContext
from sim.services.lambda_.exceptions import (
    HandlerImportError,
    HandlerInitError,
    InjectedFault,
    InjectedTimeout,
    InvalidParameterValueException,
    InvalidRequestContentException,
    PreconditionFailedException,
    RequestTooLargeException,
    ResourceConflictException,
    ServiceException,
    TooManyRequestsException,
)
from sim.services.lambda_.records import InvocationRecord, InvocationResult
from sim.services.lambda_.runtime import (
    Credentials,
    FaultHandle,
    InvocationInfo,
    LambdaRuntime,
)

__all__ = [
    "Credentials",
    "FaultHandle",
    "FunctionConfig",
    "HandlerImportError",
    "HandlerInitError",
    "InjectedFault",
    "InjectedTimeout",
    "TooManyRequestsException",
    "InvalidParameterValueException",
    "InvalidRequestContentException",
    "InvocationInfo",
    "InvocationRecord",
    "InvocationResult",
    "LambdaApi",
    "LambdaContext",
    "LambdaRuntime",
    "PreconditionFailedException",
    "RequestTooLargeException",
    "ResourceConflictException",
    "ServiceException",
]
