"""The SQS event source mapping's parameters and AWS's checks on them
(https://docs.aws.amazon.com/lambda/latest/dg/services-sqs-parameters.html,
https://docs.aws.amazon.com/lambda/latest/api/API_CreateEventSourceMapping.html,
https://docs.aws.amazon.com/lambda/latest/api/API_ScalingConfig.html)."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from sim.services.esm import limits

REPORT_BATCH_ITEM_FAILURES = "ReportBatchItemFailures"


def _check_range(name: str, value: float, low: float, high: float) -> None:
    """AWS's request validation (ValidationException) wording for a number out of range."""
    if value < low:
        raise ValueError(
            f"1 validation error detected: Value '{value}' at '{name}' failed to satisfy "
            f"constraint: Member must have value greater than or equal to {low}"
        )
    if value > high:
        raise ValueError(
            f"1 validation error detected: Value '{value}' at '{name}' failed to satisfy "
            f"constraint: Member must have value less than or equal to {high}"
        )


@dataclass
class SqsMappingConfig:
    """The mapping's parameters (services-sqs-parameters.html).

    ``record_filter`` is built elsewhere from FilterCriteria: an object whose ``matches(record)``
    says whether an event record passes (None: no filtering). ``filter_criteria`` is the
    FilterCriteria document itself, shown by :meth:`SqsEventSourceMapping.describe`.
    """

    batch_size: int = limits.SQS_BATCH_SIZE_DEFAULT
    maximum_batching_window: float = 0.0
    function_response_types: list[str] = field(default_factory=list)
    maximum_concurrency: int | None = None  # ScalingConfig.MaximumConcurrency; None: no cap
    enabled: bool = True
    record_filter: Any = None
    filter_criteria: dict[str, Any] | None = None

    @property
    def reports_batch_item_failures(self) -> bool:
        return REPORT_BATCH_ITEM_FAILURES in self.function_response_types

    def validate(self, fifo: bool = False) -> None:
        """Raise ValueError with AWS's message for a configuration AWS refuses."""
        _check_range("batchSize", self.batch_size, 1, limits.SQS_BATCH_SIZE_MAX)
        _check_range(
            "maximumBatchingWindowInSeconds",
            self.maximum_batching_window,
            0,
            limits.BATCHING_WINDOW_MAX_SECONDS,
        )
        for response_type in self.function_response_types:
            if response_type not in limits.FUNCTION_RESPONSE_TYPES:
                raise ValueError(
                    f"1 validation error detected: Value '[{response_type}]' at "
                    "'functionResponseTypes' failed to satisfy constraint: Member must satisfy "
                    "constraint: [Member must satisfy enum value set: [ReportBatchItemFailures]]"
                )
        if self.maximum_concurrency is not None:
            _check_range(
                "scalingConfig.maximumConcurrency",
                self.maximum_concurrency,
                limits.SQS_MAXIMUM_CONCURRENCY_MIN,
                limits.SQS_MAXIMUM_CONCURRENCY_MAX,
            )
        if fifo:
            # AWS's words (services-sqs-parameters.html and its CreateEventSourceMapping error).
            if self.maximum_batching_window > 0:
                raise ValueError("Batching window is not supported for FIFO queues")
            if self.batch_size > limits.SQS_FIFO_BATCH_SIZE_MAX:
                # AWS's SQS message from before batching windows existed (the FIFO limit is
                # still 10); the current wording is not documented (assumption).
                raise ValueError("Maximum batch size must be between 1 and 10 inclusive")
        if (
            self.batch_size > limits.SQS_BATCH_SIZE_WITHOUT_WINDOW_MAX
            and self.maximum_batching_window < 1
        ):
            raise ValueError(
                "Maximum batch window in seconds must be greater than 0 if maximum batch size "
                "is greater than 10"
            )
