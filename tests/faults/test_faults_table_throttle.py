"""table_throttle: DynamoDB requests on a table answered with DynamoDB's throttling errors, as
botocore parses AWS's: ProvisionedThroughputExceededException for a provisioned table,
ThrottlingException for an on-demand one; batches over several tables return the throttled
table's requests unprocessed; transactions are cancelled with the reason per item."""

from __future__ import annotations

import random

import pytest
from botocore.exceptions import ClientError
from faults_support import TABLE_HANDLER, effect, lines, project

from sim import Simulation
from sim.faults import schedule_faults
from sim.faults.tables import ON_DEMAND_MESSAGE, PROVISIONED_MESSAGE
from sim.scenario import parse_scenario

ARN = "arn:aws:dynamodb:us-east-1:123456789012:table/{}"
SCENARIO = """
name: wire
clock: {start: 2021-11-01T00:00:00Z, duration: 10m}
resources:
  tables:
    - {name: Provisioned, partition_key: {name: id, type: S}, billing_mode: PROVISIONED,
       read_capacity: 5, write_capacity: 5}
    - {name: OnDemand, partition_key: {name: id, type: S}}
    - {name: Other, partition_key: {name: id, type: S}}
faults:
FAULTS
"""


@pytest.fixture
def dynamodb(cloud):
    client = cloud.client("dynamodb")
    for name in ("Provisioned", "OnDemand", "Other"):
        client.create_table(
            TableName=name,
            KeySchema=[{"AttributeName": "id", "KeyType": "HASH"}],
            AttributeDefinitions=[{"AttributeName": "id", "AttributeType": "S"}],
            BillingMode="PAY_PER_REQUEST",
        )
    return client


def install(cloud, *faults: str):
    scenario = parse_scenario(SCENARIO.replace("FAULTS", "\n".join(f"  - {f}" for f in faults)))
    return schedule_faults(scenario, cloud.clock, cloud.backend, None, random.Random(1))


def error_of(call) -> ClientError:
    with pytest.raises(ClientError) as raised:
        call()
    return raised.value


def item(key: str, **extra) -> dict:
    return {"id": {"S": key}, **extra}


def test_a_provisioned_table_answers_provisioned_throughput_exceeded(cloud, dynamodb):
    effects = install(cloud, "table_throttle: {table: Provisioned}")
    error = error_of(lambda: dynamodb.put_item(TableName="Provisioned", Item=item("a")))
    assert error.response["Error"] == {
        "Code": "ProvisionedThroughputExceededException",
        "Message": PROVISIONED_MESSAGE,
    }
    assert error.response["ThrottlingReasons"] == [
        {"reason": "TableWriteProvisionedThroughputExceeded", "resource": ARN.format("Provisioned")}
    ]
    metadata = error.response["ResponseMetadata"]
    assert metadata["HTTPStatusCode"] == 400
    assert len(metadata["RequestId"]) == 52 and metadata["RequestId"].isalnum()
    read = error_of(lambda: dynamodb.get_item(TableName="Provisioned", Key=item("a")))
    assert read.response["ThrottlingReasons"][0]["reason"] == (
        "TableReadProvisionedThroughputExceeded"
    )
    assert effects[0].counters == {"requests_throttled": 2}
    assert "Item" not in dynamodb.get_item(TableName="Other", Key=item("a"))  # others untouched


def test_an_on_demand_table_answers_throttling_exception(cloud, dynamodb):
    install(cloud, "table_throttle: {table: OnDemand}")
    error = error_of(lambda: dynamodb.query(
        TableName="OnDemand",
        KeyConditionExpression="id = :id",
        ExpressionAttributeValues={":id": {"S": "a"}},
    ))  # fmt: skip
    assert error.response["Error"] == {"Code": "ThrottlingException", "Message": ON_DEMAND_MESSAGE}
    assert error.response["ResponseMetadata"]["HTTPStatusCode"] == 400


