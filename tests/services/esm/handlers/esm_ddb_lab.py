"""The world of the DynamoDB Streams event source mapping tests: real parts only.

A :class:`sim.clock.Clock` bound to the process (:class:`sim.clock.ProcessTime`, so moto's
DynamoDB writes, and the records streamlab's stream store makes of them, are stamped with
simulated time), the embedded backend (moto's DynamoDB, SQS and S3 in process; streamlab's
DynamoDB Streams store fed by the table writes; the TTL sweeper on the clock), a real
``LambdaRuntime`` running the handler modules in this directory, and a ``sim.ledger.Ledger``.
The mapping is :class:`sim.services.esm.dynamodb.DynamoDBEventSourceMapping` reading the store
(``EmbeddedBackend.dynamodb_streams_store``), as the runner wires it.

Not a handler: this module lives among the handlers (``esm_ddb_*`` names) because that directory
is on ``sys.path`` for the whole test directory. Test modules bind its fixtures::

    import esm_ddb_lab

    ddb_backend = esm_ddb_lab.ddb_backend
    ddb = esm_ddb_lab.ddb

``ddb`` checks at teardown that every event the mappings sent passes the fidelity checks of
``tests/esm_fidelity.py`` and, as the Kinesis tests' ``lab`` does, that every hop balances
(``available == settled``) once every mapping has settled. Tables are keyed ``pk`` (a string);
the helpers name items by that key.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

import esm_shared
import pytest
from esm_clock_lab import T0, ClockLab

from sim.backends.embedded import EmbeddedBackend
from sim.clock import Clock, ProcessTime
from sim.services.dynamodbstreams import limits as stream_limits
from sim.services.esm.dynamodb import DynamoDBEventSourceMapping, DynamoDBMappingConfig
from sim.services.lambda_ import LambdaRuntime
from tests.esm_fidelity import assert_dynamodb_event, assert_dynamodb_window_event

ACCOUNT = "123456789012"
REGION = "us-east-1"
SEED = 7
# What a TTL deletion's record carries (and a user's deletion does not).
TTL_IDENTITY = {"type": "Service", "principalId": "dynamodb.amazonaws.com"}


def attribute(value: Any) -> dict[str, Any]:
    """A Python value as a DynamoDB AttributeValue (a dict is taken as one already)."""
    if isinstance(value, dict):
        return value
    if isinstance(value, bool):
        return {"BOOL": value}
    if isinstance(value, int | float):
        return {"N": str(value)}
    return {"S": str(value)}


def key_of(record: dict[str, Any]) -> str:
    """The ``pk`` of a stream record's item."""
    return record["dynamodb"]["Keys"]["pk"]["S"]


def change_of(record: dict[str, Any]) -> str:
    """``INSERT a``, ``MODIFY a``, ``REMOVE a``: what a record says happened to which item."""
    return f"{record['eventName']} {key_of(record)}"


