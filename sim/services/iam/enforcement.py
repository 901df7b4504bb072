"""Enforcing each function's role on every call its handler makes, wherever the call goes.

Lambda gives a function its role's temporary credentials; streamlab does the same: each
function gets session credentials of its own (:meth:`Enforcer.issue`: an ``ASIA…`` access key,
a secret, a session token) and the :class:`Enforcer` remembers which role and session each key
stands for. Two botocore hooks, added once to botocore's built-in handlers (so every client of
every session has them, whichever backend it reaches: embedded, LocalStack, an endpoint):

* ``before-parameter-build`` keeps the call's API parameters in its request context;
* ``before-call`` looks up the access key of the client making the call. A call made with a
  function's key is checked against the role's identity-based policies (inline and managed,
  read from the backend's IAM once per enforcer) with :func:`sim.services.iam.actions.checks_for`
  and :func:`sim.services.iam.evaluate.evaluate_all`; a denied call is answered as AWS answers it
  (the service's own error form from :mod:`sim.services.iam.errors`, parsed by botocore's
  parser for that protocol, so the handler gets the same ``ClientError``: for DynamoDB
  ``AccessDeniedException`` with ``User: arn:aws:sts::…:assumed-role/ROLE/FUNCTION is not
  authorized to perform: …``) and is never sent.

Calls made with any other credentials (provisioning, producers, expectations, a user's CLI) are
not checked, as an administrator's would not be. One enforcer is active per process at a time.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from random import Random
from typing import Any

from botocore import handlers as botocore_handlers
from botocore.awsrequest import AWSResponse
from botocore.parsers import create_parser

from sim.services.iam.actions import checks_for
from sim.services.iam.errors import access_denied_response, decision_message
from sim.services.iam.evaluate import (
    RolePolicies,
    assumed_role_arn,
    evaluate_all,
    request_context,
)
from sim.services.lambda_ import Credentials

_PARAMS_KEY = "streamlab_api_params"
_ALPHANUMERIC = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567"


@dataclass(frozen=True)
class Session:
    role_arn: str
    session_name: str


class Enforcer:
    """The role sessions of one run's functions and their roles' policies.

    ``iam`` is an IAM client of the backend (with credentials that are not a function's), used
    to read the roles' policies; ``now`` gives ``aws:CurrentTime``.
    """

    def __init__(
        self, iam: Any, *, account: str, rng: Random, now: Callable[[], float] = time.time
    ):
        self.iam = iam
        self.account = account
        self.now = now
        self._rng = rng
        self._sessions: dict[str, Session] = {}
        self._issued: dict[tuple[str, str], Credentials] = {}
        self._policies: dict[str, RolePolicies] = {}
        self._lock = threading.Lock()
        self.denials: list[dict[str, str]] = []

    # -- sessions -------------------------------------------------------------------------
    def issue(self, role_arn: str, session_name: str) -> Credentials:
        """Session credentials for a function (``session_name``) acting as ``role_arn``: the
        same ones for every environment of the function during the run."""
        with self._lock:
            issued = self._issued.get((role_arn, session_name))
            if issued is None:
                rng = self._rng
                key = "ASIA" + "".join(rng.choice(_ALPHANUMERIC) for _ in range(16))
                secret = "".join(rng.choice(_ALPHANUMERIC.lower() + "+/") for _ in range(40))
                token = "streamlab-session-" + "".join(rng.choice(_ALPHANUMERIC) for _ in range(32))
                issued = self._issued[(role_arn, session_name)] = Credentials(key, secret, token)
                self._sessions[key] = Session(role_arn, session_name)
        return issued

    def session(self, access_key: str) -> Session | None:
        return self._sessions.get(access_key)

    # -- policies -------------------------------------------------------------------------
    def policies(self, role_arn: str) -> RolePolicies:
        cached = self._policies.get(role_arn)
        if cached is None:
            cached = self._policies[role_arn] = self._load(role_arn)
        return cached

    def _load(self, role_arn: str) -> RolePolicies:
        name = role_arn.rsplit("/", 1)[-1]
        iam = self.iam
        inline = {}
        for page in iam.get_paginator("list_role_policies").paginate(RoleName=name):
            for policy in page["PolicyNames"]:
                document = iam.get_role_policy(RoleName=name, PolicyName=policy)
                inline[policy] = document["PolicyDocument"]
        managed = {}
        for page in iam.get_paginator("list_attached_role_policies").paginate(RoleName=name):
            for attached in page["AttachedPolicies"]:
                arn = attached["PolicyArn"]
                version = iam.get_policy(PolicyArn=arn)["Policy"]["DefaultVersionId"]
                managed[arn] = iam.get_policy_version(PolicyArn=arn, VersionId=version)[
                    "PolicyVersion"
                ]["Document"]
        return RolePolicies(role_arn, inline=inline, managed=managed)

    # -- the check ------------------------------------------------------------------------
    def check(
        self, session: Session, service: str, operation: str, params: Any, region: str
    ) -> str | None:
        """The denial message for this call, or None when the role allows it."""
        checks = checks_for(service, operation, params, region=region, account=self.account)
        if not checks:
            return None
        context = request_context(
            role_arn=session.role_arn,
            session_name=session.session_name,
            region=region,
            now=self.now(),
        )
        decision = evaluate_all(self.policies(session.role_arn).policies, checks, context)
        if decision is None:
            return None
        principal = assumed_role_arn(session.role_arn, session.session_name)
        message = decision_message(decision, principal, service=service)
        self.denials.append(
            {"principal": principal, "action": decision.action, "resource": decision.resource}
        )
        return message

    # -- activation -----------------------------------------------------------------------
    def activate(self) -> None:
        global _ACTIVE
        _install()
        _ACTIVE = self

    def deactivate(self) -> None:
        global _ACTIVE
        if _ACTIVE is self:
            _ACTIVE = None


_ACTIVE: Enforcer | None = None
_INSTALLED = False
_INSTALL_LOCK = threading.Lock()


def _keep_params(params: Any, context: Any = None, **_: Any) -> None:
    if _ACTIVE is not None and context is not None:
        context[_PARAMS_KEY] = dict(params)


def _authorize(model: Any, request_signer: Any = None, context: Any = None, **_: Any) -> Any:
    enforcer = _ACTIVE
    if enforcer is None or request_signer is None:
        return None
    credentials = getattr(request_signer, "_credentials", None)
    if credentials is None:
        return None
    session = enforcer.session(credentials.access_key)
    if session is None:
        return None
    service = model.service_model.service_name
    params = (context or {}).get(_PARAMS_KEY, {})
    region = request_signer.region_name or ""
    message = enforcer.check(session, service, model.name, params, region)
    if message is None:
        return None
    status, headers, body = access_denied_response(service, message)
    response = {"status_code": status, "headers": headers, "body": body}
    parsed = create_parser(model.service_model.protocol).parse(response, model.output_shape)
    http = AWSResponse(url="", status_code=status, headers=headers, raw=None)
    http._content = body
    return http, parsed


def _install() -> None:
    """Add the hooks to botocore's built-in handlers (clients created from now on have them)."""
    global _INSTALLED
    with _INSTALL_LOCK:
        if _INSTALLED:
            return
        botocore_handlers.BUILTIN_HANDLERS.append(("before-parameter-build", _keep_params))
        botocore_handlers.BUILTIN_HANDLERS.append(("before-call", _authorize))
        _INSTALLED = True
