"""Errors in scenario files: where (file, line, key), what was expected, what was found.

A :class:`ScenarioError` reads like a compiler message::

    scenarios/x.yaml:14: functions[0].triggers[0].kinesis.batch_size: expected an integer from 1
    to 10000, found 20000

:class:`ScenarioErrors` carries every problem found in one file, sorted by line, so a user fixes
them in one pass. Both have ``errors`` (a single error lists itself), so callers handle one type.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any


class ScenarioError(Exception):
    """One problem in a scenario file.

    ``line`` is 1-based (None when unknown), ``key`` a dotted path such as
    ``functions[0].triggers[0].kinesis.batch_size`` ("" for the whole file), ``expected`` and
    ``found`` plain words, ``hint`` an optional suggestion (did-you-mean). ``message`` replaces
    the "expected …, found …" sentence when that form does not fit (an unreadable file).
    """

    def __init__(
        self,
        *,
        file: str = "<string>",
        line: int | None = None,
        key: str = "",
        expected: str = "",
        found: str = "",
        hint: str | None = None,
        message: str | None = None,
    ):
        self.file = file
        self.line = line
        self.key = key
        self.expected = expected
        self.found = found
        self.hint = hint
        self.message = message
        super().__init__(str(self))

    @property
    def errors(self) -> list[ScenarioError]:
        return [self]

    @property
    def location(self) -> str:
        return self.file if self.line is None else f"{self.file}:{self.line}"

    @property
    def detail(self) -> str:
        """The message without the location: ``key: expected …, found …; hint``."""
        if self.message is not None:
            text = self.message
        elif self.found:
            text = f"expected {self.expected}, found {self.found}"
        else:
            text = f"expected {self.expected}"
        if self.hint:
            text = f"{text}; {self.hint}"
        return f"{self.key}: {text}" if self.key else text

    def sort_key(self) -> tuple[int, str]:
        return (self.line if self.line is not None else 0, self.key)

    def to_dict(self) -> dict[str, Any]:
        return {
            "file": self.file,
            "line": self.line,
            "key": self.key,
            "expected": self.expected,
            "found": self.found,
            "hint": self.hint,
            "message": self.detail,
        }

    def __str__(self) -> str:
        return f"{self.location}: {self.detail}"

    def __reduce__(self) -> tuple[Any, ...]:  # keyword-only __init__: pickle by fields
        fields = ("file", "line", "key", "expected", "found", "hint", "message")
        return (_rebuild, (type(self), {name: getattr(self, name) for name in fields}))

    def __repr__(self) -> str:
        return f"{type(self).__name__}({str(self)!r})"


class ScenarioErrors(ScenarioError):
    """Several problems in one file, sorted by line. Its own fields are those of the first."""

    def __init__(self, errors: Iterable[ScenarioError]):
        flat = [e for error in errors for e in error.errors]
        if not flat:
            raise ValueError("ScenarioErrors needs at least one error")
        self._errors = sorted(flat, key=ScenarioError.sort_key)
        first = self._errors[0]
        super().__init__(
            file=first.file,
            line=first.line,
            key=first.key,
            expected=first.expected,
            found=first.found,
            hint=first.hint,
            message=first.message,
        )

    @property
    def errors(self) -> list[ScenarioError]:
        return list(self._errors)

    def __str__(self) -> str:
        if len(self._errors) == 1:
            return str(self._errors[0])
        head = f"{self._errors[0].file}: {len(self._errors)} problems"
        return "\n".join([head, *(f"  {e}" for e in self._errors)])

    def __reduce__(self) -> tuple[Any, ...]:
        return (type(self), (self._errors,))

    def __len__(self) -> int:
        return len(self._errors)

    def __iter__(self):
        return iter(self._errors)


def _rebuild(cls: type[ScenarioError], fields: dict[str, Any]) -> ScenarioError:
    return cls(**fields)


def raise_all(errors: list[ScenarioError]) -> None:
    """Raise nothing, the one error, or a :class:`ScenarioErrors` with all of them."""
    if len(errors) == 1:
        raise errors[0]
    if errors:
        raise ScenarioErrors(errors)


def describe_value(value: Any) -> str:
    """How a YAML value reads in a message: ``'abc'``, ``20000``, ``true``, ``a list``."""
    if value is None:
        return "nothing (null)"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int | float):
        return repr(value)
    if isinstance(value, str):
        text = value if len(value) <= 60 else value[:57] + "..."
        return repr(text) if value else "an empty string"
    if isinstance(value, dict):
        return "a mapping"
    if isinstance(value, list | tuple):
        return "a list"
    return type(value).__name__
