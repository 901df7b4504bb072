"""S3 object keys: custom prefix expressions and the object-name suffix.

``<evaluated prefix><name>-<version>-<yyyy-MM-dd-HH-mm-ss>-<uuid><extension>``
(https://docs.aws.amazon.com/firehose/latest/dev/s3-object-name.html). Expressions
(https://docs.aws.amazon.com/firehose/latest/dev/s3-prefixes.html):

* ``!{timestamp:<pattern>}``: a Java ``DateTimeFormatter`` pattern, in UTC, of the approximate
  arrival time of the oldest record in the object; every use in one prefix is the same instant.
  The pattern letters streamlab formats: ``u y`` (year), ``M L`` (month), ``d D`` (day of month,
  of year), ``H h k K`` (hour), ``m s`` (minute, second), ``S`` (fraction), ``a`` (AM/PM),
  ``E`` (weekday); ``'text'`` and ``''`` quote; other non-letters are literal. Another letter is
  an InvalidArgumentException.
* ``!{firehose:random-string}``: 11 random alphanumeric characters, a new one per use.
* ``!{firehose:error-output-type}``: allowed in ErrorOutputPrefix only.
* ``partitionKeyFromQuery`` / ``partitionKeyFromLambda`` need dynamic partitioning, which
  streamlab does not simulate: InvalidArgumentException.

A Prefix without a timestamp expression gets ``!{timestamp:yyyy/MM/dd/HH/}`` appended (no ``/``
is inserted); no Prefix means ``yyyy/MM/dd/HH/``. A Prefix with expressions needs an
ErrorOutputPrefix, and a non-empty ErrorOutputPrefix must use ``!{firehose:error-output-type}``.
"""

from __future__ import annotations

import random
import re
import string
from collections.abc import Callable
from datetime import UTC, datetime

from sim.services.firehose import limits
from sim.services.firehose.exceptions import prefix_constraint

_EXPRESSION = re.compile(r"!\{([^{}]*)\}")
_ALPHANUMERIC = string.ascii_letters + string.digits
_MONTHS = [
    "January",
    "February",
    "March",
    "April",
    "May",
    "June",
    "July",
    "August",
    "September",
    "October",
    "November",
    "December",
]
_DAYS = ["Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday"]
# Numeric pattern letters of Java's DateTimeFormatter, zero-padded to the letter count.
_NUMERIC_FIELDS: dict[str, Callable[[datetime], int]] = {
    "d": lambda m: m.day,
    "D": lambda m: m.timetuple().tm_yday,
    "H": lambda m: m.hour,
    "k": lambda m: m.hour or 24,
    "K": lambda m: m.hour % 12,
    "h": lambda m: (m.hour % 12) or 12,
    "m": lambda m: m.minute,
    "s": lambda m: m.second,
}
_PATTERN_TOKEN = re.compile(r"'(?:[^']|'')*'?|([A-Za-z])\1*|[^A-Za-z']")


class PatternError(ValueError):
    """A `!{timestamp:…}` pattern that Java's DateTimeFormatter would not accept."""


def _field(letter: str, width: int, moment: datetime) -> str:
    if letter in "uy":
        return f"{moment.year % 100:02d}" if width == 2 else f"{moment.year:0{width}d}"
    if letter in "ML":
        if width >= 4:
            return _MONTHS[moment.month - 1]
        if width == 3:
            return _MONTHS[moment.month - 1][:3]
        return f"{moment.month:0{width}d}"
    number = _NUMERIC_FIELDS.get(letter)
    if number is not None:
        return f"{number(moment):0{width}d}"
    if letter == "S":
        return f"{moment.microsecond:06d}{'0' * 3}"[:width]
    if letter == "a":
        return "AM" if moment.hour < 12 else "PM"
    if letter == "E":
        name = _DAYS[moment.weekday()]
        return name if width >= 4 else name[:3]
    raise PatternError(f"Unknown pattern letter: {letter}")


