"""The Lambda API's asynchronous settings: event invoke configs, reserved concurrency and
dead-letter queues, as requests and answers (``/2019-09-25/…/event-invoke-config``,
``/2017-10-31/…/concurrency``, ``DeadLetterConfig``), checked as AWS checks them."""

from __future__ import annotations

import re
from typing import Any

from sim.services.lambda_.asynchronous import (
    EVENT_AGE_MAX_S,
    EVENT_AGE_MIN_S,
    RETRY_ATTEMPTS_MAX,
    EventInvokeConfig,
)
from sim.services.lambda_.destinations import (
    DEAD_LETTER_SERVICES,
    DESTINATION_SERVICES,
    arn_service,
)
from sim.services.lambda_.exceptions import InvalidParameterValueException

# DestinationConfig.OnSuccess/OnFailure.Destination (botocore's model, DestinationArn).
DESTINATION_PATTERN = (
    r"^$|arn:(aws[a-zA-Z0-9-]*):([a-zA-Z0-9\-])+:([a-z]{2}((-gov)|(-iso(b?)))?-[a-z]+-\d{1})?:"
    r"(\d{12})?:(.*)"
)
_DESTINATION = re.compile(DESTINATION_PATTERN)
# PutFunctionConcurrency: ReservedConcurrentExecutions >= 0 (ReservedConcurrentExecutions shape).
RESERVED_CONCURRENCY_MIN = 0


def _validation(errors: list[str]) -> Exception:
    from sim.errors import ValidationException

    count = len(errors)
    noun = "error" if count == 1 else "errors"
    return ValidationException(f"{count} validation {noun} detected: " + "; ".join(errors))


def parse(
    request: dict[str, Any],
    *,
    function_name: str,
    function_exists: Any,
    previous: EventInvokeConfig | None = None,
    now: float,
) -> EventInvokeConfig:
    """An :class:`EventInvokeConfig` from a Put (``previous`` None) or Update request body."""
    retries = request.get("MaximumRetryAttempts")
    age = request.get("MaximumEventAgeInSeconds")
    destinations = request.get("DestinationConfig")
    if retries is None and age is None and destinations is None:
        raise InvalidParameterValueException(
            "You must specify at least one of error handling or destination setting."
        )
    errors = []
    if retries is not None and not (0 <= retries <= RETRY_ATTEMPTS_MAX):
        errors.append(
            f"Value '{retries}' at 'maximumRetryAttempts' failed to satisfy constraint: Member "
            f"must have value {'less than or equal to 2' if retries > 0 else 'greater than or equal to 0'}"
        )
    if age is not None and not (EVENT_AGE_MIN_S <= age <= EVENT_AGE_MAX_S):
        bound = (
            f"less than or equal to {EVENT_AGE_MAX_S}"
            if age > EVENT_AGE_MAX_S
            else f"greater than or equal to {EVENT_AGE_MIN_S}"
        )
        errors.append(
            f"Value '{age}' at 'maximumEventAgeInSeconds' failed to satisfy constraint: Member "
            f"must have value {bound}"
        )
    on_success = on_failure = None
    if destinations is not None:
        on_success = (destinations.get("OnSuccess") or {}).get("Destination") or None
        on_failure = (destinations.get("OnFailure") or {}).get("Destination") or None
        for member, arn in (("onSuccess", on_success), ("onFailure", on_failure)):
            if arn and not _DESTINATION.fullmatch(arn):
                errors.append(
                    f"Value '{arn}' at 'destinationConfig.{member}.destination' failed to satisfy "
                    f"constraint: Member must satisfy regular expression pattern: "
                    f"{DESTINATION_PATTERN}"
                )
    if errors:
        raise _validation(errors)
    for arn in (on_success, on_failure):
        if arn:
            check_destination(arn, function_name, function_exists, on_success, on_failure)
    base = previous or EventInvokeConfig(maximum_retry_attempts=None, maximum_event_age=None)  # type: ignore[arg-type]
    return EventInvokeConfig(
        maximum_retry_attempts=retries if retries is not None else base.maximum_retry_attempts,
        maximum_event_age=age if age is not None else base.maximum_event_age,
        on_success=on_success if destinations is not None else base.on_success,
        on_failure=on_failure if destinations is not None else base.on_failure,
        last_modified=now,
    )


def check_destination(
    arn: str,
    function_name: str,
    function_exists: Any,
    on_success: str | None,
    on_failure: str | None,
) -> None:
    """AWS's checks of a destination ARN: a supported service, no FIFO queue or topic, an
    existing function that is not the function itself."""
    service = arn_service(arn)
    invalid = service not in DESTINATION_SERVICES or arn.endswith(".fifo")
    if service == "lambda":
        name = arn.split(":")[6] if len(arn.split(":")) > 6 else ""
        if name == function_name:
            raise InvalidParameterValueException(
                "You can't specify the function as a destination for itself."
            )
        if not function_exists(name):
            raise InvalidParameterValueException(f"The destination ARN {arn} is invalid.")
    if invalid:
        success = f"OnSuccess(destination={on_success})" if on_success else "null"
        failure = f"OnFailure(destination={on_failure})" if on_failure else "null"
        raise InvalidParameterValueException(
            f"The provided destination config DestinationConfig(onSuccess={success}, "
            f"onFailure={failure}) is invalid."
        )


def check_dead_letter_target(arn: str) -> None:
    if arn_service(arn) not in DEAD_LETTER_SERVICES or arn.endswith(".fifo"):
        raise InvalidParameterValueException(
            "The provided target ARN is invalid (DeadLetterConfig.TargetArn must be a standard "
            f"SQS queue or SNS topic): {arn}"
        )


def document(config: EventInvokeConfig, function_arn: str) -> dict[str, Any]:
    """``FunctionEventInvokeConfig`` as the API answers it."""
    answer: dict[str, Any] = {
        "LastModified": config.last_modified,
        "FunctionArn": function_arn,
        "DestinationConfig": {
            "OnSuccess": {"Destination": config.on_success} if config.on_success else {},
            "OnFailure": {"Destination": config.on_failure} if config.on_failure else {},
        },
    }
    if config.maximum_retry_attempts is not None:
        answer["MaximumRetryAttempts"] = config.maximum_retry_attempts
    if config.maximum_event_age is not None:
        answer["MaximumEventAgeInSeconds"] = config.maximum_event_age
    return answer
