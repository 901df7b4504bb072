"""AWS's evaluation logic for the identity-based policies of one principal (a Lambda role).

Followed documents (docs.aws.amazon.com/IAM/latest/UserGuide/…):

* ``reference_policies_evaluation-logic.html``: every request starts denied; an applicable
  ``Deny`` in any policy wins; otherwise an applicable ``Allow`` allows; otherwise implicit deny.
  Inline and managed policies of the role are one set ("identity-based policies").
* ``reference_policies_elements_action.html`` / ``…_notaction.html``: action names are
  case-insensitive, ``*`` and ``?`` wildcards; ``NotAction`` applies to every other action.
* ``reference_policies_elements_resource.html`` / ``…_notresource.html``: ARNs are
  case-sensitive; wildcards within segments; ``NotResource`` applies to every other resource.
* ``reference_policies_elements_condition_operators.html``: the operators; a key absent from the
  request context makes the condition false, except negated operators (true), ``…IfExists``
  (true) and ``Null``.
* ``reference_policies_multi-value-conditions.html``: operators AND, keys AND, values OR (NOR
  for negated operators); ``ForAllValues`` is true for an empty or absent key, ``ForAnyValue``
  false.
* ``reference_policies_variables.html``: ``${key}`` and ``${key, 'default'}`` in ``Resource`` and
  in string/ARN condition values of Version 2012-10-17 policies; ``${*}``, ``${?}``, ``${$}``.

Condition keys come from a request-context mapping (:func:`request_context` builds the global
ones for an assumed-role session); lookups are case-insensitive, as AWS's are. A value is a string,
a number, a bool, a ``datetime`` or a list of these (a multivalued key such as
``dynamodb:LeadingKeys``).
"""

from __future__ import annotations

import base64
import functools
import ipaddress
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from sim.services.iam.policy import Condition, Policy, Statement, parse_policy

ALLOW = "Allow"
EXPLICIT_DENY = "ExplicitDeny"
IMPLICIT_DENY = "ImplicitDeny"

_NEGATED = {
    "StringNotEquals",
    "StringNotEqualsIgnoreCase",
    "StringNotLike",
    "NumericNotEquals",
    "DateNotEquals",
    "NotIpAddress",
    "ArnNotEquals",
    "ArnNotLike",
}
_POSITIVE_OF = {
    "StringNotEquals": "StringEquals",
    "StringNotEqualsIgnoreCase": "StringEqualsIgnoreCase",
    "StringNotLike": "StringLike",
    "NumericNotEquals": "NumericEquals",
    "DateNotEquals": "DateEquals",
    "NotIpAddress": "IpAddress",
    "ArnNotEquals": "ArnEquals",
    "ArnNotLike": "ArnLike",
}
_VARIABLE = re.compile(r"\$\{([^}]*)\}")
_SPECIAL = {"*": "*", "?": "?", "$": "$"}


class _Unresolved(Exception):
    """A policy variable with no value in the request context and no default."""


@dataclass(frozen=True)
class Decision:
    """The outcome for one (action, resource): ``effect`` is ``Allow``, ``ExplicitDeny`` or
    ``ImplicitDeny``; ``statement``/``policy`` are the deciding statement (the first applicable
    Deny, else the first applicable Allow) and its policy."""

    effect: str
    action: str
    resource: str
    statement: Statement | None = None
    policy: Policy | None = None

    @property
    def allowed(self) -> bool:
        return self.effect == ALLOW

    @property
    def explicit(self) -> bool:
        return self.effect == EXPLICIT_DENY


@dataclass
class RolePolicies:
    """A role's identity-based policies: inline (``name`` → document) and managed (ARN →
    document). ``evaluate`` decides one request."""

    role_arn: str
    inline: dict[str, Any] = field(default_factory=dict)
    managed: dict[str, Any] = field(default_factory=dict)

    def __post_init__(self) -> None:
        self.policies: list[Policy] = [
            doc if isinstance(doc, Policy) else parse_policy(doc, name=name)
            for name, doc in self.inline.items()
        ] + [
            doc if isinstance(doc, Policy) else parse_policy(doc, arn=arn)
            for arn, doc in self.managed.items()
        ]

    def evaluate(
        self, action: str, resource: str, context: Mapping[str, Any] | None = None
    ) -> Decision:
        return evaluate(self.policies, action, resource, context)


