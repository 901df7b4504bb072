"""Whether S3 considers a bucket policy *public*, the test Block Public Access applies.

With ``BlockPublicPolicy`` on (every new bucket's setting since April 2023), S3 refuses a
PutBucketPolicy whose policy is public with ``AccessDenied``. S3's definition (Amazon S3 API
Reference, PublicAccessBlockConfiguration; S3 User Guide, "The meaning of 'public'"): a bucket
policy is public unless each statement that allows something is limited to

* fixed principals (an account, user, role or service principal: not ``*``), or
* a set of CIDRs with ``aws:SourceIp`` (not all addresses), or
* fixed values of ``aws:SourceArn``, ``aws:SourceVpc``, ``aws:SourceVpce``,
  ``aws:SourceOwner``, ``aws:SourceAccount``, ``s3:x-amz-server-side-encryption-aws-kms-key-id``,
  or ``aws:userid`` outside the pattern ``AROLEID:*``.

A condition on any other key (``aws:PrincipalType``, ``aws:SecureTransport``, ...) does not
make a statement non-public: "any authenticated AWS user" is still public.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

# Condition keys whose fixed value makes an Allow statement with a wildcard principal non-public.
FIXING_KEYS = frozenset(
    {
        "aws:sourcearn",
        "aws:sourcevpc",
        "aws:sourcevpce",
        "aws:sourceowner",
        "aws:sourceaccount",
        "s3:x-amz-server-side-encryption-aws-kms-key-id",
        "aws:userid",
    }
)
# Operators that fix a value (the "...IfExists" forms do not: the key may be absent).
FIXING_OPERATORS = frozenset({"stringequals", "stringequalsignorecase", "arnequals", "arnlike"})
ADDRESS_OPERATORS = frozenset({"ipaddress"})
ALL_ADDRESSES = frozenset({"0.0.0.0/0", "::/0"})


def _listed(value: Any) -> list[Any]:
    return value if isinstance(value, list) else [value]


def _wildcard_principal(statement: Mapping[str, Any]) -> bool:
    if "NotPrincipal" in statement:
        return True  # everyone but the listed principals
    principal = statement.get("Principal")
    if principal == "*":
        return True
    if isinstance(principal, Mapping):
        return any("*" in _listed(value) for value in principal.values())
    return False


def _fixed(values: Any) -> bool:
    return all(isinstance(v, str) and "*" not in v and "?" not in v for v in _listed(values))


def _condition_fixes(condition: Mapping[str, Any]) -> bool:
    for operator, tests in condition.items():
        name = operator.lower()
        if not isinstance(tests, Mapping):
            continue
        for key, values in tests.items():
            key = key.lower()
            # a wildcard is not a fixed value (so aws:userid "AROLEID:*" fixes nothing)
            if name in FIXING_OPERATORS and key in FIXING_KEYS and _fixed(values):
                return True
            if (
                name in ADDRESS_OPERATORS
                and key == "aws:sourceip"
                and not ALL_ADDRESSES & set(map(str, _listed(values)))
            ):
                return True
    return False


def public_statements(policy: Mapping[str, Any]) -> list[int]:
    """The indexes of the statements that make ``policy`` public (empty: it is not public)."""
    statements = _listed(policy.get("Statement") or [])
    found = []
    for index, statement in enumerate(statements):
        if not isinstance(statement, Mapping) or statement.get("Effect") != "Allow":
            continue
        if not _wildcard_principal(statement):
            continue
        condition = statement.get("Condition")
        if isinstance(condition, Mapping) and _condition_fixes(condition):
            continue
        found.append(index)
    return found


def is_public(policy: Mapping[str, Any]) -> bool:
    """Whether S3 would call ``policy`` public (and refuse it under BlockPublicPolicy)."""
    return bool(public_statements(policy))
