"""The SQS mapping's parameters (services-sqs-parameters.html, API_CreateEventSourceMapping,
API_ScalingConfig): defaults, ranges and the combinations AWS refuses, with AWS's messages."""

from __future__ import annotations

import pytest

from sim.services.esm.sqs import SqsMappingConfig


def test_defaults():
    config = SqsMappingConfig()
    assert config.batch_size == 10
    assert config.maximum_batching_window == 0
    assert config.function_response_types == []
    assert config.maximum_concurrency is None
    assert config.enabled is True
    assert config.record_filter is None
    config.validate()
    config.validate(fifo=True)


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        (
            {"batch_size": 0},
            "1 validation error detected: Value '0' at 'batchSize' failed to satisfy "
            "constraint: Member must have value greater than or equal to 1",
        ),
        (
            {"batch_size": 10_001, "maximum_batching_window": 1},
            "1 validation error detected: Value '10001' at 'batchSize' failed to satisfy "
            "constraint: Member must have value less than or equal to 10000",
        ),
        (
            {"maximum_batching_window": 301},
            "1 validation error detected: Value '301' at 'maximumBatchingWindowInSeconds' failed "
            "to satisfy constraint: Member must have value less than or equal to 300",
        ),
        (
            {"function_response_types": ["ReportFailures"]},
            "1 validation error detected: Value '[ReportFailures]' at 'functionResponseTypes' "
            "failed to satisfy constraint: Member must satisfy constraint: [Member must satisfy "
            "enum value set: [ReportBatchItemFailures]]",
        ),
        (
            {"maximum_concurrency": 1},
            "1 validation error detected: Value '1' at 'scalingConfig.maximumConcurrency' failed "
            "to satisfy constraint: Member must have value greater than or equal to 2",
        ),
        (
            {"maximum_concurrency": 1001},
            "1 validation error detected: Value '1001' at 'scalingConfig.maximumConcurrency' "
            "failed to satisfy constraint: Member must have value less than or equal to 1000",
        ),
        (
            {"batch_size": 11},
            "Maximum batch window in seconds must be greater than 0 if maximum batch size is "
            "greater than 10",
        ),
    ],
)
def test_refused_configurations(changes, message):
    with pytest.raises(ValueError) as refused:
        SqsMappingConfig(**changes).validate()
    assert str(refused.value) == message


def test_the_largest_batches_need_a_window():
    SqsMappingConfig(batch_size=10_000, maximum_batching_window=1).validate()
    SqsMappingConfig(batch_size=10, maximum_batching_window=0).validate()
    SqsMappingConfig(maximum_concurrency=2).validate()
    SqsMappingConfig(maximum_concurrency=1000).validate()
