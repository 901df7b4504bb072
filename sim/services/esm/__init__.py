"""Lambda event source mappings: the pollers that turn stream records and queue messages into
invocations (Kinesis, DynamoDB Streams, SQS)."""

from sim.services.esm.kinesis import BatchOutcome, KinesisEventSourceMapping, KinesisMappingConfig
from sim.services.esm.sqs import SqsBatchOutcome, SqsEventSourceMapping
from sim.services.esm.sqs_config import SqsMappingConfig

__all__ = [
    "BatchOutcome",
    "KinesisEventSourceMapping",
    "KinesisMappingConfig",
    "SqsBatchOutcome",
    "SqsEventSourceMapping",
    "SqsMappingConfig",
]
