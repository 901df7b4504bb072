"""Lambda event source mappings: the pollers that turn stream records into invocations."""

from sim.services.esm.kinesis import BatchOutcome, KinesisEventSourceMapping, KinesisMappingConfig

__all__ = ["BatchOutcome", "KinesisEventSourceMapping", "KinesisMappingConfig"]