@pytest.mark.parametrize("operations", ["read", "write"])
def test_operations_choose_reads_or_writes(cloud, dynamodb, operations):
    install(cloud, f"table_throttle: {{table: OnDemand, operations: {operations}}}")

    def write():
        dynamodb.put_item(TableName="OnDemand", Item=item("a"))

    def read():
        dynamodb.scan(TableName="OnDemand")

    throttled, free = (read, write) if operations == "read" else (write, read)
    free()
    assert error_of(throttled).response["Error"]["Code"] == "ThrottlingException"


def test_a_count_and_a_window(cloud, dynamodb):
    effects = install(
        cloud,
        "table_throttle: {table: OnDemand, count: 2}",
        "table_throttle: {table: Other, start: 10s, end: 20s}",
    )
    for _ in range(2):
        error_of(lambda: dynamodb.put_item(TableName="OnDemand", Item=item("a")))
    dynamodb.put_item(TableName="OnDemand", Item=item("a"))  # the count is used up
    dynamodb.put_item(TableName="Other", Item=item("a"))  # before the window
    cloud.advance(10)
    error_of(lambda: dynamodb.put_item(TableName="Other", Item=item("b")))
    cloud.advance(10)
    dynamodb.put_item(TableName="Other", Item=item("b"))  # after it
    assert effects[0].counters["requests_throttled"] == 2
    assert effects[1].counters["requests_throttled"] == 1


def test_batch_write_on_throttled_tables_only_fails(cloud, dynamodb):
    install(cloud, "table_throttle: {table: Provisioned}")
    error = error_of(lambda: dynamodb.batch_write_item(
        RequestItems={"Provisioned": [{"PutRequest": {"Item": item("a")}}]}
    ))  # fmt: skip
    assert error.response["Error"]["Code"] == "ProvisionedThroughputExceededException"


def test_batch_write_over_several_tables_returns_the_throttled_ones_unprocessed(cloud, dynamodb):
    effects = install(cloud, "table_throttle: {table: OnDemand, end: 5s}")
    blob = {"B": b"\x00\x01binary"}
    held = [
        {"PutRequest": {"Item": item("a", data=blob)}},
        {"DeleteRequest": {"Key": item("b")}},
    ]
    out = dynamodb.batch_write_item(
        RequestItems={
            "OnDemand": held,
            "Other": [{"PutRequest": {"Item": item("x", data=blob, tags={"BS": [b"1", b"2"]})}}],
        }
    )
    assert out["UnprocessedItems"] == {"OnDemand": held}  # unchanged, binary values included
    stored = dynamodb.get_item(TableName="Other", Key=item("x"))["Item"]
    assert stored["data"] == {"B": b"\x00\x01binary"} and sorted(stored["tags"]["BS"]) == [
        b"1",
        b"2",
    ]
    assert effects[0].counters == {"requests_throttled": 1, "items_unprocessed": 2}
    cloud.advance(5)  # the fault is over: nothing of OnDemand's was written meanwhile
    assert dynamodb.scan(TableName="OnDemand")["Count"] == 0
    # resent as AWS advises, the unprocessed items go in now
    assert dynamodb.batch_write_item(RequestItems=out["UnprocessedItems"])["UnprocessedItems"] == {}
    assert dynamodb.scan(TableName="OnDemand")["Count"] == 1


def test_batch_get_over_several_tables_returns_the_throttled_keys_unprocessed(cloud, dynamodb):
    dynamodb.put_item(TableName="Other", Item=item("x", v={"N": "1"}))
    install(cloud, "table_throttle: {table: Provisioned, operations: read}")
    wanted = {"Keys": [item("a"), item("b")], "ConsistentRead": True}
    out = dynamodb.batch_get_item(
        RequestItems={"Provisioned": wanted, "Other": {"Keys": [item("x")]}}
    )
    assert out["Responses"] == {"Other": [item("x", v={"N": "1"})]}
    assert out["UnprocessedKeys"] == {"Provisioned": wanted}


