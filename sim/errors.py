"""The one error family for simulated AWS behaviour.

Every error a simulated service raises is an :class:`AwsError` carrying AWS's error code,
AWS's exact message and the HTTP status AWS answers with. Subclasses are named exactly like
AWS's exceptions, so ``except ResourceNotFoundException`` reads the same here as in boto3.

Scenario files have their own family (:mod:`sim.scenario.errors`); a user's handler exception
is never turned into one of these: it is recorded with its traceback in the invocation log.
"""

from __future__ import annotations


class AwsError(Exception):
    """An error as AWS reports it: ``code`` (the ``__type``), ``message`` and HTTP status."""

    code: str = "InternalFailure"
    status: int = 400

    def __init__(self, message: str = "", *, code: str | None = None, status: int | None = None):
        super().__init__(message)
        self.message = message
        if code is not None:
            self.code = code
        if status is not None:
            self.status = status

    def __str__(self) -> str:
        return f"{self.code}: {self.message}" if self.message else self.code

    def to_dict(self) -> dict[str, str]:
        """The error body of AWS's JSON protocols (``__type`` and ``message``)."""
        return {"__type": self.code, "message": self.message}


class ValidationException(AwsError):
    code = "ValidationException"


class ResourceNotFoundException(AwsError):
    code = "ResourceNotFoundException"


class ResourceInUseException(AwsError):
    code = "ResourceInUseException"


class InvalidArgumentException(AwsError):
    code = "InvalidArgumentException"


class LimitExceededException(AwsError):
    code = "LimitExceededException"


class ProvisionedThroughputExceededException(AwsError):
    code = "ProvisionedThroughputExceededException"


class ExpiredIteratorException(AwsError):
    code = "ExpiredIteratorException"


class AccessDeniedException(AwsError):
    code = "AccessDeniedException"


class SerializationException(AwsError):
    code = "SerializationException"


class UnknownOperationException(AwsError):
    code = "UnknownOperationException"


class InternalFailure(AwsError):
    code = "InternalFailure"
    status = 500
