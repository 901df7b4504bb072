"""Bucket policies: resource-based policies with a ``Principal``, evaluated for one caller.

A bucket policy is an IAM policy document whose statements also say *whom* they apply to
(``Principal`` or ``NotPrincipal``). Everything else (Action/NotAction, Resource/NotResource,
Condition with every operator, policy variables) is read and matched by streamlab's IAM
evaluator (:mod:`sim.services.iam.policy`, :mod:`sim.services.iam.evaluate`); this module adds the
principal and the decision for one caller.

Principals (IAM User Guide, "AWS JSON policy elements: Principal",
https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_principal.html):

* ``"*"`` and ``{"AWS": "*"}`` are equivalent and match **everyone, anonymous callers
  included** ("For resource-based policies, using a wildcard (*) with an Allow effect grants
  access to all users, including anonymous users (public access)"). To mean "authenticated
  principals only", a statement needs a condition, e.g. ``StringNotEquals`` on
  ``aws:PrincipalType`` ``Anonymous``.
* an account (``"123456789012"`` or ``"arn:aws:iam::123456789012:root"``) matches every
  principal of that account, never an anonymous caller;
* a role ARN matches that role's sessions, an ``assumed-role`` ARN one session, a user ARN that
  user. A wildcard cannot match part of a principal ARN.
* ``Service``, ``Federated`` and ``CanonicalUser`` principals never match the callers this
  simulation has (its services act through roles).

``NotPrincipal`` applies a statement to every caller the listed principals do not match.

The decision (IAM User Guide, "Policy evaluation logic"): an applicable ``Deny`` wins; else an
applicable ``Allow`` allows; else the request is implicitly denied.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass, replace
from typing import Any

from sim.services.iam.evaluate import Decision, evaluate
from sim.services.iam.policy import MalformedPolicyDocument, Policy, parse_policy
from sim.services.s3.callers import Caller

WILDCARD = "*"
PRINCIPAL_TYPES = ("AWS", "Service", "Federated", "CanonicalUser")


class MalformedPolicy(MalformedPolicyDocument):
    """S3's ``MalformedPolicy`` (HTTP 400) for a bucket policy it cannot read."""

    code = "MalformedPolicy"


@dataclass(frozen=True)
class PrincipalSpec:
    """The ``Principal`` or ``NotPrincipal`` of one statement: ``everyone`` for the wildcard,
    else the listed values per type (``{"AWS": ("arn:…", "123…")}``)."""

    everyone: bool
    values: Mapping[str, tuple[str, ...]]
    negated: bool = False

    def matches(self, caller: Caller) -> bool:
        matched = self.everyone or _matches_listed(self.values, caller)
        return not matched if self.negated else matched


@dataclass(frozen=True)
class BucketPolicy:
    """A parsed bucket policy: its IAM statements, each with its principal."""

    policy: Policy
    principals: tuple[PrincipalSpec, ...]

    def evaluate(
        self, caller: Caller, action: str, resource: str, context: Mapping[str, Any]
    ) -> Decision:
        """The bucket policy's decision for ``caller`` doing ``action`` on ``resource``: the
        statements whose principal matches the caller, evaluated as IAM evaluates a policy."""
        return evaluate([self.for_caller(caller)], action, resource, context)

    def for_caller(self, caller: Caller) -> Policy:
        """The policy reduced to the statements that apply to ``caller``."""
        statements = tuple(
            statement
            for statement, principal in zip(self.policy.statements, self.principals, strict=True)
            if principal.matches(caller)
        )
        return replace(self.policy, statements=statements)


def parse_bucket_policy(document: str | bytes | Mapping[str, Any]) -> BucketPolicy:
    """Parse a bucket policy (JSON text or a decoded mapping).

    Every statement must have a ``Principal`` or a ``NotPrincipal`` (not both); the rest is
    checked as an IAM policy. Raises :class:`MalformedPolicy` with where it failed. The message
    texts are streamlab's: S3's own wording for each case was not confirmed."""
    if isinstance(document, bytes | str):
        try:
            document = json.loads(document)
        except ValueError as exc:
            raise MalformedPolicy("Policies must be valid JSON", "", str(exc)) from None
    if not isinstance(document, Mapping):
        raise MalformedPolicy("Policies must be valid JSON", "", "a policy is a JSON object")
    raw = document.get("Statement")
    single = isinstance(raw, Mapping)
    items = [raw] if single else raw
    if not isinstance(items, list):
        raise MalformedPolicy("Syntax errors in policy.", "Statement", "missing Statement")
    principals = []
    stripped = []
    for index, item in enumerate(items):
        where = "Statement" if single else f"Statement[{index}]"
        if not isinstance(item, Mapping):
            raise MalformedPolicy("Syntax errors in policy.", where, "a statement is an object")
        present = [k for k in ("Principal", "NotPrincipal") if k in item]
        if not present:
            raise MalformedPolicy("Missing required field Principal", where)
        if len(present) == 2:
            raise MalformedPolicy(
                "Syntax errors in policy.", where, "a statement has Principal or NotPrincipal"
            )
        key = present[0]
        principals.append(_principal(item[key], f"{where}.{key}", negated=key == "NotPrincipal"))
        stripped.append({k: v for k, v in item.items() if k not in ("Principal", "NotPrincipal")})
    body = dict(document)
    body["Statement"] = stripped[0] if single else stripped
    try:
        policy = parse_policy(body)
    except MalformedPolicyDocument as exc:
        raise MalformedPolicy(exc.message, exc.location, exc.detail) from None
    return BucketPolicy(policy, tuple(principals))


def _principal(value: Any, where: str, *, negated: bool) -> PrincipalSpec:
    if value == WILDCARD:
        return PrincipalSpec(True, {}, negated)
    if not isinstance(value, Mapping) or not value:
        raise MalformedPolicy("Invalid principal in policy", where, f"found {value!r}")
    listed: dict[str, tuple[str, ...]] = {}
    everyone = False
    for kind, entries in value.items():
        if kind not in PRINCIPAL_TYPES:
            raise MalformedPolicy("Invalid principal in policy", f"{where}.{kind}")
        items = [entries] if isinstance(entries, str) else entries
        if not isinstance(items, list) or not items or not all(isinstance(i, str) for i in items):
            raise MalformedPolicy("Invalid principal in policy", f"{where}.{kind}")
        for item in items:
            if item == WILDCARD and kind == "AWS":
                everyone = True
            elif WILDCARD in item:
                # "You cannot use a wildcard to match part of a principal name or ARN."
                raise MalformedPolicy("Invalid principal in policy", f"{where}.{kind}", item)
        listed[kind] = tuple(items)
    return PrincipalSpec(everyone, listed, negated)


def _matches_listed(values: Mapping[str, tuple[str, ...]], caller: Caller) -> bool:
    if caller.anonymous:
        return False  # only the wildcard covers anonymous callers
    for entry in values.get("AWS", ()):
        if entry in (caller.account, f"arn:aws:iam::{caller.account}:root"):
            return True
        if entry in (caller.arn, caller.session_arn, caller.role_arn):
            return True
    return False
