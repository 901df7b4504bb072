"""Firehose errors: :mod:`sim.errors`' AWS-named classes plus the ones Firehose adds.

Messages recorded from AWS (in issue reports of its users) are used verbatim, typos included:

* ``Firehose <name> under account <account> not found.`` (ResourceNotFoundException)
* ``This operation is not permitted on KinesisStreamAsSource delivery stream type.``
  (aws/aws-cli#7010)
* ``Records size exceeds 4 MB limit`` (osquery/osquery#3568)
* ``1 validation error detected: Value 'java.nio.HeapByteBuffer[pos=0 lim=N cap=N]' at
  'records.97.member.data' failed to satisfy constraint: Member must have length less than or
  equal to 1024000`` (osquery/osquery#3568, postmates/cernan#210)
* ``Ths supplied prefix(es) do not satisfy the following constraint: ErrorOutputPrefix cannot
  be null or empty when Prefix contains expressions`` (hashicorp/terraform-provider-aws#13416)

Other texts follow AWS's framing with streamlab's wording; the helpers below say which.
"""

from __future__ import annotations

from sim.errors import (
    AwsError,
    InternalFailure,
    InvalidArgumentException,
    LimitExceededException,
    ResourceInUseException,
    ResourceNotFoundException,
    SerializationException,
    UnknownOperationException,
    ValidationException,
)

__all__ = [
    "AwsError",
    "InternalFailure",
    "InvalidArgumentException",
    "LimitExceededException",
    "ResourceInUseException",
    "ResourceNotFoundException",
    "SerializationException",
    "NotSimulatedException",
    "ServiceUnavailableException",
    "UnknownOperationException",
    "ValidationException",
    "already_exists",
    "not_found",
    "not_permitted_on_kinesis_source",
    "prefix_constraint",
]


class ServiceUnavailableException(AwsError):
    """AWS's throttling answer for Firehose ("Slow down."), status 503."""

    code = "ServiceUnavailableException"
    status = 503


def not_found(name: str, account_id: str) -> ResourceNotFoundException:
    return ResourceNotFoundException(f"Firehose {name} under account {account_id} not found.")


def already_exists(name: str, account_id: str) -> ResourceInUseException:
    return ResourceInUseException(f"Firehose {name} under accountId {account_id} already exists")


def not_permitted_on_kinesis_source() -> InvalidArgumentException:
    return InvalidArgumentException(
        "This operation is not permitted on KinesisStreamAsSource delivery stream type."
    )


def prefix_constraint(constraint: str) -> InvalidArgumentException:
    """AWS's frame for prefix errors (its typo kept); ``constraint`` is AWS's text for a
    missing ErrorOutputPrefix and streamlab's wording for the other cases."""
    return InvalidArgumentException(
        f"Ths supplied prefix(es) do not satisfy the following constraint: {constraint}"
    )


class NotSimulatedException(AwsError):
    """An operation or option of AWS's Firehose API that streamlab does not simulate (status
    400, so SDKs report it at once instead of retrying)."""

    code = "NotImplementedException"