# ------------------------------------------------------------------ request context


def assumed_role_arn(role_arn: str, session_name: str) -> str:
    """``arn:aws:iam::A:role/path/R`` → ``arn:aws:sts::A:assumed-role/R/SESSION`` (the role's
    path is not part of the session ARN)."""
    parts = role_arn.split(":", 5)
    if len(parts) != 6 or not parts[5].startswith("role/"):
        raise ValueError(f"not a role ARN: {role_arn!r}")
    name = parts[5].rsplit("/", 1)[-1]
    return f"arn:{parts[1]}:sts::{parts[4]}:assumed-role/{name}/{session_name}"


def request_context(
    *,
    role_arn: str,
    session_name: str,
    region: str,
    now: datetime | float | None = None,
    source_ip: str | None = None,
    secure_transport: bool = True,
    role_id: str | None = None,
    extra: Mapping[str, Any] | None = None,
) -> dict[str, Any]:
    """The global condition keys AWS sets for a request made with an assumed-role session
    (reference_policies_condition-keys.html). ``aws:username`` is absent for roles, as on AWS.
    ``extra`` adds or overrides keys (service keys, ``aws:SourceIp``…)."""
    account = role_arn.split(":")[4]
    if now is None:
        now = datetime.now(UTC)
    if not isinstance(now, datetime):
        now = datetime.fromtimestamp(float(now), UTC)
    context: dict[str, Any] = {
        "aws:PrincipalArn": role_arn,
        "aws:PrincipalAccount": account,
        "aws:PrincipalType": "AssumedRole",
        "aws:RequestedRegion": region,
        "aws:CurrentTime": now.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ"),
        "aws:EpochTime": str(int(now.timestamp())),
        "aws:SecureTransport": "true" if secure_transport else "false",
        "aws:userid": f"{role_id or 'AROA' + account}:{session_name}",
    }
    if source_ip is not None:
        context["aws:SourceIp"] = source_ip
    if extra:
        context.update(extra)
    return context


class _Context:
    """Case-insensitive lookup of condition keys."""

    def __init__(self, values: Mapping[str, Any] | None):
        self.values = {k.lower(): v for k, v in (values or {}).items()}

    def get(self, key: str) -> list[str] | None:
        """The key's values as strings, or None when the key is absent."""
        value = self.values.get(key.lower())
        if value is None:
            return None
        items = list(value) if isinstance(value, list | tuple | set | frozenset) else [value]
        return [_as_text(v) for v in items]

    def single(self, key: str) -> str | None:
        values = self.get(key)
        if not values or len(values) != 1:
            return None
        return values[0]


def _as_text(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, datetime):
        return value.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
    return str(value)


# ------------------------------------------------------------------ matching


@functools.lru_cache(maxsize=4096)
def _glob(pattern: str, ignore_case: bool) -> re.Pattern[str]:
    """``*`` any run of characters, ``?`` one character, everything else literal."""
    out = []
    for ch in pattern:
        if ch == "*":
            out.append(".*")
        elif ch == "?":
            out.append(".")
        else:
            out.append(re.escape(ch))
    return re.compile("".join(out), re.DOTALL | (re.IGNORECASE if ignore_case else 0))


def _glob_match(pattern: str, value: str, ignore_case: bool = False) -> bool:
    return _glob(pattern, ignore_case).fullmatch(value) is not None


def _substitute(text: str, policy: Policy, context: _Context, *, glob: bool) -> str:
    """Replace ``${…}`` policy variables. With ``glob``, substituted values are escaped so that
    a ``*`` in a value is not a wildcard (the ``${*}`` variable gives a literal ``*``)."""
    if not policy.variables_enabled or "${" not in text:
        return text

    def replace(match: re.Match[str]) -> str:
        body = match.group(1).strip()
        if body in _SPECIAL:
            literal = _SPECIAL[body]
            return f"[{literal}]" if glob and literal in "*?" else literal
        default = None
        if "," in body:
            body, _, rest = body.partition(",")
            body, rest = body.strip(), rest.strip()
            if len(rest) >= 2 and rest[0] == rest[-1] == "'":
                default = rest[1:-1]
        value = context.single(body)
        if value is None:
            if default is None:
                raise _Unresolved(body)
            value = default
        return _escape_glob(value) if glob else value

    return _VARIABLE.sub(replace, text)


