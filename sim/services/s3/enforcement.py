"""Bucket policies enforced on the embedded backend for callers outside the bucket's account.

:class:`BucketPolicyEnforcer` is an interceptor (:mod:`sim.backends.embedded.intercept`): it
sees every S3 request before moto, in-process and over HTTP. For a request to an existing bucket
it identifies the caller (:mod:`.callers`) and maps the request to the permissions it needs
(:mod:`.operations`). Then, per permission:

* the caller belongs to the bucket owner's account: nothing here. Same-account requests are
  authorised by the caller's identity-based policies, which the IAM enforcement of
  :mod:`sim.services.iam.enforcement` checks for the roles of Lambda functions and Firehose (a
  bucket policy's explicit ``Deny`` for same-account principals is therefore **not** enforced on
  the embedded backend; see the package README);
* the caller is anonymous: allowed only if the bucket policy allows it and does not deny it;
* the caller belongs to another account: allowed only if nothing denies it and both the bucket
  policy and the caller's own identity-based policies (:mod:`.identity`) allow it (IAM User
  Guide, "Cross-account policy evaluation logic").

A denied request is answered as S3 answers it: HTTP 403, ``<Code>AccessDenied</Code>`` and the
message ``Access Denied``. S3 gives its longer messages ("User: … is not authorized to perform
…") only to requests from the bucket owner's account or organization; anonymous callers and other
accounts get the bare text (S3 User Guide, "Troubleshoot access denied (403 Forbidden) errors",
https://docs.aws.amazon.com/AmazonS3/latest/userguide/troubleshoot-403-errors.html: "Amazon S3
now includes additional context in access denied (HTTP 403 Forbidden) errors for requests made
to resources within the same AWS account"). A HEAD request gets the status without a body, as
every S3 error to HEAD. ``DeleteObjects`` is answered per key inside its 200 result
(``<Error><Code>AccessDenied</Code><Message>Access Denied</Message>``), by moto, from the
decisions made here.

**moto's own check.** moto approximates bucket policies for object requests by itself
(``FakeBucket.get_permission``): it honours only ``Principal: "*"`` and ignores conditions, so a
conditional ``Deny`` (``aws:PrincipalAccount`` not this account) refuses *every* writer, the
bucket owner's Firehose role included. :func:`install_moto_hook` routes that check to the
decisions of this module for requests the enforcer saw (same-account: neutral, the IAM
enforcement decides; others: this module's verdict); requests it did not see (moto used without
a streamlab backend) keep moto's behaviour.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from sim.services.iam.errors import access_denied_response
from sim.services.iam.evaluate import evaluate
from sim.services.iam.policy import MalformedPolicyDocument
from sim.services.s3.bucket_policy import BucketPolicy, MalformedPolicy, parse_bucket_policy
from sim.services.s3.callers import Caller, identify
from sim.services.s3.identity import UnknownIdentity, identity_policies
from sim.services.s3.operations import S3Check, checks_for_request
from sim.services.s3.requests import s3_target

# The message S3 gives anonymous and cross-account callers (see the module docstring).
ACCESS_DENIED_MESSAGE = "Access Denied"

ALLOWED = "allowed"
DENIED = "denied"
NEUTRAL = "neutral"  # not decided here (same account): moto's check must not refuse it


@dataclass(frozen=True)
class Verdict:
    """The outcome for one permission of one request."""

    check: S3Check
    caller: Caller
    allowed: bool | None  # None: same account, not decided here
    reason: str


class BucketPolicyEnforcer:
    """The interceptor. ``home_account`` is the backend's account (credentials moto does not
    know belong to it); ``now`` gives ``aws:CurrentTime`` (process time by default, which the
    simulation travels)."""

    def __init__(self, home_account: str, *, now: Callable[[], float] = time.time):
        self.home_account = home_account
        self.now = now
        self.denials: list[dict[str, str]] = []
        self._lock = threading.Lock()
        install_moto_hook()

    # -- the interceptor --------------------------------------------------------------------
    def __call__(self, request: Any) -> tuple[int, dict[str, str], bytes] | None:
        _CURRENT.decider = None
        target = s3_target(request)
        if target is None:
            return None
        bucket, key = target
        owner = bucket_owner(bucket)
        if owner is None:
            return None  # no such bucket: S3's own answer (NoSuchBucket)
        caller = identify(request, home_account=self.home_account)
        checks = checks_for_request(
            request.method, bucket, key, request.query, request.header, request.body
        )
        verdicts = [self.decide(caller, check, request) for check in checks]
        decided = {v.check.resource: v for v in verdicts if v.check.bucket == bucket}
        _CURRENT.decider = _Decider(bucket, decided)
        denied = [v for v in verdicts if v.allowed is False]
        if not denied:
            return None
        if checks and checks[0].operation == "DeleteObjects":
            return None  # moto answers per key, asking the decider
        _CURRENT.decider = None
        status, headers, body = access_denied_response("s3", ACCESS_DENIED_MESSAGE)
        if request.method.upper() == "HEAD":
            body = b""
        return status, headers, body

    # -- decisions --------------------------------------------------------------------------
    def decide(self, caller: Caller, check: S3Check, request: Any = None) -> Verdict:
        """The verdict for one permission (recorded in :attr:`denials` when denied)."""
        owner = bucket_owner(check.bucket)
        if owner is None:
            return Verdict(check, caller, None, "no such bucket")
        if not caller.anonymous and caller.account == owner:
            return Verdict(check, caller, None, "same account: identity-based policies decide")
        context = self.context(caller, check, owner, request)
        try:
            policy = bucket_policy(check.bucket)
        except MalformedPolicy as exc:
            return self._denied(check, caller, f"the bucket policy cannot be read: {exc}")
        if policy is None:
            return self._denied(check, caller, "the bucket has no policy")
        decision = policy.evaluate(caller, check.action, check.resource, context)
        if decision.explicit:
            return self._denied(check, caller, "explicit deny in the bucket policy")
        if not caller.anonymous:
            try:
                identity = evaluate(
                    identity_policies(caller), check.action, check.resource, context
                )
            except UnknownIdentity:
                identity = None  # taken as allowed by its own account
            except MalformedPolicyDocument as exc:
                return self._denied(check, caller, f"an identity-based policy is malformed: {exc}")
            if identity is not None and identity.explicit:
                return self._denied(check, caller, "explicit deny in an identity-based policy")
            if not decision.allowed:
                return self._denied(check, caller, "no bucket policy statement allows it")
            if identity is not None and not identity.allowed:
                return self._denied(check, caller, "no identity-based policy allows it")
            return Verdict(check, caller, True, "allowed by the bucket and identity policies")
        if not decision.allowed:
            return self._denied(check, caller, "no bucket policy statement allows it")
        return Verdict(check, caller, True, "allowed by the bucket policy")

    def context(
        self, caller: Caller, check: S3Check, owner: str, request: Any = None
    ) -> dict[str, Any]:
        """The request context: the caller's keys, time, transport, region, resource account
        and the request's S3 keys (reference_policies_condition-keys.html)."""
        now = datetime.fromtimestamp(self.now(), UTC)
        context: dict[str, Any] = {
            "aws:CurrentTime": now.strftime("%Y-%m-%dT%H:%M:%SZ"),
            "aws:EpochTime": str(int(now.timestamp())),
            "aws:ResourceAccount": owner,
            "s3:ResourceAccount": owner,
        }
        if request is not None:
            secure = request.url.lower().startswith("https:")
            context["aws:SecureTransport"] = "true" if secure else "false"
            if request.region:
                context["aws:RequestedRegion"] = request.region
        context.update(caller.context())
        context.update(check.context)
        return context

    def _denied(self, check: S3Check, caller: Caller, reason: str) -> Verdict:
        with self._lock:
            self.denials.append(
                {
                    "principal": caller.name,
                    "account": caller.account,
                    "operation": check.operation,
                    "action": check.action,
                    "resource": check.resource,
                    "reason": reason,
                }
            )
        return Verdict(check, caller, False, reason)


