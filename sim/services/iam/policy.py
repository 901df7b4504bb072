"""Identity-based policy documents: parsing and the checks IAM makes before accepting one.

:func:`parse_policy` turns a document (a JSON string or an already decoded mapping) into a
:class:`Policy` of :class:`Statement` objects with every string-or-list element normalised to a
tuple, ready for :mod:`sim.services.iam.evaluate`. A document IAM would refuse raises
:class:`MalformedPolicyDocument` (IAM's error code for ``PutRolePolicy``/``CreatePolicy``), whose
``message`` is IAM's text where known and whose ``location`` names the statement index and field
(``Statement[1].Action``).

Only identity-based policies are parsed here: a ``Principal``/``NotPrincipal`` is refused, as IAM
refuses it in a role's permissions policy.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from typing import Any

from sim.errors import AwsError

VERSION_2012 = "2012-10-17"
VERSION_2008 = "2008-10-17"
VERSIONS = (VERSION_2012, VERSION_2008)

STATEMENT_KEYS = ("Sid", "Effect", "Action", "NotAction", "Resource", "NotResource", "Condition")
TOP_KEYS = ("Version", "Id", "Statement")

# The condition operators AWS defines (reference_policies_elements_condition_operators.html).
STRING_OPERATORS = (
    "StringEquals",
    "StringNotEquals",
    "StringEqualsIgnoreCase",
    "StringNotEqualsIgnoreCase",
    "StringLike",
    "StringNotLike",
)
NUMERIC_OPERATORS = (
    "NumericEquals",
    "NumericNotEquals",
    "NumericLessThan",
    "NumericLessThanEquals",
    "NumericGreaterThan",
    "NumericGreaterThanEquals",
)
DATE_OPERATORS = (
    "DateEquals",
    "DateNotEquals",
    "DateLessThan",
    "DateLessThanEquals",
    "DateGreaterThan",
    "DateGreaterThanEquals",
)
ARN_OPERATORS = ("ArnEquals", "ArnLike", "ArnNotEquals", "ArnNotLike")
OTHER_OPERATORS = ("Bool", "BinaryEquals", "IpAddress", "NotIpAddress", "Null")
OPERATORS = STRING_OPERATORS + NUMERIC_OPERATORS + DATE_OPERATORS + ARN_OPERATORS + OTHER_OPERATORS
QUALIFIERS = ("ForAllValues", "ForAnyValue")

_SID = re.compile(r"^[0-9A-Za-z]*$")
_ACTION = re.compile(r"^[A-Za-z0-9-]+:[A-Za-z0-9*?]+$")


class MalformedPolicyDocument(AwsError):
    """IAM's ``MalformedPolicyDocument`` (HTTP 400), with where in the document it failed."""

    code = "MalformedPolicyDocument"

    def __init__(self, message: str, location: str = "", detail: str = ""):
        super().__init__(message)
        self.location = location
        self.detail = detail

    def __str__(self) -> str:
        where = f" at {self.location}" if self.location else ""
        detail = f": {self.detail}" if self.detail else ""
        return f"{self.code}: {self.message}{where}{detail}"


@dataclass(frozen=True)
class Condition:
    """One (operator, key, values) triple of a Condition block.

    ``operator`` is the base operator (``StringLike``), ``qualifier`` ``ForAllValues``,
    ``ForAnyValue`` or ``None``, ``if_exists`` whether ``IfExists`` was appended; ``text`` is the
    operator as written.
    """

    text: str
    operator: str
    qualifier: str | None
    if_exists: bool
    key: str
    values: tuple[str, ...]


@dataclass(frozen=True)
class Statement:
    index: int
    effect: str
    sid: str | None = None
    actions: tuple[str, ...] | None = None
    not_actions: tuple[str, ...] | None = None
    resources: tuple[str, ...] | None = None
    not_resources: tuple[str, ...] | None = None
    conditions: tuple[Condition, ...] = ()


@dataclass(frozen=True)
class Policy:
    """A parsed policy; ``name`` (inline policy name) and ``arn`` (managed policy) are labels."""

    version: str
    statements: tuple[Statement, ...]
    name: str | None = None
    arn: str | None = None
    id: str | None = None
    document: dict[str, Any] = field(default_factory=dict, compare=False, repr=False)

    @property
    def variables_enabled(self) -> bool:
        """Policy variables are substituted only in Version 2012-10-17 policies."""
        return self.version == VERSION_2012


