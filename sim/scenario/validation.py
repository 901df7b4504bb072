"""Pydantic's validation errors turned into :class:`ScenarioError` s in plain words, with the line
of the offending key or value and, for unknown keys, a did-you-mean.
"""

from __future__ import annotations

import difflib
import typing
from typing import Any

from pydantic import ValidationError

from sim.scenario.errors import ScenarioError, describe_value
from sim.scenario.loader import LineMap, Path, format_path
from sim.scenario.model import Scenario
from sim.scenario.types import describe, is_model, literal_values, unwrap

_TYPE_ERRORS = {
    "int_type",
    "int_parsing",
    "int_from_float",
    "float_type",
    "float_parsing",
    "bool_type",
    "bool_parsing",
    "string_type",
    "dict_type",
    "model_type",
    "model_attributes_type",
    "list_type",
    "tuple_type",
    "literal_error",
    "enum",
    "is_instance_of",
    "none_required",
}


def _resolve(loc: Path) -> tuple[Any, list[Any]] | None:
    """The annotation at ``loc`` (a field, list item or mapping value) and its metadata."""
    annotation: Any = Scenario
    metadata: list[Any] = []
    for part in loc:
        bare, _, _ = unwrap(annotation)
        origin, args = typing.get_origin(bare), typing.get_args(bare)
        if is_model(bare) and isinstance(part, str):
            field = bare.model_fields.get(part)
            if field is None:
                return None
            annotation, metadata = field.annotation, list(field.metadata)
        elif origin in (list, tuple) and isinstance(part, int) and args:
            annotation = args[0] if origin is list else args[min(part, len(args) - 1)]
            metadata = []
        elif origin is dict and isinstance(part, str) and len(args) == 2:
            annotation, metadata = args[1], []
        else:
            return None
    return annotation, metadata


def did_you_mean(word: str, choices: list[str]) -> str | None:
    """``did you mean 'functions'?`` for a close (or differently cased) choice, else None."""
    by_case = [c for c in choices if c.lower() == word.lower()]
    close = by_case or difflib.get_close_matches(word, choices, n=1, cutoff=0.6)
    return f"did you mean {close[0]!r}?" if close else None


def _expected_here(loc: Path, fallback: str) -> str:
    resolved = _resolve(loc)
    return describe(*resolved) if resolved else fallback


def _convert(error: Any, lines: LineMap, file: str) -> ScenarioError:
    """One pydantic error as a ScenarioError at the line of the offending key or value."""
    kind, loc, value = error["type"], tuple(error["loc"]), error.get("input")
    ctx = error.get("ctx") or {}
    at = dict(file=file, key=format_path(loc))

    if kind == "scenario":  # raised by our own validators through types.fail()
        sub = ctx.get("key")
        path = loc + ((sub,) if isinstance(sub, str) else tuple(sub or ()))
        if ctx.get("keys"):  # several alternatives given: point at the one written last
            path = max(((*loc, k) for k in ctx["keys"]), key=lambda p: lines.key_line(p) or 0)
        return ScenarioError(
            file=file,
            line=lines.value_line(path),
            key=format_path(path),
            expected=ctx["expected"],
            found=ctx["found"],
            hint=ctx.get("hint"),
        )
    if kind == "missing":
        expected = _expected_here(loc, "a value")
        return ScenarioError(
            **at,
            line=lines.key_line(loc[:-1]),
            expected=expected,
            found="nothing",
            message=f"missing required key; expected {expected}",
        )
    if kind == "extra_forbidden":
        parent = _resolve(loc[:-1])
        bare = unwrap(parent[0])[0] if parent else None
        allowed = list(bare.model_fields) if is_model(bare) else []
        return ScenarioError(
            **at,
            line=lines.key_line(loc),
            expected="one of the keys " + ", ".join(allowed),
            found=f"the unknown key {loc[-1]!r}",
            hint=did_you_mean(str(loc[-1]), allowed),
        )
    expected, found, hint = _expected_here(loc, error["msg"]), describe_value(value), None
    if kind in ("literal_error", "enum"):
        resolved = _resolve(loc)
        choices = [str(v) for v in (literal_values(resolved[0]) if resolved else None) or ()]
        if choices:
            expected = "one of " + ", ".join(choices)
        hint = did_you_mean(value, choices) if isinstance(value, str) else None
    elif kind == "string_type" and isinstance(value, int | float | bool):
        hint = f'quote it to make it a string: "{found}"'
    elif kind in ("too_short", "too_long"):
        bound = ctx.get("min_length" if kind == "too_short" else "max_length")
        word = "at least" if kind == "too_short" else "at most"
        expected = f"{expected} with {word} {bound} item{'' if bound == 1 else 's'}"
        found = f"{ctx.get('actual_length', '?')} items"
    elif kind in _BOUNDS:
        expected = f"a number {_BOUNDS[kind]} {next(iter(ctx.values()), '?')}"
    elif kind in ("value_error", "assertion_error"):
        expected = str(ctx.get("error", error["msg"]))
    elif kind not in _TYPE_ERRORS:  # anything else: pydantic's own words, lower-cased
        expected = error["msg"][0].lower() + error["msg"][1:]
    return ScenarioError(
        **at, line=lines.value_line(loc), expected=expected, found=found, hint=hint
    )


_BOUNDS = {
    "greater_than": "above",
    "greater_than_equal": "of at least",
    "less_than": "below",
    "less_than_equal": "of at most",
}


def validate_scenario(
    data: dict[str, Any], lines: LineMap, file: str
) -> tuple[Scenario | None, list[ScenarioError]]:
    """Validate loaded data: the scenario, or None and every problem found, in plain words."""
    try:
        return Scenario.model_validate(data), []
    except ValidationError as exc:
        return None, [_convert(error, lines, file) for error in exc.errors()]