class DdbLab(ClockLab):
    """One test's world. Times given to the helpers are seconds after ``T0``."""

    def __init__(self, clock: Clock, backend: EmbeddedBackend, runtime: LambdaRuntime) -> None:
        super().__init__(clock, runtime)
        self.backend = backend
        self.dynamodb = backend.client("dynamodb")

    # -- DynamoDB -------------------------------------------------------------------------
    @property
    def store(self) -> Any:
        """streamlab's DynamoDB Streams store for the region (``get_stream(table)``)."""
        return self.backend.dynamodb_streams_store(REGION)

    def stream(self, table: str = "tab") -> Any:
        return self.store.get_stream(table)

    def table(
        self, name: str = "tab", view: str = "NEW_AND_OLD_IMAGES", *, sort: str | None = None
    ) -> str:
        """A table keyed ``pk`` (and ``sort``, a string), its stream of ``view`` enabled;
        returns the stream's ARN (the table's LatestStreamArn)."""
        schema = [{"AttributeName": "pk", "KeyType": "HASH"}]
        attributes = [{"AttributeName": "pk", "AttributeType": "S"}]
        if sort:
            schema.append({"AttributeName": sort, "KeyType": "RANGE"})
            attributes.append({"AttributeName": sort, "AttributeType": "S"})
        answer = self.dynamodb.create_table(
            TableName=name,
            KeySchema=schema,
            AttributeDefinitions=attributes,
            BillingMode="PAY_PER_REQUEST",
            StreamSpecification={"StreamEnabled": True, "StreamViewType": view},
        )
        return answer["TableDescription"]["LatestStreamArn"]

    def put(self, *keys: str, at: float | None = None, table: str = "tab", **values: Any) -> None:
        """PutItem, one item per key (``pk``) with the attributes ``values``, in order, after
        running the clock to ``at`` if given."""
        if at is not None:
            self.run(at)
        for key in keys:
            item = {"pk": {"S": key}} | {name: attribute(v) for name, v in values.items()}
            self.dynamodb.put_item(TableName=table, Item=item)

    def update(
        self, key: str, *, at: float | None = None, table: str = "tab", **values: Any
    ) -> None:
        """UpdateItem ``SET`` of ``values`` on item ``key``."""
        if at is not None:
            self.run(at)
        names = {f"#a{i}": name for i, name in enumerate(values)}
        self.dynamodb.update_item(
            TableName=table,
            Key={"pk": {"S": key}},
            UpdateExpression="SET " + ", ".join(f"#a{i} = :v{i}" for i in range(len(values))),
            ExpressionAttributeNames=names,
            ExpressionAttributeValues={
                f":v{i}": attribute(value) for i, value in enumerate(values.values())
            },
        )

    def delete(self, *keys: str, at: float | None = None, table: str = "tab") -> None:
        if at is not None:
            self.run(at)
        for key in keys:
            self.dynamodb.delete_item(TableName=table, Key={"pk": {"S": key}})

    def enable_ttl(self, attribute_name: str = "expires", table: str = "tab") -> None:
        self.dynamodb.update_time_to_live(
            TableName=table,
            TimeToLiveSpecification={"Enabled": True, "AttributeName": attribute_name},
        )

    def stored(self, table: str = "tab") -> list[dict[str, Any]]:
        """Every retained record of the table's stream as the store holds it, shard by shard
        (the Lambda event record without ``eventSourceARN``)."""
        out: list[dict[str, Any]] = []
        for shard in self.stream(table).shards:
            records, _ = shard.read(shard.first_index, 10**9, 10**12)
            out += [record.record for record in records]
        return out

    # -- destinations ----------------------------------------------------------------------
    def queue(self, name: str) -> tuple[str, str]:
        """An SQS queue: (URL, ARN)."""
        sqs = self.backend.client("sqs")
        url = sqs.create_queue(QueueName=name)["QueueUrl"]
        arn = sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["QueueArn"])
        return url, arn["Attributes"]["QueueArn"]

    def messages(self, url: str) -> list[str]:
        """Every message body in the queue (received and deleted)."""
        sqs = self.backend.client("sqs")
        out: list[str] = []
        while got := sqs.receive_message(QueueUrl=url, MaxNumberOfMessages=10).get("Messages"):
            out += [message["Body"] for message in got]
            for message in got:
                sqs.delete_message(QueueUrl=url, ReceiptHandle=message["ReceiptHandle"])
        return out

    # -- Lambda and the mapping -------------------------------------------------------------
    def mapping(
        self,
        function: str = "consumer",
        handler: str = "esm_recorder:handler",
        table: str = "tab",
        *,
        timeout: int = 3,
        env: dict[str, str] | None = None,
        invocation_duration: float = 0.0,
        **config: Any,
    ) -> DynamoDBEventSourceMapping:
        """A mapping from ``table``'s stream to ``function`` (created with ``handler`` if new);
        ``config`` holds DynamoDBMappingConfig fields (default TRIM_HORIZON). On-failure
        destinations are sent to with the backend's clients."""
        fn = self.function(function, handler, timeout, env)
        runtime, captured, source = self.runtime, self.captured, f"dynamodb:{table}"

        def invoke(event: Any) -> Any:
            captured.append(event)
            return runtime.invoke(fn.name, event, source=source)

        config.setdefault("starting_position", "TRIM_HORIZON")
        mapping = DynamoDBEventSourceMapping(
            uuid=f"00000000-0000-4000-8000-{len(self.mappings):012d}",
            clock=self.clock,
            store=self.store,
            stream_name=table,
            function_name=fn.name,
            function_arn=fn.arn,
            invoke=invoke,
            ledger=self.ledger,
            role_arn=fn.role_arn or "",
            region=REGION,
            config=DynamoDBMappingConfig(**config),
            destination_client=self.backend.client,
            invocation_duration=invocation_duration,
        )
        self.mappings.append(mapping)
        return mapping

    # -- what happened --------------------------------------------------------------------
    def events(self, function: str | None = None) -> list[dict[str, Any]]:
        """Events as the handlers received them, in invocation order."""
        return [event for name, _, event in esm_shared.EVENTS if function in (None, name)]

    def batches(self, function: str | None = None) -> list[list[str]]:
        """The item keys of each event's records, in invocation order."""
        return [[key_of(r) for r in event["Records"]] for event in self.events(function)]

    def sent_events(self) -> list[dict[str, Any]]:
        """Every event exactly as the mappings sent it (JSON text parsed), in order."""
        return [json.loads(event) for event in self.captured]

    def delivered(self, mapping: DynamoDBEventSourceMapping) -> list[str]:
        """Changes (``INSERT a``, ...) of the mapping's wholly successful invocations, in
        order."""
        events = {request_id: event for _, request_id, event in esm_shared.EVENTS}
        out: list[str] = []
        for batch in mapping.batches:
            if batch.outcome == "success" and not batch.partial:
                out += [change_of(r) for r in events[batch.request_id]["Records"]]
        return out

    def check_event(self, event: Any) -> None:
        """A plain event passes ``assert_dynamodb_event``, a tumbling-window one
        ``assert_dynamodb_window_event``."""
        if b'"isFinalInvokeForWindow"' in event:
            assert_dynamodb_window_event(event)
        else:
            assert_dynamodb_event(event)

    def assert_faithful(self) -> None:
        """Every event the mappings sent looks like AWS's."""
        for event in self.captured:
            self.check_event(event)


