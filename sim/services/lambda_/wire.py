"""What crosses the wire, in the Python runtime's words (awslambdaric ``bootstrap.py``,
``lambda_runtime_marshaller.py``).

* Events and responses are JSON. The runtime's encoder (simplejson) writes a ``Decimal`` as its
  exact number, a NaN ``Decimal`` as NaN, allows NaN/Infinity, keeps ``ensure_ascii`` on up to
  python3.11 (off from 3.12), and passes a ``bytes`` response through untouched (``application/unknown``). An
  object it cannot encode fails the invocation with ``Runtime.MarshalError`` /
  ``Unable to marshal response: <TypeError text>``.
* Error documents are ``{"errorMessage", "errorType", "requestId", "stackTrace"}``; the stack
  trace is ``traceback.format_list`` of the frames from the handler down (the runtime's own frames
  are cut off the front), and is ``[]`` for the runtime's own faults.
* The ``[ERROR]`` log entry is ``[ERROR] <type>: <message>``, ``Traceback (most recent call
  last):`` and the trace lines, joined by newlines, with leading spaces turned into no-break spaces
  (the telemetry log sink's form, which managed runtimes use).
"""

from __future__ import annotations

import decimal
import json
import math
import os
import time
import traceback
from collections.abc import Callable
from types import TracebackType
from typing import Any

MARSHAL_ERROR = "Runtime.MarshalError"
IMPORT_MODULE_ERROR = "Runtime.ImportModuleError"
HANDLER_NOT_FOUND = "Runtime.HandlerNotFound"
MALFORMED_HANDLER_NAME = "Runtime.MalformedHandlerName"
USER_CODE_SYNTAX_ERROR = "Runtime.UserCodeSyntaxError"
BUILT_IN_MODULE_CONFLICT = "Runtime.BuiltInModuleConflict"
EXIT_ERROR = "Runtime.ExitError"
RESPONSE_SIZE_TOO_LARGE = "Function.ResponseSizeTooLarge"

ERROR_LOG_INDENT = "\u00a0"  # NO-BREAK SPACE, as awslambdaric's ERROR_LOG_IDENT

LAMBDA_UNHANDLED_EXCEPTION_WARNING = (
    "LAMBDA_WARNING: Unhandled exception. The most likely cause is an issue in the function code. "
    "However, in rare cases, a Lambda runtime update can cause unexpected function behavior. "
    "For functions using managed runtimes, runtime updates can be triggered by a function change, "
    "or can be applied automatically. To determine if the runtime has been updated, check the "
    "runtime version in the INIT_START log entry. If this error correlates with a change in the "
    "runtime version, you may be able to mitigate this error by temporarily rolling back to the "
    "previous runtime version. For more information, see "
    "https://docs.aws.amazon.com/lambda/latest/dg/runtimes-update.html\r"
)

_PACKAGE_DIR = os.path.dirname(os.path.abspath(__file__)) + os.sep


def _default(obj: Any) -> Any:
    if isinstance(obj, decimal.Decimal):
        if obj.is_nan():
            return math.nan
        # simplejson writes str(obj) raw; parsing that text gives what the receiver sees.
        return json.loads(str(obj))
    raise TypeError(f"Object of type {obj.__class__.__name__} is not JSON serializable")


_response_encoder = json.JSONEncoder(default=_default, allow_nan=True)
_response_encoder_utf8 = json.JSONEncoder(default=_default, allow_nan=True, ensure_ascii=False)
_event_encoder = json.JSONEncoder(allow_nan=True)
encode_response = _response_encoder.encode


def response_encoder(runtime: str) -> Callable[[Any], str]:
    """The runtime's response encoder: ``ensure_ascii`` is off from python3.12 on."""
    minor = runtime.removeprefix("python3.")
    if minor.isdigit() and int(minor) >= 12:
        return _response_encoder_utf8.encode
    return _response_encoder.encode


encode_event = _event_encoder.encode
decode = json.loads


def iso_millis(epoch: float) -> str:
    """``2019-11-14T18:16:05.568Z``."""
    millis = int(round(epoch * 1000))
    seconds, ms = divmod(millis, 1000)
    return time.strftime("%Y-%m-%dT%H:%M:%S", time.gmtime(seconds)) + f".{ms:03d}Z"


def make_error(
    message: str, error_type: str, stack_trace: list[str] | None, request_id: str | None = None
) -> dict[str, Any]:
    """awslambdaric ``make_error``: the error document, field for field."""
    return {
        "errorMessage": message if message else "",
        "errorType": error_type if error_type else "",
        "requestId": request_id if request_id is not None else "",
        "stackTrace": stack_trace if stack_trace else [],
    }


def user_traceback(tb: TracebackType | None) -> TracebackType | None:
    """Skip the simulator's own frames at the front of a traceback."""
    while tb is not None and tb.tb_frame.f_code.co_filename.startswith(_PACKAGE_DIR):
        tb = tb.tb_next
    return tb


def stack_trace(tb: TracebackType | None) -> list[str]:
    """The ``stackTrace`` list: ``format_list`` over (file, line, name, text) tuples."""
    tb = user_traceback(tb)
    if tb is None:
        return []
    tuples = [(f.filename, f.lineno, f.name, f.line) for f in traceback.extract_tb(tb)]
    return traceback.format_list(tuples)  # type: ignore[arg-type]


def exception_error(exc: BaseException, request_id: str | None) -> dict[str, Any]:
    """The error document for an exception raised by user code."""
    return make_error(str(exc), type(exc).__name__, stack_trace(exc.__traceback__), request_id)


def full_traceback(exc: BaseException) -> str:
    """Python's own rendering (with chained causes), minus the simulator's frames."""
    return "".join(traceback.format_exception(type(exc), exc, user_traceback(exc.__traceback__)))


def _reindent(line: str) -> str:
    stripped = line.lstrip(" ")
    return ERROR_LOG_INDENT * (len(line) - len(stripped)) + stripped


def error_log_entry(error: dict[str, Any]) -> str:
    """awslambdaric ``log_error`` (text format) as one log entry, newline-terminated."""
    description = "[ERROR]"
    error_type = error.get("errorType")
    if error_type:
        description += " " + error_type
    message = error.get("errorMessage")
    if message:
        if error_type:
            description += ":"
        description += " " + message
    lines = [description]
    trace = error.get("stackTrace")
    if trace is not None:
        lines.append("Traceback (most recent call last):")
        for element in trace:
            if element == "":
                lines.append("")
            else:
                lines.extend(_reindent(line) for line in element.splitlines())
    return "\n".join(lines) + "\n"


def warning_log_entry(message: str, request_id: str, when: float) -> str:
    """A ``logging.warning`` from the runtime itself, in the text format."""
    return f"[WARNING]\t{iso_millis(when)}\t{request_id}\t{message}\n"
