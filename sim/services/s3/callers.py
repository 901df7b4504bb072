"""Who sent an S3 request: anonymous, the account's own principals, or another account's.

S3 decides with the bucket policy alone for an anonymous caller, and with the bucket policy *and*
the caller's own identity-based policies for a principal of another account (IAM User Guide,
"Cross-account policy evaluation logic",
https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_evaluation-logic-cross-account.html).
So the first question about every request is who made it.

**How a caller "of another account" is recognised on the embedded backend.** moto keeps an
IAM registry per account: the access keys of IAM users created in an account, and the temporary
keys STS hands out for ``AssumeRole`` (moto files those under the account named in the *role's
ARN*, whether or not that role exists: ``moto.sts.models.STSBackend._create_access_key``). The
SigV4 access key of a request (``Authorization`` header or a presigned URL's
``X-Amz-Credential``) is looked up in those registries:

* found under an account other than the bucket owner's: a caller of that account, an IAM user or
  an assumed-role session (``assume_role(RoleArn="arn:aws:iam::210987654321:role/Reader", …)``
  on the embedded backend is the simplest way to act as another account; :func:`assume_role_in`
  does it);
* found under the bucket owner's account, or not found at all (the backend's own ``test`` keys,
  the Lambda role sessions the IAM enforcer issues): the account's own principal, left to the IAM
  enforcement of :mod:`sim.services.iam.enforcement`;
* no credentials at all: anonymous.

Access key ids are *not* decoded (AWS's key ids encode the account, and moto's follow that
layout, but the IAM enforcer's session keys are random and would decode to nonsense accounts).

The request context keys a caller brings (IAM User Guide, "AWS global condition context keys",
https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_condition-keys.html):
``aws:PrincipalType`` (``Anonymous``, ``AssumedRole``, ``User``), ``aws:PrincipalAccount`` (for
anonymous requests the literal ``anonymous``), ``aws:userid`` (``anonymous`` for anonymous
requests) are in every request; ``aws:PrincipalArn`` (the *role* ARN for a role session) only in
signed ones; ``aws:username`` only for IAM users.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

ANONYMOUS = "Anonymous"
ASSUMED_ROLE = "AssumedRole"
USER = "User"
# aws:PrincipalAccount and aws:userid of an anonymous request (reference_policies_condition-keys).
ANONYMOUS_ACCOUNT = "anonymous"

_SIGV4_HEADER = re.compile(r"Credential=([^/,\s]+)/")
_SIGV2_HEADER = re.compile(r"^AWS ([^:\s]+):")


@dataclass(frozen=True)
class Caller:
    """The principal behind one request.

    ``type`` is ``aws:PrincipalType``; ``account`` is ``aws:PrincipalAccount`` (``anonymous``
    for anonymous callers); ``arn`` is ``aws:PrincipalArn`` (a role session's *role* ARN, a
    user's ARN; None when anonymous); ``session_arn`` is the ARN a denial message names
    (``arn:aws:sts::A:assumed-role/ROLE/SESSION``); ``home`` says the caller belongs to the
    account of the backend (not identified in moto's registries, or identified there).
    """

    type: str
    account: str
    arn: str | None = None
    session_arn: str | None = None
    userid: str = ANONYMOUS_ACCOUNT
    username: str | None = None
    access_key: str | None = None
    authentication: str | None = None  # s3:authType: REST-HEADER or REST-QUERY-STRING
    signature_version: str | None = None  # s3:signatureversion: AWS4-HMAC-SHA256 or AWS
    role_arn: str | None = None
    extra: dict[str, Any] = field(default_factory=dict, compare=False)

    @property
    def anonymous(self) -> bool:
        return self.type == ANONYMOUS

    @property
    def name(self) -> str:
        """How reports name the caller."""
        return self.session_arn or self.arn or ANONYMOUS_ACCOUNT

    def context(self) -> dict[str, Any]:
        """The caller's global condition keys."""
        context: dict[str, Any] = {
            "aws:PrincipalType": self.type,
            "aws:PrincipalAccount": self.account,
            "aws:userid": self.userid,
        }
        if self.arn is not None:
            context["aws:PrincipalArn"] = self.arn
            # aws:PrincipalIsAWSService: "present in the request context for all signed API
            # requests that use AWS credentials"; false for a role or a user.
            context["aws:PrincipalIsAWSService"] = "false"
        if self.username is not None:
            context["aws:username"] = self.username
        if self.authentication is not None:
            context["s3:authType"] = self.authentication
        if self.signature_version is not None:
            context["s3:signatureversion"] = self.signature_version
        return context


ANONYMOUS_CALLER = Caller(type=ANONYMOUS, account=ANONYMOUS_ACCOUNT)


def request_credentials(request: Any) -> tuple[str | None, str | None, str | None]:
    """(access key, s3:authType, s3:signatureversion) of a request, Nones when unsigned.

    SigV4 in the ``Authorization`` header (``REST-HEADER``) or in a presigned URL's
    ``X-Amz-Credential`` (``REST-QUERY-STRING``); SigV2 (``AWS AKID:signature`` or a presigned
    ``AWSAccessKeyId``) likewise. Values of the S3 condition keys from the S3 User Guide,
    "Amazon S3 condition key examples" / "Authenticating Requests (AWS Signature Version 4)":
    ``s3:authType`` is ``REST-HEADER``, ``REST-QUERY-STRING`` or ``POST``;
    ``s3:signatureversion`` is ``AWS`` (version 2) or ``AWS4-HMAC-SHA256``.
    """
    authorization = request.header("Authorization") or ""
    match = _SIGV4_HEADER.search(authorization)
    if match and authorization.startswith("AWS4-"):
        return match.group(1), "REST-HEADER", "AWS4-HMAC-SHA256"
    match = _SIGV2_HEADER.match(authorization)
    if match:
        return match.group(1), "REST-HEADER", "AWS"
    query = request.query
    credential = (query.get("X-Amz-Credential") or [""])[0]
    if credential:
        return credential.split("/", 1)[0], "REST-QUERY-STRING", "AWS4-HMAC-SHA256"
    key = (query.get("AWSAccessKeyId") or [""])[0]
    if key:
        return key, "REST-QUERY-STRING", "AWS"
    return None, None, None


def _moto_iam_backends() -> Any:
    from moto.iam.models import iam_backends

    return iam_backends


def _moto_sts_backends() -> Any:
    from moto.sts.models import sts_backends

    return sts_backends


def account_of_access_key(access_key: str) -> tuple[str, Any] | None:
    """(account, moto IAM backend) of a key moto issued (an IAM user's key, an STS session's);
    None for a key moto does not know. Looks only at the backends that exist (never creates
    one)."""
    for account, by_partition in list(dict.items(_moto_iam_backends())):
        for backend in list(dict.values(by_partition)):
            if access_key in backend.access_keys:
                return account, backend
    return None


def identify(request: Any, *, home_account: str) -> Caller:
    """The caller of ``request`` (an :class:`~sim.backends.embedded.intercept.Request`).

    ``home_account`` is the backend's account: a key moto does not know belongs to it."""
    access_key, authentication, signature_version = request_credentials(request)
    if access_key is None:
        return ANONYMOUS_CALLER
    found = account_of_access_key(access_key)
    if found is None:
        return _home_caller(home_account, access_key, authentication, signature_version)
    account, iam = found
    key = iam.access_keys[access_key]
    common = {
        "account": account,
        "access_key": access_key,
        "authentication": authentication,
        "signature_version": signature_version,
    }
    if getattr(key, "role_arn", None):
        return _role_session_caller(account, iam, access_key, key.role_arn, common)
    user = iam.get_user_from_access_key_id(access_key)
    if user is not None:
        return Caller(
            type=USER,
            arn=user.arn,
            session_arn=user.arn,
            userid=user.id,
            username=user.name,
            **common,
        )
    return _home_caller(account, access_key, authentication, signature_version)


def _home_caller(
    account: str, access_key: str, authentication: str | None, signature_version: str | None
) -> Caller:
    """A principal of ``account`` that moto's registries do not describe: named as the
    account's root, which is what the backend's own ``test`` credentials stand for."""
    root = f"arn:aws:iam::{account}:root"
    return Caller(
        type="Account",
        account=account,
        arn=root,
        session_arn=root,
        userid=account,
        access_key=access_key,
        authentication=authentication,
        signature_version=signature_version,
    )


def _role_session_caller(
    account: str, iam: Any, access_key: str, role_arn: str, common: dict[str, Any]
) -> Caller:
    session = None
    for by_partition in list(dict.values(_moto_sts_backends().get(account, {}))):
        for assumed in list(getattr(by_partition, "assumed_roles", [])):
            if assumed.access_key_id == access_key:
                session = assumed.session_name
                break
    session = session or "session"
    role_name = role_arn.rsplit("/", 1)[-1]
    try:
        role_id = iam.get_role_by_arn(arn=role_arn).id
    except Exception:  # moto lets one assume a role that does not exist
        role_id = f"AROA{account}"
    return Caller(
        type=ASSUMED_ROLE,
        arn=role_arn,
        session_arn=f"arn:aws:sts::{account}:assumed-role/{role_name}/{session}",
        userid=f"{role_id}:{session}",
        role_arn=role_arn,
        **common,
    )


def assume_role_in(
    sts: Any, account: str, role_name: str, session_name: str = "session"
) -> dict[str, str]:
    """boto3 credentials (``aws_access_key_id``, …) of a session of ``role_name`` in
    ``account``, from the backend's STS: requests signed with them are that account's.

    ``sts`` is an STS client of the embedded backend. moto does not require the role to exist;
    create it (with those credentials: moto files IAM calls under the key's account) to give the
    caller identity-based policies, else the caller counts as allowed by its own account."""
    answer = sts.assume_role(
        RoleArn=f"arn:aws:iam::{account}:role/{role_name}", RoleSessionName=session_name
    )
    credentials = answer["Credentials"]
    return {
        "aws_access_key_id": credentials["AccessKeyId"],
        "aws_secret_access_key": credentials["SecretAccessKey"],
        "aws_session_token": credentials["SessionToken"],
    }