def _reset_moto() -> None:
    """Forget the tables, queues and buckets of the previous test (a whole backend reset costs
    about a second: moto rebuilds IAM's managed policies)."""
    from moto.dynamodb.models import dynamodb_backends
    from moto.s3.models import s3_backends
    from moto.sqs.models import sqs_backends

    dynamodb_backends[ACCOUNT][REGION].reset()
    sqs_backends[ACCOUNT][REGION].reset()
    s3_backends[ACCOUNT]["aws"].reset()


@pytest.fixture(scope="module")
def ddb_backend() -> Iterator[EmbeddedBackend]:
    """One embedded backend per test module (one can be active per process), reset per test."""
    backend = EmbeddedBackend(seed=SEED, account_id=ACCOUNT, region=REGION)
    backend.start()
    try:
        yield backend
    finally:
        backend.stop()


@pytest.fixture
def ddb(ddb_backend: EmbeddedBackend, clock: Clock, runtime: LambdaRuntime) -> Iterator[DdbLab]:
    """The lab with no tables, process time bound to the clock and the TTL sweeper on it;
    at teardown every event sent is checked against AWS's shape and every hop balanced."""
    assert clock.now == T0, "the esm conftest's clock must start at T0"
    _reset_moto()
    store = ddb_backend.dynamodb_streams_store(REGION)
    store.reset()
    store.rollover = stream_limits.SHARD_ROLLOVER_SECONDS  # a test may have shortened it
    ddb_backend.dynamodb_ttl().reset()
    ddb_backend.attach_clock(clock)
    try:
        with ProcessTime(clock):
            world = DdbLab(clock, ddb_backend, runtime)
            yield world
            world.assert_balanced()
    finally:
        ddb_backend.attach_clock(None)