def _where(single: bool, index: int, key: str | None = None) -> str:
    base = "Statement" if single else f"Statement[{index}]"
    return f"{base}.{key}" if key else base


def _strings(value: Any, location: str) -> tuple[str, ...]:
    """A string or a non-empty list of strings, as a tuple."""
    if isinstance(value, str):
        return (value,)
    if isinstance(value, list) and value and all(isinstance(v, str) for v in value):
        return tuple(value)
    raise MalformedPolicyDocument(
        "Syntax errors in policy.",
        location,
        f"expected a string or a list of strings, found {value!r}",
    )


def _condition_values(value: Any, location: str) -> tuple[str, ...]:
    """Condition values: scalars (strings, numbers, booleans) or a list of them, as strings."""
    items = value if isinstance(value, list) else [value]
    out = []
    for item in items:
        if isinstance(item, bool):
            out.append("true" if item else "false")
        elif isinstance(item, int | float | str):
            out.append(str(item))
        else:
            raise MalformedPolicyDocument(
                "Syntax errors in policy.", location, f"unsupported condition value {item!r}"
            )
    if not out:
        raise MalformedPolicyDocument(
            "Syntax errors in policy.", location, "a condition key needs at least one value"
        )
    return tuple(out)


def split_operator(text: str) -> tuple[str | None, str, bool]:
    """``ForAnyValue:StringLikeIfExists`` → (``ForAnyValue``, ``StringLike``, True).

    Raises ``ValueError`` for an operator AWS does not define.
    """
    qualifier = None
    rest = text
    if ":" in text:
        qualifier, rest = text.split(":", 1)
        if qualifier not in QUALIFIERS:
            raise ValueError(text)
    if_exists = False
    if rest.endswith("IfExists") and rest != "IfExists":
        rest, if_exists = rest[: -len("IfExists")], True
    if rest not in OPERATORS or (if_exists and rest == "Null"):
        raise ValueError(text)
    return qualifier, rest, if_exists


def _parse_conditions(block: Any, location: str) -> tuple[Condition, ...]:
    if not isinstance(block, dict):
        raise MalformedPolicyDocument(
            "Syntax errors in policy.", location, f"expected a mapping, found {block!r}"
        )
    conditions = []
    for text, keys in block.items():
        try:
            qualifier, operator, if_exists = split_operator(text)
        except ValueError:
            raise MalformedPolicyDocument(
                f"Invalid Condition type : {text}", f"{location}.{text}"
            ) from None
        if not isinstance(keys, dict) or not keys:
            raise MalformedPolicyDocument(
                "Syntax errors in policy.",
                f"{location}.{text}",
                f"expected a mapping of condition keys to values, found {keys!r}",
            )
        for key, values in keys.items():
            at = f"{location}.{text}.{key}"
            if ":" not in key:
                raise MalformedPolicyDocument(
                    "Actions/Conditions must be prefaced by a vendor, e.g., iam, sdb, ec2, etc.", at
                )
            parsed = _condition_values(values, at)
            if operator in ("Bool", "Null"):
                for v in parsed:
                    if v.lower() not in ("true", "false"):
                        raise MalformedPolicyDocument(
                            "Syntax errors in policy.", at, f"{operator} takes true or false"
                        )
            conditions.append(Condition(text, operator, qualifier, if_exists, key, parsed))
    return tuple(conditions)


def _check_resource(resource: str, location: str) -> None:
    if resource == "*" or (resource.startswith("arn:") and len(resource) > 4):
        return
    raise MalformedPolicyDocument(f'Resource {resource} must be in ARN format or "*".', location)