# ------------------------------------------------------------------ moto's S3 state


def bucket_owner(bucket: str) -> str | None:
    """The account owning ``bucket`` in moto, or None when no account has it."""
    from moto.s3.models import s3_backends

    found = s3_backends.bucket_accounts.get(bucket)
    return found[1] if found else None


def bucket_policy(bucket: str) -> BucketPolicy | None:
    """The bucket's policy, parsed (None when it has none); read from moto's S3 backend."""
    from moto.s3.models import s3_backends

    found = s3_backends.bucket_accounts.get(bucket)
    if found is None:
        return None
    partition, account = found
    backend = dict.get(dict.get(s3_backends, account) or {}, partition)
    stored = backend.buckets.get(bucket) if backend is not None else None
    document = getattr(stored, "policy", None)
    if not document:
        return None
    return _parse_cached(document if isinstance(document, bytes) else document.encode())


_PARSED: dict[bytes, BucketPolicy] = {}


def _parse_cached(document: bytes) -> BucketPolicy:
    policy = _PARSED.get(document)
    if policy is None:
        policy = parse_bucket_policy(document)
        if len(_PARSED) > 256:
            _PARSED.clear()
        _PARSED[document] = policy
    return policy


# ------------------------------------------------------------------ moto's own check


class _Decider:
    """The enforcer's verdicts for the request being served on this thread."""

    def __init__(self, bucket: str, verdicts: dict[str, Verdict]):
        self.bucket = bucket
        self.verdicts = verdicts

    def permission(self, bucket_name: str, resource: str) -> str | None:
        """ALLOWED / DENIED / NEUTRAL for moto's check of ``resource``; None: not this
        request's bucket (moto decides as it would)."""
        if bucket_name != self.bucket:
            return None
        verdict = self.verdicts.get(resource)
        if verdict is None:
            # moto asks about the object it serves; a verdict exists for each object the
            # request names, so a miss is a same-account or an unmapped case.
            allowed = {v.allowed for v in self.verdicts.values()}
            return ALLOWED if allowed == {True} else NEUTRAL
        if verdict.allowed is None:
            return NEUTRAL
        return ALLOWED if verdict.allowed else DENIED


class _Current(threading.local):
    decider: _Decider | None = None


_CURRENT = _Current()
_INSTALLED = False
_INSTALL_LOCK = threading.Lock()


def install_moto_hook() -> None:
    """Route moto's ``FakeBucket.get_permission`` through the enforcer's verdicts (once per
    process; requests the enforcer did not see keep moto's own answer)."""
    global _INSTALLED
    with _INSTALL_LOCK:
        if _INSTALLED:
            return
        from moto.iam.access_control import PermissionResult
        from moto.s3.models import FakeBucket

        original = FakeBucket.get_permission
        answers = {
            ALLOWED: PermissionResult.PERMITTED,
            DENIED: PermissionResult.DENIED,
            NEUTRAL: PermissionResult.NEUTRAL,
        }

        def get_permission(self: Any, action: str, resource: str) -> Any:
            decider = _CURRENT.decider
            if decider is not None:
                answer = decider.permission(self.name, resource)
                if answer is not None:
                    return answers[answer]
            return original(self, action, resource)

        get_permission.__doc__ = original.__doc__
        FakeBucket.get_permission = get_permission  # type: ignore[method-assign]
        _INSTALLED = True
