"""The identity-based policies of a caller from another account, read from moto's IAM.

Cross-account access needs both sides: the bucket policy must allow the caller *and* the
caller's own account must allow it through the identity-based policies of its role or user (IAM
User Guide, "Cross-account policy evaluation logic",
https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_evaluation-logic-cross-account.html).

moto lets a session assume a role that was never created; such a caller (and a key whose role or
user moto does not describe) has no policies to read: it is taken to be allowed by its own
account, as an administrator of that account would be. Create the role in that account to give
it policies (IAM calls signed with the session's credentials are filed under its account).
Session policies, permissions boundaries and SCPs are not evaluated.
"""

from __future__ import annotations

from typing import Any

from sim.services.iam.policy import MalformedPolicyDocument, Policy, parse_policy
from sim.services.s3.callers import ASSUMED_ROLE, USER, Caller, account_of_access_key


class UnknownIdentity(LookupError):
    """moto has no role or user behind the caller: nothing to evaluate."""


def identity_policies(caller: Caller) -> list[Policy]:
    """The caller's inline and managed policies (a user's groups' too), parsed.

    Raises :class:`UnknownIdentity` when moto does not know the role or user, and
    :class:`~sim.services.iam.policy.MalformedPolicyDocument` for a document IAM would refuse."""
    if caller.access_key is None:
        raise UnknownIdentity("an anonymous caller has no identity-based policies")
    found = account_of_access_key(caller.access_key)
    if found is None:
        raise UnknownIdentity(f"moto issued no access key {caller.access_key}")
    _, iam = found
    holders: list[Any] = []
    if caller.type == ASSUMED_ROLE and caller.role_arn:
        try:
            holders.append(iam.get_role_by_arn(arn=caller.role_arn))
        except Exception:  # moto's NotFoundException: the role was never created
            raise UnknownIdentity(f"no role {caller.role_arn} in moto's IAM") from None
    elif caller.type == USER and caller.username:
        user = iam.get_user_from_access_key_id(caller.access_key)
        if user is None:
            raise UnknownIdentity(f"no user with access key {caller.access_key}")
        holders.append(user)
        holders.extend(iam.get_groups_for_user(user.name))
    else:
        raise UnknownIdentity(f"{caller.name} is neither a role session nor a user")
    policies: list[Policy] = []
    for holder in holders:
        for name, document in dict(holder.policies).items():
            policies.append(parse_policy(document, name=name))
        for arn, managed in dict(holder.managed_policies).items():
            policies.append(parse_policy(_default_document(managed), arn=arn))
    return policies


def _default_document(managed: Any) -> str:
    for version in managed.versions:
        if version.version_id == managed.default_version_id:
            return version.document
    raise MalformedPolicyDocument(f"{managed.arn} has no default version")
