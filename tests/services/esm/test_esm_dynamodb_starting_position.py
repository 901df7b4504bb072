"""StartingPosition of a DynamoDB Streams mapping: TRIM_HORIZON (every retained record) or LATEST
(only records written after the mapping starts). AT_TIMESTAMP is for Kinesis (and Kafka) only:
"AT_TIMESTAMP is supported only for Amazon Kinesis streams, Amazon DocumentDB, Amazon MSK, and
self-managed Apache Kafka"
(https://docs.aws.amazon.com/lambda/latest/api/API_CreateEventSourceMapping.html)."""

from __future__ import annotations

import esm_ddb_lab
import pytest
from esm_ddb_lab import T0, DdbLab

from sim.services.esm.dynamodb import DynamoDBMappingConfig
from tests.esm_fidelity import assert_dynamodb_event

# the lab's fixtures (see esm_ddb_lab)
ddb_backend = esm_ddb_lab.ddb_backend
ddb = esm_ddb_lab.ddb


def test_trim_horizon_reads_what_was_written_before_the_mapping(ddb: DdbLab):
    ddb.table()
    ddb.put("before-1", "before-2", at=1)
    ddb.run(10)
    mapping = ddb.mapping(starting_position="TRIM_HORIZON")
    ddb.put("after", at=12)
    ddb.run(15)
    assert ddb.delivered(mapping) == ["INSERT before-1", "INSERT before-2", "INSERT after"]
    for event in ddb.events():
        assert_dynamodb_event(event)
    ddb.settle()
    assert ddb.hop(mapping).available == 3


def test_latest_reads_only_what_is_written_after_the_mapping(ddb: DdbLab):
    ddb.table()
    ddb.put("before-1", "before-2", at=1)
    ddb.run(10)
    mapping = ddb.mapping(starting_position="LATEST")
    ddb.put("after", at=12)
    ddb.update("before-1", at=13, status="changed")
    ddb.run(15)
    assert ddb.delivered(mapping) == ["INSERT after", "MODIFY before-1"]
    for event in ddb.events():
        assert_dynamodb_event(event)
    ddb.settle()
    assert ddb.hop(mapping).available == 2  # the records before it are not this mapping's


def test_trim_horizon_starts_at_the_oldest_retained_record(ddb: DdbLab):
    ddb.table()
    ddb.put("expired", at=1)
    ddb.put("retained", at=3600)
    ddb.run(24 * 3600 + 2)  # "expired" is past the 24-hour retention
    mapping = ddb.mapping(starting_position="TRIM_HORIZON")
    ddb.run(24 * 3600 + 5)
    assert ddb.delivered(mapping) == ["INSERT retained"]


def test_at_timestamp_is_refused():
    config = DynamoDBMappingConfig(starting_position="AT_TIMESTAMP", starting_position_timestamp=T0)
    with pytest.raises(ValueError, match="StartingPosition must be one of TRIM_HORIZON, LATEST$"):
        config.validate()
    # Kinesis's parameters take it: the refusal is DynamoDB's
    assert "AT_TIMESTAMP" not in DynamoDBMappingConfig.STARTING_POSITIONS


def test_a_mapping_at_timestamp_is_not_created(ddb: DdbLab):
    ddb.table()
    with pytest.raises(ValueError, match="StartingPosition must be one of TRIM_HORIZON, LATEST"):
        ddb.mapping(starting_position="AT_TIMESTAMP", starting_position_timestamp=T0)
    assert ddb.mappings == []
    assert ddb.ledger.hops == {}


def test_an_unknown_starting_position_is_refused(ddb: DdbLab):
    ddb.table()
    with pytest.raises(ValueError, match="StartingPosition must be one of"):
        ddb.mapping(starting_position="EARLIEST")
