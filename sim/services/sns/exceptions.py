"""SNS errors, named and coded as botocore's sns-2010-03-31 service model names them.

The model gives each error's code and HTTP status (``InvalidParameterException``: code
``InvalidParameter``, 400; ``InvalidParameterValueException``: code ``ParameterValueInvalid``,
400; ``NotFoundException``: code ``NotFound``, 404; ...). The messages are AWS's as recorded in
LocalStack's AWS-validated snapshot tests (see :mod:`sim.services.sns.limits`, RECORDED) unless
a helper below says otherwise.
"""

from __future__ import annotations

from sim.errors import AwsError

__all__ = [
    "AwsError",
    "BatchEntryIdsNotDistinctException",
    "BatchRequestTooLongException",
    "EmptyBatchRequestException",
    "InvalidBatchEntryIdException",
    "InvalidParameterException",
    "InvalidParameterValueException",
    "NotFoundException",
    "TooManyEntriesInBatchRequestException",
    "ValidationError",
    "arn_too_short",
    "topic_not_found",
]


class InvalidParameterException(AwsError):
    code = "InvalidParameter"


class InvalidParameterValueException(AwsError):
    """Message attribute errors (code ``ParameterValueInvalid``)."""

    code = "ParameterValueInvalid"


class NotFoundException(AwsError):
    code = "NotFound"
    status = 404


class TooManyEntriesInBatchRequestException(AwsError):
    code = "TooManyEntriesInBatchRequest"


class BatchEntryIdsNotDistinctException(AwsError):
    code = "BatchEntryIdsNotDistinct"


class InvalidBatchEntryIdException(AwsError):
    code = "InvalidBatchEntryId"


class BatchRequestTooLongException(AwsError):
    code = "BatchRequestTooLong"


class EmptyBatchRequestException(AwsError):
    code = "EmptyBatchRequest"


class ValidationError(AwsError):
    """The query protocol's request validation error (a required member missing)."""

    code = "ValidationError"


def topic_not_found() -> NotFoundException:
    return NotFoundException("Topic does not exist")


def arn_too_short(parameter: str, arn: str) -> InvalidParameterException:
    """AWS's answer to a TopicArn that is not an ARN (RECORDED test_publish_wrong_arn_format)."""
    count = len(arn.split(":"))
    return InvalidParameterException(
        f"Invalid parameter: {parameter} Reason: An ARN must have at least 6 elements, not {count}"
    )