def _parse_statement(raw: Any, index: int, single: bool) -> Statement:
    at = _where(single, index)
    if not isinstance(raw, dict):
        raise MalformedPolicyDocument(
            "Syntax errors in policy.", at, f"a statement must be a mapping, found {raw!r}"
        )
    for key in raw:
        if key in ("Principal", "NotPrincipal"):
            raise MalformedPolicyDocument(
                "Policy document should not specify a principal.", _where(single, index, key)
            )
        if key not in STATEMENT_KEYS:
            raise MalformedPolicyDocument(
                "Syntax errors in policy.",
                _where(single, index, key),
                f"unknown statement field {key!r}",
            )
    sid = raw.get("Sid")
    if sid is not None and (not isinstance(sid, str) or not _SID.match(sid)):
        raise MalformedPolicyDocument(
            "Statement IDs (SID) must be alpha-numeric. Check that your input satisfies the "
            "regular expression [0-9A-Za-z]*",
            _where(single, index, "Sid"),
        )
    if "Effect" not in raw:
        raise MalformedPolicyDocument("Missing required field Effect", at)
    effect = raw["Effect"]
    if effect not in ("Allow", "Deny"):
        raise MalformedPolicyDocument(
            "Syntax errors in policy.",
            _where(single, index, "Effect"),
            f"Effect must be Allow or Deny, found {effect!r}",
        )
    fields: dict[str, tuple[str, ...] | None] = {}
    for positive, negative, missing in (
        ("Action", "NotAction", "Policy statement must contain actions."),
        ("Resource", "NotResource", "Policy statement must contain resources."),
    ):
        if positive in raw and negative in raw:
            raise MalformedPolicyDocument(
                "Syntax errors in policy.",
                at,
                f"a statement has {positive} or {negative}, not both",
            )
        present = positive if positive in raw else negative if negative in raw else None
        if present is None:
            raise MalformedPolicyDocument(missing, at)
        values = _strings(raw[present], _where(single, index, present))
        for value in values:
            if positive == "Action":
                if value != "*" and not _ACTION.match(value):
                    raise MalformedPolicyDocument(
                        "Actions/Conditions must be prefaced by a vendor, e.g., iam, sdb, ec2, etc.",
                        _where(single, index, present),
                        f"found {value!r}",
                    )
            else:
                _check_resource(value, _where(single, index, present))
        fields[present] = values
    conditions: tuple[Condition, ...] = ()
    if "Condition" in raw:
        conditions = _parse_conditions(raw["Condition"], _where(single, index, "Condition"))
    return Statement(
        index=index,
        effect=effect,
        sid=sid,
        actions=fields.get("Action"),
        not_actions=fields.get("NotAction"),
        resources=fields.get("Resource"),
        not_resources=fields.get("NotResource"),
        conditions=conditions,
    )


def parse_policy(
    document: str | bytes | dict[str, Any], *, name: str | None = None, arn: str | None = None
) -> Policy:
    """Parse and validate an identity-based policy document (JSON text or a decoded mapping)."""
    if isinstance(document, bytes | str):
        try:
            document = json.loads(document)
        except ValueError as e:
            raise MalformedPolicyDocument("Syntax errors in policy.", "", str(e)) from None
    if not isinstance(document, dict):
        raise MalformedPolicyDocument(
            "Syntax errors in policy.", "", "a policy document is a JSON object"
        )
    for key in document:
        if key not in TOP_KEYS:
            raise MalformedPolicyDocument(
                "Syntax errors in policy.", key, f"unknown top-level field {key!r}"
            )
    version = document.get("Version", VERSION_2008)
    if version not in VERSIONS:
        raise MalformedPolicyDocument(
            "The policy failed legacy parsing",
            "Version",
            f"Version must be {VERSION_2012} or {VERSION_2008}, found {version!r}",
        )
    if "Statement" not in document:
        raise MalformedPolicyDocument("Syntax errors in policy.", "Statement", "missing Statement")
    raw = document["Statement"]
    single = isinstance(raw, dict)
    items = [raw] if single else raw
    if not isinstance(items, list) or not items:
        raise MalformedPolicyDocument(
            "Syntax errors in policy.",
            "Statement",
            "Statement must be a statement or a non-empty list of statements",
        )
    statements = tuple(_parse_statement(item, i, single) for i, item in enumerate(items))
    sids = [s.sid for s in statements if s.sid]
    if len(sids) != len(set(sids)):
        raise MalformedPolicyDocument(
            "Statement IDs (SID) in a single policy must be unique.", "Statement"
        )
    policy_id = document.get("Id")
    return Policy(
        version=version,
        statements=statements,
        name=name,
        arn=arn,
        id=policy_id if isinstance(policy_id, str) else None,
        document=document,
    )