def format_java(pattern: str, moment: datetime) -> str:
    """``moment`` formatted with a Java ``DateTimeFormatter`` pattern (the subset above)."""
    out = []
    for match in _PATTERN_TOKEN.finditer(pattern):
        token = match.group(0)
        if token.startswith("'"):
            if token == "''":
                out.append("'")
            elif len(token) < 2 or not token.endswith("'"):
                raise PatternError(f"Pattern ends with an incomplete string literal: {pattern}")
            else:
                out.append(token[1:-1].replace("''", "'"))
        elif token[0].isalpha():
            out.append(_field(token[0], len(token), moment))
        else:
            out.append(token)
    return "".join(out)


def _expressions(prefix: str) -> list[tuple[str, str]]:
    found = []
    for match in _EXPRESSION.finditer(prefix):
        namespace, sep, value = match.group(1).partition(":")
        if not sep:
            raise prefix_constraint(
                f"Expression {match.group(0)} must be of the form !{{namespace:value}}"
            )
        found.append((namespace, value))
    rest = _EXPRESSION.sub("", prefix)
    if "!{" in rest:
        raise prefix_constraint(f"Prefix {prefix} contains an unterminated expression")
    return found


_CHECK_TIME = datetime(2018, 1, 1, tzinfo=UTC)


def check_prefixes(prefix: str | None, error_prefix: str | None) -> None:
    """AWS's rules for Prefix and ErrorOutputPrefix at create time (InvalidArgumentException)."""
    for value, is_error in ((prefix or "", False), (error_prefix or "", True)):
        for namespace, expression in _expressions(value):
            if namespace == "timestamp":
                try:
                    format_java(expression, _CHECK_TIME)
                except PatternError as exc:
                    raise prefix_constraint(
                        f"The expression !{{timestamp:{expression}}} is not a valid "
                        f"DateTimeFormatter pattern ({exc})"
                    ) from None
            elif namespace == "firehose":
                if expression == "error-output-type":
                    if not is_error:
                        raise prefix_constraint(
                            "The !{firehose:error-output-type} expression is only allowed in "
                            "ErrorOutputPrefix"
                        )
                elif expression != "random-string":
                    raise prefix_constraint(
                        f"Unsupported expression !{{firehose:{expression}}}; the firehose "
                        "namespace supports random-string and error-output-type"
                    )
            elif namespace in ("partitionKeyFromQuery", "partitionKeyFromLambda"):
                raise prefix_constraint(
                    f"The !{{{namespace}:...}} namespace requires dynamic partitioning "
                    "(not simulated by streamlab)"
                )
            else:
                raise prefix_constraint(f"Unsupported expression namespace {namespace}")
    if prefix and _EXPRESSION.search(prefix) and not error_prefix:
        raise prefix_constraint(
            "ErrorOutputPrefix cannot be null or empty when Prefix contains expressions"
        )
    if error_prefix and "!{firehose:error-output-type}" not in error_prefix:
        raise prefix_constraint(
            "ErrorOutputPrefix must contain !{firehose:error-output-type} expression"
        )


def random_string(rng: random.Random) -> str:
    return "".join(rng.choice(_ALPHANUMERIC) for _ in range(limits.RANDOM_STRING_LENGTH))


def evaluate(prefix: str | None, moment: datetime, rng: random.Random, error_type: str = "") -> str:
    """The evaluated prefix at ``moment`` (UTC). A prefix with no timestamp expression gets the
    default ``yyyy/MM/dd/HH/`` appended."""
    prefix = prefix or ""
    if not any(ns == "timestamp" for ns, _ in _expressions(prefix)):
        prefix += f"!{{timestamp:{limits.DEFAULT_TIMESTAMP_PREFIX}}}"

    def replace(match: re.Match[str]) -> str:
        namespace, _, value = match.group(1).partition(":")
        if namespace == "timestamp":
            return format_java(value, moment)
        if value == "random-string":
            return random_string(rng)
        return error_type

    return _EXPRESSION.sub(replace, prefix)


def object_key(
    prefix: str | None,
    name: str,
    version: str,
    moment: datetime,
    uuid: str,
    rng: random.Random,
    extension: str = "",
) -> str:
    """``<evaluated prefix><name>-<version>-<yyyy-MM-dd-HH-mm-ss>-<uuid><extension>``."""
    evaluated = evaluate(prefix, moment, rng)
    return f"{evaluated}{name}-{version}-{moment.strftime('%Y-%m-%d-%H-%M-%S')}-{uuid}{extension}"
