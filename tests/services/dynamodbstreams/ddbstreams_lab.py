"""Helpers for the DynamoDB Streams tests (fixtures in ``conftest.py``).

``Lab`` wraps the ``cloud`` fixture's backend (moto's DynamoDB in-process, streamlab's stream
store, process time bound to ``lab.clock``) with the run's clock attached, so the TTL sweeper
runs on it: ``lab.table(...)`` creates a table, ``lab.records(table)`` reads every retained
record of its latest stream from the store, ``lab.dynamodb`` / ``lab.streams`` are boto3
clients answered in-process.
"""

from __future__ import annotations

from typing import Any

import pytest
from botocore.exceptions import ClientError

from sim.pytest_plugin import Cloud

START = "2024-03-01T12:00:00Z"  # a whole second: ApproximateCreationDateTime is floor(now)
T0 = 1_709_294_400.0  # START in epoch seconds


class Lab:
    def __init__(self, cloud: Cloud) -> None:
        self.cloud = cloud
        self.clock = cloud.clock
        self.backend = cloud.backend
        self.dynamodb = cloud.client("dynamodb")
        self.streams = cloud.client("dynamodbstreams")

    def client(self, service: str, region: str | None = None) -> Any:
        return self.cloud.client(service, region)

    def advance(self, seconds: float) -> None:
        self.cloud.advance(seconds)

    def store(self, region: str | None = None) -> Any:
        return self.backend.dynamodb_streams_store(region)

    def table(
        self,
        name: str = "tab",
        view: str | None = "NEW_AND_OLD_IMAGES",
        *,
        sort: str | None = None,
        key_type: str = "S",
        region: str | None = None,
    ) -> str:
        """Create a table keyed ``pk`` (and ``sk``), with a stream of ``view`` (None: none);
        returns its LatestStreamArn (or "")."""
        schema = [{"AttributeName": "pk", "KeyType": "HASH"}]
        attributes = [{"AttributeName": "pk", "AttributeType": key_type}]
        if sort:
            schema.append({"AttributeName": sort, "KeyType": "RANGE"})
            attributes.append({"AttributeName": sort, "AttributeType": "S"})
        kwargs: dict[str, Any] = {
            "TableName": name,
            "KeySchema": schema,
            "AttributeDefinitions": attributes,
            "BillingMode": "PAY_PER_REQUEST",
        }
        if view:
            kwargs["StreamSpecification"] = {"StreamEnabled": True, "StreamViewType": view}
        client = self.client("dynamodb", region)
        return client.create_table(**kwargs)["TableDescription"].get("LatestStreamArn", "")

    def records(self, table: str = "tab", region: str | None = None) -> list[Any]:
        """Every retained record of the table's latest stream, shard by shard."""
        out = []
        for shard in self.store(region).get_stream(table).shards:
            records, _ = shard.read(shard.first_index, 10**9, 10**12)
            out.extend(records)
        return out

    def events(self, table: str = "tab", region: str | None = None) -> list[dict[str, Any]]:
        return [record.record for record in self.records(table, region)]


def error_of(excinfo: pytest.ExceptionInfo) -> tuple[str, str]:
    """(code, message) of a botocore ClientError."""
    error = excinfo.value
    assert isinstance(error, ClientError), error
    return error.response["Error"]["Code"], error.response["Error"]["Message"]
