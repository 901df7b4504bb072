"""A failed Flink job, told in Flink's words: the job's name and Flink's own root-cause line.

PyFlink surfaces a failure as a ``py4j.protocol.Py4JJavaError`` or one of
``pyflink.util.exceptions``' ``JavaException`` subclasses whose text is the whole Java stack
trace (``at org.apache…`` lines, ``Caused by:`` chains, and for a Python UDF the Beam harness's
message with the Python traceback inside). :func:`flink_root_cause` picks the one line a user
needs from that text:

* a Python UDF that raised: the exception line of the Python traceback (``ValueError: boom``);
* a SQL or Table API error: the message of the innermost Table API exception (``SQL validation failed.
  From line 1, column 8 to line 1, column 10: Column 'x' not found in any table``), which is
  what the SQL client prints;
* anything else: the innermost ``Caused by:`` (the root cause), ``Class: message``.

The whole trace stays available as :attr:`FlinkJobError.details`.
"""

from __future__ import annotations

import re

_HEADLINE = re.compile(
    r"^(?:Caused by: )?(?P<cls>[A-Za-z_$][\w$]*(?:\.[A-Za-z_$][\w$]*)+)(?::\s?(?P<msg>.*))?$"
)
# Exceptions whose message is what Flink's SQL client shows the user.
_TABLE_EXCEPTIONS = (
    "org.apache.flink.table.api.ValidationException",
    "org.apache.flink.table.api.SqlParserException",
    "org.apache.flink.sql.parser.error.SqlValidateException",
    "org.apache.flink.table.api.TableException",
    "org.apache.flink.table.api.AmbiguousTableFactoryException",
    "org.apache.flink.table.api.NoMatchingTableFactoryException",
)
# Wrappers that say nothing about the cause.
_WRAPPERS = (
    "org.apache.flink.runtime.client.JobExecutionException",
    "org.apache.flink.runtime.JobException",
    "java.util.concurrent.ExecutionException",
    "java.util.concurrent.CompletionException",
)
_TRACEBACK = "Traceback (most recent call last):"


class FlinkJobError(Exception):
    """A Flink job failed: ``job`` is its name, ``message`` Flink's root-cause line."""

    def __init__(self, job: str, message: str, details: str = ""):
        super().__init__(f"Flink job {job!r} failed: {message}")
        self.job = job
        self.message = message
        self.details = details  # the full Java (and Python) trace, for debugging


def exception_text(exc: BaseException) -> str:
    """The whole text PyFlink/Py4J carry for ``exc`` (stack traces included)."""
    if getattr(exc, "java_exception", None) is not None:  # py4j.protocol.Py4JJavaError
        try:
            return str(exc)  # asks the JVM for the Java stack trace
        except Exception:  # pragma: no cover - the gateway is gone
            return repr(exc)
    stack_trace = getattr(exc, "stack_trace", None)  # pyflink.util.exceptions.JavaException
    if isinstance(stack_trace, str):
        return stack_trace
    return f"{type(exc).__name__}: {exc}"


def _python_exception_line(text: str) -> str | None:
    """The exception line of the last Python traceback in ``text``."""
    start = text.rfind(_TRACEBACK)
    if start < 0:
        return None
    lines = text[start + len(_TRACEBACK) :].splitlines()
    collected: list[str] = []
    for line in lines:
        if not collected:
            if not line.strip() or line.startswith((" ", "\t")):
                continue  # frames ("  File …", "    code")
            collected.append(line.strip())
        else:
            # Continuation of a multi-line message, up to the Java frames or a blank line.
            if not line.strip() or line.lstrip().startswith("at ") or line.startswith("\t"):
                break
            if _HEADLINE.match(line) and line.startswith("Caused by:"):
                break
            collected.append(line.strip())
    return " ".join(collected) if collected else None


def _headlines(text: str) -> list[tuple[str, str]]:
    """(class, message) of the top exception and each ``Caused by:`` in a Java trace."""
    out: list[tuple[str, str]] = []
    lines = text.splitlines()
    for i, line in enumerate(lines):
        if line.startswith(("\t", " ")):
            continue
        m = _HEADLINE.match(line)
        if not m or not m.group("cls").split(".")[-1].endswith(("Exception", "Error")):
            continue
        if i > 0 and not line.startswith("Caused by:") and out:
            continue  # a message's continuation that happens to look like a class name
        msg = (m.group("msg") or "").strip()
        # Messages may run on over several lines until the first "\tat" frame.
        for follow in lines[i + 1 :]:
            if follow.startswith(("\t", " ")) or follow.startswith("Caused by:") or not follow:
                break
            msg = f"{msg} {follow.strip()}".strip()
        out.append((m.group("cls"), msg))
    return out


def flink_root_cause(exc: BaseException) -> tuple[str, str]:
    """``(message, details)`` for a PyFlink failure: Flink's own root-cause line and the full text."""
    text = exception_text(exc)
    # Py4J prefixes "An error occurred while calling o123.executeSql.\n: "; drop it.
    body = re.sub(r"^An error occurred while calling [^\n]*\n: ", "", text.strip())
    python_line = _python_exception_line(body)
    if python_line:
        return python_line, text
    heads = _headlines(body)
    # The innermost Table API exception: Flink's outer ones repeat their prefix
    # ("SQL validation failed. SQL validation failed. From line …").
    table = [msg for cls, msg in heads if cls in _TABLE_EXCEPTIONS and msg]
    if table:
        return table[-1], text
    meaningful = [(c, m) for c, m in heads if c not in _WRAPPERS]
    if meaningful:
        cls, msg = meaningful[-1]
        short = cls.rsplit(".", 1)[-1]
        return (f"{short}: {msg}" if msg else short), text
    first = body.splitlines()[0] if body else type(exc).__name__
    return first, text


# PyFlink reaches the JVM through a pool of Py4J connections, each served by its own Java thread.
# Flink's planner sets Calcite's thread-local metadata provider only on the thread that created
# the environment, so a statement planned on another one fails with
# ``NullPointerException: metadataHandlerProvider`` (FLINK-23020, never fixed). That happens
# when another Python thread has called into the JVM meanwhile. A new environment, created on
# the connection now in use, plans the statement; runners retry that many times.
PLANNER_THREAD_RETRIES = 3


def planner_thread_error(details: str) -> bool:
    """Whether a failure is FLINK-23020's (see :data:`PLANNER_THREAD_RETRIES`)."""
    return "NullPointerException" in details and "metadataHandlerProvider" in details
