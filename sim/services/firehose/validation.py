"""Input checks from botocore's firehose service model, worded as AWS's validation layer words
them: ``N validation error(s) detected: Value '<v>' at '<path>' failed to satisfy constraint:
Member must ...`` (paths in camelCase, list members ``records.3.member.data``, 1-based).

Checked: required members (``Member must not be null``), string and blob lengths, list sizes,
integer ranges, enums and string patterns. Blobs are shown as AWS shows them
(``java.nio.HeapByteBuffer[pos=0 lim=N cap=N]``); lists and structures in streamlab's short
form. Checks run on the decoded request, so blobs are bytes here.
"""

from __future__ import annotations

import re
from functools import lru_cache
from typing import Any

from sim.services.firehose.exceptions import ValidationException


@lru_cache(maxsize=1)
def model() -> Any:
    import botocore.session

    return botocore.session.get_session().get_service_model("firehose")


def _camel(name: str) -> str:
    return name[:1].lower() + name[1:]


def _show(value: Any) -> str:
    if isinstance(value, bytes | bytearray):
        return f"java.nio.HeapByteBuffer[pos=0 lim={len(value)} cap={len(value)}]"
    if isinstance(value, list):
        return f"[{len(value)} members]"
    if isinstance(value, dict):
        return "{...}"
    return str(value)


_PATTERNS: dict[str, re.Pattern[str] | None] = {}


def _pattern(text: str) -> re.Pattern[str] | None:
    if text not in _PATTERNS:
        try:  # \p{L} and friends are Java's; skip patterns Python cannot compile
            _PATTERNS[text] = re.compile(text)
        except re.error:
            _PATTERNS[text] = None
    return _PATTERNS[text]


def _check(shape: Any, value: Any, path: str, errors: list[str]) -> None:
    meta = shape.metadata
    kind = shape.type_name

    def fail(constraint: str) -> None:
        errors.append(
            f"Value '{_show(value)}' at '{path}' failed to satisfy constraint: {constraint}"
        )

    if kind == "structure":
        if not isinstance(value, dict):
            return
        for name in shape.required_members:
            if value.get(name) is None:
                errors.append(
                    f"Value null at '{path + '.' if path else ''}{_camel(name)}' failed to "
                    "satisfy constraint: Member must not be null"
                )
        for name, member in shape.members.items():
            if value.get(name) is not None:
                _check(member, value[name], f"{path + '.' if path else ''}{_camel(name)}", errors)
        return
    if kind == "list":
        if not isinstance(value, list):
            return
        if "min" in meta and len(value) < meta["min"]:
            fail(f"Member must have length greater than or equal to {meta['min']}")
        if "max" in meta and len(value) > meta["max"]:
            fail(f"Member must have length less than or equal to {meta['max']}")
        for i, item in enumerate(value, 1):
            _check(shape.member, item, f"{path}.{i}.member", errors)
        return
    if kind in ("string", "blob"):
        if not isinstance(value, str | bytes | bytearray):
            return
        if "min" in meta and len(value) < meta["min"]:
            fail(f"Member must have length greater than or equal to {meta['min']}")
        if "max" in meta and len(value) > meta["max"]:
            fail(f"Member must have length less than or equal to {meta['max']}")
        enum = meta.get("enum")
        if enum and value not in enum:
            fail(f"Member must satisfy enum value set: [{', '.join(enum)}]")
        pattern = _pattern(meta["pattern"]) if "pattern" in meta and kind == "string" else None
        if pattern is not None and not pattern.fullmatch(value):
            fail(f"Member must satisfy regular expression pattern: {meta['pattern']}")
        return
    if kind in ("integer", "long") and isinstance(value, int) and not isinstance(value, bool):
        if "min" in meta and value < meta["min"]:
            fail(f"Member must have value greater than or equal to {meta['min']}")
        if "max" in meta and value > meta["max"]:
            fail(f"Member must have value less than or equal to {meta['max']}")


def validate(operation: str, request: dict) -> None:
    """Raise AWS's ValidationException for every constraint ``request`` breaks."""
    shape = model().operation_model(operation).input_shape
    errors: list[str] = []
    if shape is not None:
        _check(shape, request, "", errors)
    if errors:
        count = len(errors)
        noun = "error" if count == 1 else "errors"
        raise ValidationException(f"{count} validation {noun} detected: " + "; ".join(errors))


def blob_members(operation: str) -> list[tuple[str, ...]]:
    """Paths of blob members in an operation's input ("*" for list members), for decoding."""
    found: list[tuple[str, ...]] = []

    def walk(shape: Any, path: tuple[str, ...]) -> None:
        if shape.type_name == "blob":
            found.append(path)
        elif shape.type_name == "structure":
            for name, member in shape.members.items():
                walk(member, (*path, name))
        elif shape.type_name == "list":
            walk(shape.member, (*path, "*"))

    shape = model().operation_model(operation).input_shape
    if shape is not None and operation in ("PutRecord", "PutRecordBatch"):
        walk(shape, ())
    return found
