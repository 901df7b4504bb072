"""Errors of the simulated Lambda service.

Two families, as on AWS:

* API errors (``CreateFunction``, ``Invoke``, ...) are :class:`sim.errors.AwsError` subclasses named
  like AWS's. The ones :mod:`sim.errors` does not define yet live here.
* :class:`HandlerImportError` (alias ``HandlerInitError``) is not an API error: it says the
  function's code could not be loaded (AWS reports it only at the first invoke; the simulator
  also raises it from ``create_function`` so a typo in a scenario fails at once). Its
  ``error_type`` and message use the Python runtime's words (``Runtime.ImportModuleError``,
  ``Runtime.HandlerNotFound``, ...).

A handler's own exception is never turned into one of these: it is recorded, with its traceback,
in the invocation log (see :mod:`sim.services.lambda_.records`).
"""

from __future__ import annotations

from typing import Any

from sim.errors import AwsError


class ResourceConflictException(AwsError):
    """CreateFunction on a name that exists: ``Function already exist: <name>``."""

    code = "ResourceConflictException"
    status = 409


class InvalidParameterValueException(AwsError):
    code = "InvalidParameterValueException"


class RequestTooLargeException(AwsError):
    """Invoke payload above the synchronous limit (6 MB)."""

    code = "RequestTooLargeException"
    status = 413


class InvalidRequestContentException(AwsError):
    """Invoke payload bytes that are not JSON."""

    code = "InvalidRequestContentException"


class HandlerImportError(Exception):
    """The function's code failed during the Init phase (import, handler lookup, init code).

    One class for all of them (also exported as ``HandlerInitError``): on AWS an exception raised
    by module-level code is a failure to import the handler module too; ``error_type`` tells the
    cases apart.

    ``error_type`` is what AWS's ``errorType`` would say (``Runtime.ImportModuleError``,
    ``Runtime.HandlerNotFound``, ``Runtime.MalformedHandlerName``, ``Runtime.UserCodeSyntaxError``,
    ``Runtime.BuiltInModuleConflict``, or the class name of an exception raised by init code).
    ``payload`` is the error document AWS would return, ``logs`` what the Init phase printed.
    """

    def __init__(self, error_type: str, message: str, payload: dict[str, Any], logs: str = ""):
        super().__init__(f"{error_type}: {message}")
        self.error_type = error_type
        self.message = message
        self.payload = payload
        self.logs = logs
        self.init_duration: float | None = None  # seconds, when the Init phase ran to the end


HandlerInitError = HandlerImportError


class InjectedFault(Exception):
    """Default exception raised by a fault hook (``errorType`` "InjectedFault")."""


class InjectedTimeout(Exception):
    """A fault hook's verdict: the invocation runs out of time, as a handler that never returns
    (outcome ``timeout``, AWS's ``Task timed out after N.00 seconds``); the handler does not run."""


class TooManyRequestsException(AwsError):
    """A throttled invocation (HTTP 429): reserved concurrency exhausted (or 0), or a throttle
    fault. ``Reason`` is one of Lambda's throttle reasons; the message is AWS's ``Rate Exceeded.``
    """

    code = "TooManyRequestsException"
    status = 429

    # Invoke's TooManyRequestsException Reason values (API_Invoke, Errors).
    RESERVED_CONCURRENCY = "ReservedFunctionConcurrentInvocationLimitExceeded"
    ACCOUNT_CONCURRENCY = "ConcurrentInvocationLimitExceeded"

    def __init__(self, message: str = "Rate Exceeded.", *, reason: str = RESERVED_CONCURRENCY):
        super().__init__(message)
        self.reason = reason


class PreconditionFailedException(AwsError):
    """A ``RevisionId`` that is not the function's current one."""

    code = "PreconditionFailedException"
    status = 412


class ServiceException(AwsError):
    """Lambda's own internal error (HTTP 500)."""

    code = "ServiceException"
    status = 500