def test_a_transaction_is_cancelled_with_a_reason_per_item(cloud, dynamodb):
    install(cloud, "table_throttle: {table: OnDemand}")
    error = error_of(lambda: dynamodb.transact_write_items(
        TransactItems=[
            {"Put": {"TableName": "Other", "Item": item("x")}},
            {"Put": {"TableName": "OnDemand", "Item": item("a")}},
        ]
    ))  # fmt: skip
    assert error.response["Error"] == {
        "Code": "TransactionCanceledException",
        "Message": "Transaction cancelled, please refer cancellation reasons for specific "
        "reasons [None, ThrottlingError]",
    }
    assert error.response["CancellationReasons"] == [
        {"Code": "None"},
        {"Code": "ThrottlingError", "Message": ON_DEMAND_MESSAGE},
    ]
    assert "Item" not in dynamodb.get_item(TableName="Other", Key=item("x"))


def test_control_plane_and_other_tables_are_not_throttled(cloud, dynamodb):
    install(cloud, "table_throttle: {table: OnDemand}")
    assert dynamodb.describe_table(TableName="OnDemand")["Table"]["TableName"] == "OnDemand"
    dynamodb.put_item(TableName="Other", Item=item("a"))
    arn = ARN.format("OnDemand")  # a table named by its ARN is the same table
    assert (
        error_of(lambda: dynamodb.get_item(TableName=arn, Key=item("a"))).response["Error"]["Code"]
        == "ThrottlingException"
    )


# -- in a real run: a handler writing to a throttled table ---------------------------------------

RUN = """
    name: table-throttled
    seed: 7
    clock: {start: 2022-01-01T00:00:00Z, duration: 2m}
    resources:
      streams: [{name: s, shards: 1}]
      tables:
        - {name: Readings, partition_key: {name: id, type: S}BILLING}
    producers:
      - name: counter
        type: tests.producers_for_tests:CountingProducer
        target: {stream: s}
        rate: 2/s
        count: 60
    functions:
      - name: store
        handler: faults_h_table:handler
        # one attempt per call: the SDK's own retries would sleep in wall time while the
        # simulated clock stands still
        env: {TABLE: Readings, ERRORS: ERRFILE, AWS_MAX_ATTEMPTS: "1"}
        role:
          policies:
            - name: write
              document:
                Version: "2012-10-17"
                Statement:
                  - {Effect: Allow, Action: "dynamodb:PutItem", Resource: "*"}
        triggers:
          - kinesis: {stream: s, starting_position: TRIM_HORIZON, batch_size: 10}
    faults:
      - table_throttle: {table: Readings, start: 5s, end: 25s, operations: write}
    expect:
      - name: every reading stored
        count: {table: Readings}
        equals: 60
"""


@pytest.mark.parametrize(
    ("billing", "code", "message"),
    [
        ("", "ThrottlingException", ON_DEMAND_MESSAGE),
        (
            ", billing_mode: PROVISIONED, read_capacity: 5, write_capacity: 5",
            "ProvisionedThroughputExceededException",
            PROVISIONED_MESSAGE,
        ),
    ],
)
def test_a_handler_meets_the_throttle_and_its_batches_are_retried(tmp_path, billing, code, message):
    path = project(tmp_path, RUN.replace("BILLING", billing), {"faults_h_table": TABLE_HANDLER})
    with Simulation.from_file(path) as simulation:
        result = simulation.run()
    errors = lines(tmp_path / "errors.jsonl")
    assert errors and {(e["Code"], e["Message"]) for e in errors} == {(code, message)}
    assert effect(result)["requests_throttled"] == len(errors)
    failed = [r for r in result.invocations if r.outcome == "error"]
    assert failed and all(r.error["errorType"] == code for r in failed)  # botocore's class
    assert result.passed, result.report()  # all 60 stored once the window is over
    totals = result.ledger.totals()
    assert totals["produced"] == totals["delivered"] == 60 and totals["lost"] == 0
    assert (
        f"faults[0] table_throttle on table Readings, 5s → 25s, operations write: "
        f"{len(errors)} requests throttled" in result.report()
    )