def _escape_glob(value: str) -> str:
    return "".join(f"[{c}]" if c in "*?" else c for c in value)


def _pattern_match(pattern: str, value: str, ignore_case: bool = False) -> bool:
    """Glob match where ``[*]``/``[?]`` (escaped substitutions) are literal characters."""
    if "[" not in pattern:
        return _glob_match(pattern, value, ignore_case)
    parts = re.split(r"(\[\*\]|\[\?\])", pattern)
    regex = "".join(
        re.escape(p[1]) if p in ("[*]", "[?]") else _glob(p, ignore_case).pattern for p in parts
    )
    return re.fullmatch(regex, value, re.DOTALL | (re.IGNORECASE if ignore_case else 0)) is not None


def action_matches(pattern: str, action: str) -> bool:
    """Case-insensitive, with ``*``/``?`` (``*`` alone: every action)."""
    if pattern == "*":
        return True
    return _glob_match(pattern, action, ignore_case=True)


def arn_matches(pattern: str, arn: str) -> bool:
    """ARN match, case-sensitive: the first five colon-separated segments are matched one by
    one (a wildcard does not cross a colon there), the resource part as a whole."""
    if pattern == "*":
        return True
    p_parts = pattern.split(":", 5)
    a_parts = arn.split(":", 5)
    if len(p_parts) != 6 or len(a_parts) != 6:
        # An ARN pattern with fewer than six segments matches no ARN (segments are matched one
        # by one), unless it is the same text.
        return pattern == arn
    return all(_pattern_match(p, a) for p, a in zip(p_parts, a_parts, strict=True))


def _resource_matches(
    patterns: Iterable[str], resource: str, policy: Policy, ctx: _Context
) -> bool:
    for pattern in patterns:
        try:
            pattern = _substitute(pattern, policy, ctx, glob=True)
        except _Unresolved:
            continue
        if arn_matches(pattern, resource):
            return True
    return False


# ------------------------------------------------------------------ conditions


def _parse_date(text: str) -> float | None:
    text = text.strip()
    try:
        return float(text)  # epoch seconds
    except ValueError:
        pass
    try:
        value = datetime.fromisoformat(text.replace("Z", "+00:00"))
    except ValueError:
        return None
    if value.tzinfo is None:
        value = value.replace(tzinfo=UTC)
    return value.timestamp()


def _number(text: str) -> float | None:
    try:
        return float(text)
    except ValueError:
        return None


def _compare(kind: str, left: float, right: float) -> bool:
    if kind.endswith("LessThanEquals"):
        return left <= right
    if kind.endswith("LessThan"):
        return left < right
    if kind.endswith("GreaterThanEquals"):
        return left >= right
    if kind.endswith("GreaterThan"):
        return left > right
    return left == right


def _value_matches(operator: str, request_value: str, policy_value: str) -> bool:
    """One request value against one (already substituted) policy value, positive operators."""
    if operator == "StringEquals":
        return request_value == policy_value
    if operator == "StringEqualsIgnoreCase":
        return request_value.lower() == policy_value.lower()
    if operator == "StringLike":
        return _pattern_match(policy_value, request_value)
    if operator.startswith("Numeric"):
        left, right = _number(request_value), _number(policy_value)
        return left is not None and right is not None and _compare(operator, left, right)
    if operator.startswith("Date"):
        left, right = _parse_date(request_value), _parse_date(policy_value)
        return left is not None and right is not None and _compare(operator, left, right)
    if operator == "Bool":
        return request_value.lower() == policy_value.lower()
    if operator == "BinaryEquals":
        try:
            return base64.b64decode(request_value) == base64.b64decode(policy_value)
        except ValueError:
            return False
    if operator == "IpAddress":
        try:
            return ipaddress.ip_address(request_value) in ipaddress.ip_network(
                policy_value, strict=False
            )
        except ValueError:
            return False
    if operator == "ArnEquals":
        # ArnEquals and ArnLike behave identically (the operators page says so).
        return arn_matches(policy_value, request_value)
    if operator == "ArnLike":
        return arn_matches(policy_value, request_value)
    raise ValueError(operator)


def _any_policy_value(operator: str, request_value: str, policy_values: list[str]) -> bool:
    return any(_value_matches(operator, request_value, v) for v in policy_values)


def condition_holds(condition: Condition, policy: Policy, context: Mapping[str, Any]) -> bool:
    """Whether one (operator, key, values) holds for the request context."""
    ctx = context if isinstance(context, _Context) else _Context(context)
    return _condition_holds(condition, policy, ctx)


