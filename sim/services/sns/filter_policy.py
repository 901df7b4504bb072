"""Subscription filter policies: does a message match a subscription's ``FilterPolicy``?

What AWS documents (https://docs.aws.amazon.com/sns/latest/dg/sns-subscription-filter-policies.html
and the pages it links: and-or-logic, attribute-key-matching, string-value-matching,
numeric-value-matching, subscription-filter-policy-constraints):

* A message is accepted when every property name of the policy matches (AND) and, for each, at
  least one of its values matches (OR); ``"$or": [policy, policy, ...]`` accepts when one of the
  alternatives does. A property the message lacks matches nothing but ``{"exists": false}``.
* ``FilterPolicyScope`` ``MessageAttributes`` (the default) compares with message attributes of
  types String, String.Array (each element) and Number; ``MessageBody`` with the properties of
  the message body, which must be a JSON object. Nested keys are flattened with dots, in the
  policy and in the body alike (AWS matches ``{"a.b": ...}`` against ``{"a": {"b": ...}}`` and
  ``{"a.b": ...}``: LocalStack's AWS-validated test_filter_policy_on_message_body_dot_attribute);
  an array in the body offers each of its elements.
* Operators: exact string or number, ``null`` / ``true`` / ``false`` (body), ``prefix``,
  ``suffix``, ``equals-ignore-case``, ``anything-but`` (a value, a list, or ``{"prefix": ...}`` /
  ``{"suffix": ...}``), ``numeric`` (``=``, ``<``, ``<=``, ``>``, ``>=``, ranges), ``exists``,
  ``cidr``. String matching is case-sensitive.

moto has a matcher (``moto.sns.utils.FilterPolicyMatcher``); streamlab does not use it: it
crashes on a ``numeric`` or ``prefix`` rule against a body property of the other type, applies
``$or`` in the body scope as if it were attributes, matches an exact string rule inside any JSON
text of a String attribute, and ignores Number types with a label (``Number.float``). Validating
a policy when it is set (limits, syntax) stays moto's (SetSubscriptionAttributes).
"""

from __future__ import annotations

import ipaddress
import json
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

MESSAGE_ATTRIBUTES = "MessageAttributes"
MESSAGE_BODY = "MessageBody"

_ABSENT = object()


@dataclass(frozen=True)
class _Number:
    """A number from the message (a Number attribute, a JSON number in the body)."""

    value: float


def matches(
    policy: Mapping[str, Any] | None,
    *,
    scope: str = MESSAGE_ATTRIBUTES,
    attributes: Mapping[str, Any] | None = None,
    body: str = "",
) -> bool:
    """Whether a message passes ``policy`` (None or empty: every message does).

    ``attributes`` maps names to objects with ``data_type`` and ``string_value`` (a
    :class:`~sim.services.sns.attributes.MessageAttribute`); ``body`` is the message as this
    subscription receives it (the protocol's text under ``MessageStructure=json``)."""
    if not policy:
        return True
    if scope == MESSAGE_BODY:
        try:
            document = json.loads(body)
        except ValueError:
            return False
        if not isinstance(document, dict):
            return False
        values = _flatten_body(document)
    else:
        values = {name: _attribute_values(attr) for name, attr in (attributes or {}).items()}
    return any(
        all(
            _key_matches(conditions, values.get(key, _ABSENT)) for key, conditions in branch.items()
        )
        for branch in _branches(policy)
    )


def _branches(policy: Mapping[str, Any], parent: str = "") -> list[dict[str, Any]]:
    """The policy as alternatives (one per ``$or`` choice), each {dotted key: conditions}."""
    branches: list[dict[str, Any]] = [{}]
    for key, value in policy.items():
        if key == "$or" and isinstance(value, list):
            branches = [
                {**branch, **alternative}
                for choice in value
                if isinstance(choice, Mapping)
                for alternative in _branches(choice, parent)
                for branch in branches
            ]
            continue
        dotted = f"{parent}.{key}" if parent else key
        if isinstance(value, Mapping):
            branches = [
                {**branch, **nested} for nested in _branches(value, dotted) for branch in branches
            ]
        else:
            branches = [{**branch, dotted: value} for branch in branches]
    return branches


