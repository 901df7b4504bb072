"""Table and bucket faults answer HTTP clients of the endpoint (``sim up``) exactly as they
answer in-process ones: the interceptors see both ways into the backend."""

from __future__ import annotations

import random

import boto3
import pytest
from botocore.config import Config
from botocore.exceptions import ClientError

from sim.backends.embedded.server import EndpointServer
from sim.daemon import free_port
from sim.faults import schedule_faults
from sim.faults.tables import ON_DEMAND_MESSAGE
from sim.scenario import parse_scenario

SCENARIO = """
name: endpoint
clock: {start: 2021-11-01T00:00:00Z, duration: 10m}
resources:
  tables: [{name: Readings, partition_key: {name: id, type: S}}]
  buckets: [{name: lake}]
faults:
  - table_throttle: {table: Readings}
  - bucket_unavailable: {bucket: lake}
"""


@pytest.fixture
def http_client(cloud):
    server = EndpointServer(cloud.backend, port=free_port()).start()

    def make(service: str):
        return boto3.client(
            service,
            endpoint_url=server.url,
            region_name="us-east-1",
            aws_access_key_id="test",
            aws_secret_access_key="test",
            config=Config(retries={"total_max_attempts": 1}),
        )

    yield make
    server.stop()


def test_http_clients_meet_the_same_faults(cloud, http_client):
    cloud.client("dynamodb").create_table(
        TableName="Readings",
        KeySchema=[{"AttributeName": "id", "KeyType": "HASH"}],
        AttributeDefinitions=[{"AttributeName": "id", "AttributeType": "S"}],
        BillingMode="PAY_PER_REQUEST",
    )
    cloud.client("s3").create_bucket(Bucket="lake")
    effects = schedule_faults(
        parse_scenario(SCENARIO), cloud.clock, cloud.backend, None, random.Random(1)
    )
    with pytest.raises(ClientError) as throttled:
        http_client("dynamodb").put_item(TableName="Readings", Item={"id": {"S": "a"}})
    assert throttled.value.response["Error"] == {
        "Code": "ThrottlingException",
        "Message": ON_DEMAND_MESSAGE,
    }
    with pytest.raises(ClientError) as refused:
        http_client("s3").put_object(Bucket="lake", Key="k", Body=b"x")
    assert refused.value.response["Error"]["Code"] == "SlowDown"
    assert refused.value.response["ResponseMetadata"]["HTTPStatusCode"] == 503
    assert effects[0].counters["requests_throttled"] == 1
    assert effects[1].counters["requests_refused"] == 1