def _condition_holds(condition: Condition, policy: Policy, ctx: _Context) -> bool:
    operator = condition.operator
    request_values = ctx.get(condition.key)
    if operator == "Null":
        absent = request_values is None or len(request_values) == 0
        return any((v.lower() == "true") == absent for v in condition.values)
    substitutes = operator.startswith(("String", "Arn"))
    policy_values = []
    for value in condition.values:
        if substitutes:
            try:
                value = _substitute(value, policy, ctx, glob=operator in ("StringLike", "ArnLike"))
            except _Unresolved:
                continue
        policy_values.append(value)
    negated = operator in _NEGATED
    positive = _POSITIVE_OF.get(operator, operator)
    qualifier = condition.qualifier

    if qualifier == "ForAllValues":
        if not request_values:
            return True  # documented: true for an empty or absent key
        if negated:
            return all(not _any_policy_value(positive, v, policy_values) for v in request_values)
        return all(_any_policy_value(positive, v, policy_values) for v in request_values)
    if qualifier == "ForAnyValue":
        if not request_values:
            return condition.if_exists and request_values is None
        if negated:
            return any(not _any_policy_value(positive, v, policy_values) for v in request_values)
        return any(_any_policy_value(positive, v, policy_values) for v in request_values)

    if request_values is None:
        # Absent key: false, but true for negated operators and for …IfExists.
        return condition.if_exists or negated
    matched = any(_any_policy_value(positive, v, policy_values) for v in request_values)
    return not matched if negated else matched


def _conditions_hold(statement: Statement, policy: Policy, ctx: _Context) -> bool:
    return all(_condition_holds(c, policy, ctx) for c in statement.conditions)


# ------------------------------------------------------------------ evaluation


def statement_applies(
    statement: Statement, policy: Policy, action: str, resource: str, ctx: _Context
) -> bool:
    if statement.actions is not None:
        if not any(action_matches(p, action) for p in statement.actions):
            return False
    elif statement.not_actions is not None and any(
        action_matches(p, action) for p in statement.not_actions
    ):
        return False
    if statement.resources is not None:
        if not _resource_matches(statement.resources, resource, policy, ctx):
            return False
    elif statement.not_resources is not None and _resource_matches(
        statement.not_resources, resource, policy, ctx
    ):
        return False
    return _conditions_hold(statement, policy, ctx)


def evaluate(
    policies: Iterable[Policy | Mapping[str, Any] | str],
    action: str,
    resource: str,
    context: Mapping[str, Any] | None = None,
) -> Decision:
    """Decide ``action`` on ``resource`` against a principal's identity-based policies."""
    ctx = _Context(context)
    allow: tuple[Statement, Policy] | None = None
    for policy in policies:
        if not isinstance(policy, Policy):
            policy = parse_policy(policy)  # type: ignore[arg-type]
        for statement in policy.statements:
            if not statement_applies(statement, policy, action, resource, ctx):
                continue
            if statement.effect == "Deny":
                return Decision(EXPLICIT_DENY, action, resource, statement, policy)
            if allow is None:
                allow = (statement, policy)
    if allow is not None:
        return Decision(ALLOW, action, resource, allow[0], allow[1])
    return Decision(IMPLICIT_DENY, action, resource)


def evaluate_all(
    policies: Iterable[Policy | Mapping[str, Any] | str],
    checks: Iterable[Any],
    context: Mapping[str, Any] | None = None,
) -> Decision | None:
    """Every check of one request (``actions.Check`` objects): the first denial, else None.

    A check's own ``context`` keys are added to (and override) the request's.
    """
    parsed = [p if isinstance(p, Policy) else parse_policy(p) for p in policies]  # type: ignore[arg-type]
    for check in checks:
        merged = dict(context or {})
        merged.update(getattr(check, "context", None) or {})
        decision = evaluate(parsed, check.action, check.resource, merged)
        if not decision.allowed:
            return decision
    return None


__all__ = [
    "ALLOW",
    "EXPLICIT_DENY",
    "IMPLICIT_DENY",
    "Decision",
    "RolePolicies",
    "action_matches",
    "arn_matches",
    "assumed_role_arn",
    "condition_holds",
    "evaluate",
    "evaluate_all",
    "request_context",
]