def _flatten_body(document: Any, parent: str = "", into: dict[str, list[Any]] | None = None):
    into = {} if into is None else into
    if isinstance(document, Mapping):
        for key, value in document.items():
            _flatten_body(value, f"{parent}.{key}" if parent else key, into)
    elif isinstance(document, list):
        for item in document:
            _flatten_body(item, parent, into)
    else:
        value = _Number(float(document)) if _is_number(document) else document
        into.setdefault(parent, []).append(value)
    return into


def _attribute_values(attribute: Any) -> list[Any]:
    data_type: str = attribute.data_type
    text = attribute.string_value
    if data_type == "String.Array" or data_type.endswith(".Array"):
        try:
            items = json.loads(text or "")
        except ValueError:
            return []
        items = items if isinstance(items, list) else [items]
        return [_Number(float(item)) if _is_number(item) else item for item in items]
    if data_type.startswith("Number"):
        try:
            return [_Number(float(text or ""))]
        except ValueError:
            return []
    if data_type.startswith("String"):
        return [text]
    return []  # Binary attributes are not compared (only String, String.Array and Number are)


def _is_number(value: Any) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool)


def _key_matches(conditions: Any, values: Any) -> bool:
    if not isinstance(conditions, list):
        conditions = [conditions]
    present = values is not _ABSENT
    for condition in conditions:
        if isinstance(condition, Mapping) and "exists" in condition:
            if bool(condition["exists"]) == present:
                return True
        elif present and any(_value_matches(condition, value) for value in values):
            return True
    return False


def _value_matches(condition: Any, value: Any) -> bool:
    if condition is None or isinstance(condition, bool):
        return value is condition
    if isinstance(condition, str):
        return isinstance(value, str) and value == condition
    if _is_number(condition):
        return isinstance(value, _Number) and value.value == float(condition)
    if not isinstance(condition, Mapping) or len(condition) != 1:
        return False
    operator, operand = next(iter(condition.items()))
    if operator == "numeric":
        return isinstance(value, _Number) and _numeric(operand, value.value)
    if operator == "anything-but":
        return _anything_but(operand, value)
    if not isinstance(value, str):
        return False  # prefix, suffix and the rest compare strings only
    if operator == "prefix":
        return isinstance(operand, str) and value.startswith(operand)
    if operator == "suffix":
        return isinstance(operand, str) and value.endswith(operand)
    if operator == "equals-ignore-case":
        return isinstance(operand, str) and value.lower() == operand.lower()
    if operator == "cidr":
        try:
            return ipaddress.ip_address(value) in ipaddress.ip_network(operand, strict=False)
        except ValueError:
            return False
    return False


def _anything_but(operand: Any, value: Any) -> bool:
    if isinstance(operand, Mapping):
        if not isinstance(value, str) or len(operand) != 1:
            return False
        ((kind, text),) = operand.items()
        if kind == "prefix":
            return not value.startswith(text)
        if kind == "suffix":
            return not value.endswith(text)
        return False
    excluded = operand if isinstance(operand, list) else [operand]
    return not any(_value_matches(item, value) for item in excluded)


def _numeric(operand: Any, value: float) -> bool:
    if not isinstance(operand, list) or len(operand) % 2:
        return False
    for operator, bound in zip(operand[0::2], operand[1::2], strict=True):
        if not _is_number(bound):
            return False
        passed = {
            "=": value == bound,
            "<": value < bound,
            "<=": value <= bound,
            ">": value > bound,
            ">=": value >= bound,
        }.get(operator)
        if not passed:
            return False
    return True
