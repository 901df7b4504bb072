"""streamlab's own IAM: identity-based policy evaluation for the roles of Lambda functions.

* :mod:`.policy`: parse/validate policy documents (``MalformedPolicyDocument``);
* :mod:`.evaluate`: AWS's evaluation logic (default deny, explicit Deny wins, wildcards,
  NotAction/NotResource, conditions, policy variables) → :class:`Decision`;
* :mod:`.actions`: an API call (service, operation, params) → the (action, resource) checks;
* :mod:`.errors`: the access-denied message and each protocol's error answer.

See README.md in this directory for what is and is not evaluated and how enforcement hooks in.
"""

from sim.services.iam.actions import Check, checks_for
from sim.services.iam.errors import AccessDenied, access_denied_message, access_denied_response
from sim.services.iam.evaluate import (
    ALLOW,
    EXPLICIT_DENY,
    IMPLICIT_DENY,
    Decision,
    RolePolicies,
    assumed_role_arn,
    evaluate,
    evaluate_all,
    request_context,
)
from sim.services.iam.policy import MalformedPolicyDocument, Policy, parse_policy

__all__ = [
    "ALLOW",
    "EXPLICIT_DENY",
    "IMPLICIT_DENY",
    "AccessDenied",
    "Check",
    "Decision",
    "MalformedPolicyDocument",
    "Policy",
    "RolePolicies",
    "access_denied_message",
    "access_denied_response",
    "assumed_role_arn",
    "checks_for",
    "evaluate",
    "evaluate_all",
    "parse_policy",
    "request_context",
]
