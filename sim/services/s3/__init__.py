"""S3 bucket policies enforced on the embedded backend for anonymous and cross-account callers.

moto stores buckets, objects and their policies; streamlab decides who may use them when the
caller is not one of the bucket owner's own principals (those are left to the IAM enforcement of
:mod:`sim.services.iam.enforcement`):

* :mod:`.callers`: who sent a request (anonymous, the account's own, another account's: keys
  moto issued to that account's users or STS sessions), with its condition keys;
* :mod:`.requests`: which bucket and key a request addresses;
* :mod:`.operations`: the S3 REST request → the permissions it needs and its S3 condition keys;
* :mod:`.bucket_policy`: bucket policies with ``Principal``/``NotPrincipal``, evaluated with
  :mod:`sim.services.iam.evaluate`;
* :mod:`.identity`: another account's identity-based policies, read from moto's IAM;
* :mod:`.enforcement`: :class:`BucketPolicyEnforcer`, the interceptor answering AWS's
  ``403 AccessDenied``.

See README.md in this directory for what is and is not enforced.
"""

from sim.services.s3.bucket_policy import (
    BucketPolicy,
    MalformedPolicy,
    PrincipalSpec,
    parse_bucket_policy,
)
from sim.services.s3.callers import (
    ANONYMOUS,
    ANONYMOUS_CALLER,
    ASSUMED_ROLE,
    USER,
    Caller,
    assume_role_in,
    identify,
)
from sim.services.s3.enforcement import (
    ACCESS_DENIED_MESSAGE,
    BucketPolicyEnforcer,
    Verdict,
    bucket_owner,
    bucket_policy,
)
from sim.services.s3.operations import S3Check, checks_for_request

__all__ = [
    "ACCESS_DENIED_MESSAGE",
    "ANONYMOUS",
    "ANONYMOUS_CALLER",
    "ASSUMED_ROLE",
    "USER",
    "BucketPolicy",
    "BucketPolicyEnforcer",
    "Caller",
    "MalformedPolicy",
    "PrincipalSpec",
    "S3Check",
    "Verdict",
    "assume_role_in",
    "bucket_owner",
    "bucket_policy",
    "checks_for_request",
    "identify",
    "parse_bucket_policy",
]
