"""The clickstream scenario's three Lambda handlers (scenarios/clickstream.yaml), run as deployed
against the embedded backend (the ``cloud`` fixture, real moto) with events in AWS's shape,
each checked with tests/esm_fidelity before it is handed over:

* ``consumers.clickstream_sessions`` (Kinesis, ReportBatchItemFailures): one item per shopper;
* ``consumers.clickstream_orders`` (DynamoDB Streams of the sessions table): new purchases to
  the orders queue;
* ``consumers.clickstream_fulfillment`` (SQS, ReportBatchItemFailures): orders stored, those
  above the fraud limit reported.
"""

from __future__ import annotations

import base64
import hashlib
import itertools
import json
import random
import uuid
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from typing import Any

import pytest
from boto3.dynamodb.types import TypeDeserializer, TypeSerializer
from botocore.exceptions import ClientError

import consumers.clickstream_fulfillment as fulfillment
import consumers.clickstream_orders as orders
import consumers.clickstream_sessions as sessions
from producers.base import Record
from producers.clickstream import ClickstreamProducer
from sim.services.lambda_ import FunctionConfig, LambdaRuntime
from tests.cloud_code import top_level_imports
from tests.esm_fidelity import assert_dynamodb_event, assert_kinesis_event, assert_sqs_event
from tests.module_cloud import fresh

REGION = "us-east-1"
ACCOUNT = "123456789012"
STREAM_ARN = f"arn:aws:kinesis:{REGION}:{ACCOUNT}:stream/clicks"
SESSIONS = "sessions"
SESSIONS_STREAM_ARN = (
    f"arn:aws:dynamodb:{REGION}:{ACCOUNT}:table/{SESSIONS}/stream/2026-03-02T12:00:00.000"
)
ORDERS_TABLE = "orders"
ORDERS_QUEUE = "orders"
ORDERS_QUEUE_ARN = f"arn:aws:sqs:{REGION}:{ACCOUNT}:{ORDERS_QUEUE}"
T0 = datetime(2026, 3, 2, 12, 0, tzinfo=UTC)
# The TTL deleter's identity on a REMOVE record
# (https://docs.aws.amazon.com/amazondynamodb/latest/APIReference/API_streams_Record.html).
TTL_IDENTITY = {"type": "Service", "principalId": "dynamodb.amazonaws.com"}

_serializer, _deserializer = TypeSerializer(), TypeDeserializer()
_kinesis_sequence = itertools.count(49590338271490256608559692538361571095921575989136588898)
_stream_sequence = itertools.count(4421584500000000017450439091)


# --- the backend -----------------------------------------------------------------------------


def forget_clients() -> None:
    """The handlers keep their boto3 table, client and queue URL between invocations, as in a
    Lambda container; each test starts with a fresh container's module state."""
    sessions._table = None
    orders._sqs = None
    orders._queue_url = None
    fulfillment._table = None


@pytest.fixture
def cloud(module_cloud):
    """The module's backend with no tables and no queues (tests/module_cloud.py)."""
    return fresh(module_cloud)


@pytest.fixture
def env(cloud, monkeypatch):
    for name in (
        "AWS_ENDPOINT_URL",
        "AWS_ENDPOINT_URL_DYNAMODB",
        "AWS_ENDPOINT_URL_SQS",
        "AWS_PROFILE",
        "SESSION_TTL_SECONDS",
        "FRAUD_LIMIT",
    ):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("AWS_REGION", cloud.region)
    monkeypatch.setenv("AWS_DEFAULT_REGION", cloud.region)
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", "testing")
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "testing")
    monkeypatch.setenv("SESSIONS_TABLE", SESSIONS)
    monkeypatch.setenv("ORDERS_QUEUE", ORDERS_QUEUE)
    monkeypatch.setenv("ORDERS_TABLE", ORDERS_TABLE)
    forget_clients()
    yield cloud
    forget_clients()


def create_table(client, name: str, key: str, **extra) -> None:
    client.create_table(
        TableName=name,
        KeySchema=[{"AttributeName": key, "KeyType": "HASH"}],
        AttributeDefinitions=[{"AttributeName": key, "AttributeType": "S"}],
        BillingMode="PAY_PER_REQUEST",
        **extra,
    )


@pytest.fixture
def ddb(env):
    """The sessions table (with its NEW_AND_OLD_IMAGES stream; Time to Live is left off, the
    handlers do not depend on it) and the orders table, keyed as the scenario declares them;
    returns a DynamoDB client."""
    client = env.client("dynamodb")
    create_table(
        client,
        SESSIONS,
        "user_id",
        StreamSpecification={"StreamEnabled": True, "StreamViewType": "NEW_AND_OLD_IMAGES"},
    )
    create_table(client, ORDERS_TABLE, "order_id")
    return client


@pytest.fixture
def sqs(env):
    client = env.client("sqs")
    client.create_queue(QueueName=ORDERS_QUEUE, Attributes={"VisibilityTimeout": "60"})
    return client


def items(client, table: str) -> dict[str, dict]:
    """Every item of ``table`` as plain Python values, by its key."""
    key = "user_id" if table == SESSIONS else "order_id"
    found = {}
    for page in client.get_paginator("scan").paginate(TableName=table):
        for item in page["Items"]:
            plain = {k: _deserializer.deserialize(v) for k, v in item.items()}
            found[plain[key]] = plain
    return found


def messages(client, queue: str = ORDERS_QUEUE) -> list[dict]:
    url = client.get_queue_url(QueueName=queue)["QueueUrl"]
    found: list[dict] = []
    while batch := client.receive_message(QueueUrl=url, MaxNumberOfMessages=10).get("Messages", []):
        found += batch
        for message in batch:
            client.delete_message(QueueUrl=url, ReceiptHandle=message["ReceiptHandle"])
    return found


# --- events in AWS's shape -------------------------------------------------------------------


def click(
    action: str = "view",
    user: str | None = "u001",
    at: datetime = T0,
    price: float | None = None,
    order: str | None = None,
    **extra: Any,
) -> dict:
    """One clickstream event as the producer writes it (producers/clickstream.py)."""
    event: dict[str, Any] = {
        "event_id": uuid.uuid4().hex[:16],
        "ts": at.isoformat(timespec="milliseconds").replace("+00:00", "Z"),
        "user_id": user,
        "session_id": f"{user or 'u999'}-1",
        "action": action,
    }
    if action != "heartbeat":
        event.update(page="/product/p042", product_id="p042")
    if action in ("add_to_cart", "purchase"):
        event["price"] = 19.5 if price is None else price
    if action == "purchase":
        event["order_id"] = order or "o000001"
    return {**event, **extra}


def as_record(payload: dict | bytes) -> Record:
    """A clickstream record as the producer puts it (a dict is an event; bytes are sent as
    they are, keyed ``unknown``)."""
    if isinstance(payload, bytes):
        return Record(payload, "unknown")
    return Record(
        json.dumps(payload, separators=(",", ":")).encode(), payload["user_id"] or "unknown"
    )


def kinesis_event(payloads: list[dict | bytes | Record]) -> dict:
    """An event as Lambda delivers one shard's records
    (https://docs.aws.amazon.com/lambda/latest/dg/with-kinesis.html), validated."""
    records = []
    for n, payload in enumerate(payloads):
        record = payload if isinstance(payload, Record) else as_record(payload)
        sequence = str(next(_kinesis_sequence))
        records.append(
            {
                "kinesis": {
                    "kinesisSchemaVersion": "1.0",
                    "partitionKey": record.partition_key,
                    "sequenceNumber": sequence,
                    "data": base64.b64encode(record.data).decode(),
                    "approximateArrivalTimestamp": round(T0.timestamp() + n * 0.1, 3),
                },
                "eventSource": "aws:kinesis",
                "eventVersion": "1.0",
                "eventID": f"shardId-000000000001:{sequence}",
                "eventName": "aws:kinesis:record",
                "invokeIdentityArn": f"arn:aws:iam::{ACCOUNT}:role/sessionizer",
                "awsRegion": REGION,
                "eventSourceARN": STREAM_ARN,
            }
        )
    event = {"Records": records}
    assert_kinesis_event(event)
    return event


def sequence_numbers(event: dict, start: int = 0) -> list[dict]:
    return [
        {"itemIdentifier": record["kinesis"]["sequenceNumber"]}
        for record in event["Records"][start:]
    ]


def image(item: dict | None) -> dict | None:
    """A plain item as a stream image (DynamoDB's attribute-value form)."""
    if item is None:
        return None
    return {key: _serializer.serialize(value) for key, value in item.items()}


def session_item(user: str = "u001", purchases: int = 0, views: int = 1, **more: Any) -> dict:
    """A sessions item as clickstream_sessions writes it."""
    item: dict[str, Any] = {
        "user_id": user,
        "views": views,
        "last_seen": "2026-03-02T12:00:00.000Z",
        "expires_at": 1772453400,
    }
    if purchases:
        item |= {
            "purchases": purchases,
            "revenue": Decimal("19.5") * purchases,
            "last_order": {"order_id": f"o{purchases:06d}", "amount": Decimal("19.5")},
        }
    return item | more


def stream_event(changes: list[tuple[str, dict | None, dict | None]]) -> dict:
    """A DynamoDB Streams event of the sessions table (NEW_AND_OLD_IMAGES) from
    ``(eventName, old item, new item)`` (https://docs.aws.amazon.com/lambda/latest/dg/with-ddb.html);
    a REMOVE is a Time to Live deletion. Validated."""
    records = []
    for name, old, new in changes:
        user = (new or old or {})["user_id"]
        change: dict[str, Any] = {
            "ApproximateCreationDateTime": int(T0.timestamp()),
            "Keys": {"user_id": {"S": user}},
        }
        if new is not None:
            change["NewImage"] = image(new)
        if old is not None:
            change["OldImage"] = image(old)
        change |= {
            "SequenceNumber": str(next(_stream_sequence)),
            "SizeBytes": len(json.dumps([image(old), image(new)])),
            "StreamViewType": "NEW_AND_OLD_IMAGES",
        }
        record = {
            "eventID": uuid.uuid4().hex,
            "eventName": name,
            "eventVersion": "1.1",
            "eventSource": "aws:dynamodb",
            "awsRegion": REGION,
            "dynamodb": change,
            "eventSourceARN": SESSIONS_STREAM_ARN,
        }
        if name == "REMOVE":
            record["userIdentity"] = dict(TTL_IDENTITY)
        records.append(record)
    event = {"Records": records}
    assert_dynamodb_event(event)
    return event


def sqs_event(bodies: list[str], receive_counts: list[int] | None = None) -> dict:
    """An SQS event of the orders queue (https://docs.aws.amazon.com/lambda/latest/dg/with-sqs.html),
    validated."""
    counts = receive_counts or [1] * len(bodies)
    sent = int(T0.timestamp() * 1000)
    records = [
        {
            "messageId": str(uuid.uuid4()),
            "receiptHandle": base64.b64encode(uuid.uuid4().bytes * 4).decode(),
            "body": body,
            "attributes": {
                "ApproximateReceiveCount": str(count),
                "SentTimestamp": str(sent),
                "SenderId": "AROAEXAMPLE:order-router",
                "ApproximateFirstReceiveTimestamp": str(sent + 15),
            },
            "messageAttributes": {},
            "md5OfBody": hashlib.md5(body.encode()).hexdigest(),
            "eventSource": "aws:sqs",
            "eventSourceARN": ORDERS_QUEUE_ARN,
            "awsRegion": REGION,
        }
        for body, count in zip(bodies, counts, strict=True)
    ]
    event = {"Records": records}
    assert_sqs_event(event)
    return event


def order_body(order_id: str = "o000001", user: str = "u001", amount: float = 19.5) -> str:
    """An orders-queue message body as clickstream_orders sends it."""
    return json.dumps({"order_id": order_id, "user_id": user, "amount": amount})


def epoch(ts: str) -> int:
    return int(datetime.fromisoformat(ts.replace("Z", "+00:00")).timestamp())


# --- sessions --------------------------------------------------------------------------------


def test_sessions_count_each_action_and_a_purchase_sets_revenue_and_last_order(ddb):
    at = [T0 + timedelta(seconds=s) for s in range(6)]
    event = kinesis_event(
        [
            click("view", at=at[0]),
            click("view", at=at[1]),
            click("click", at=at[2]),
            click("add_to_cart", at=at[3], price=250.0),
            click("view", user="u002", at=at[4]),
            click("purchase", at=at[5], price=19.99, order="o000042"),
        ]
    )
    assert sessions.handler(event, None) == {"batchItemFailures": []}
    found = items(ddb, SESSIONS)
    last = "2026-03-02T12:00:05.000Z"
    assert found["u001"] == {
        "user_id": "u001",
        "views": 2,
        "clicks": 1,
        "carts": 1,
        "purchases": 1,
        "revenue": Decimal("19.99"),  # the purchase only, not the cart
        "last_order": {"order_id": "o000042", "amount": Decimal("19.99")},
        "last_seen": last,
        "expires_at": epoch(last) + 600,
    }
    assert found["u002"] == {
        "user_id": "u002",
        "views": 1,
        "last_seen": "2026-03-02T12:00:04.000Z",
        "expires_at": epoch("2026-03-02T12:00:04.000Z") + 600,
    }
    raw = ddb.get_item(TableName=SESSIONS, Key={"user_id": {"S": "u001"}})["Item"]
    assert raw["expires_at"] == {"N": str(epoch(last) + 600)}  # a Number, as TTL needs


def test_revenue_adds_up_exactly_and_last_order_is_the_latest(ddb):
    event = kinesis_event(
        [
            click("purchase", price=0.1, order="o000001"),
            click("purchase", price=0.2, order="o000002", at=T0 + timedelta(seconds=1)),
            click("purchase", price=1199.99, order="o000003", at=T0 + timedelta(seconds=2)),
        ]
    )
    sessions.handler(event, None)
    item = items(ddb, SESSIONS)["u001"]
    assert item["purchases"] == 3
    assert item["revenue"] == Decimal("1200.29")  # decimal: no 0.30000000000000004
    assert item["last_order"] == {"order_id": "o000003", "amount": Decimal("1199.99")}


@pytest.mark.parametrize(("ttl", "expected"), [(None, 600), ("90", 90), ("86400", 86400)])
def test_expires_at_is_the_event_time_plus_session_ttl_seconds(ddb, monkeypatch, ttl, expected):
    if ttl is not None:
        monkeypatch.setenv("SESSION_TTL_SECONDS", ttl)
    at = datetime(2026, 3, 2, 12, 30, 15, 750_000, tzinfo=UTC)  # 750 ms: whole seconds kept
    sessions.handler(kinesis_event([click("click", at=at)]), None)
    item = items(ddb, SESSIONS)["u001"]
    assert item["expires_at"] == int(at.timestamp()) + expected == 1772454615 + expected
    assert item["last_seen"] == "2026-03-02T12:30:15.750Z"


def test_heartbeats_are_ignored(ddb):
    only = kinesis_event([click("heartbeat"), click("heartbeat", user="u002")])
    assert sessions.handler(only, None) == {"batchItemFailures": []}
    assert items(ddb, SESSIONS) == {}
    mixed = kinesis_event([click("view"), click("heartbeat", at=T0 + timedelta(minutes=5))])
    assert sessions.handler(mixed, None) == {"batchItemFailures": []}
    item = items(ddb, SESSIONS)["u001"]
    assert item["views"] == 1
    assert item["last_seen"] == "2026-03-02T12:00:00.000Z"  # the heartbeat moved nothing
    assert item["expires_at"] == epoch("2026-03-02T12:00:00.000Z") + 600


@pytest.mark.parametrize(
    "poison",
    [
        pytest.param(click("view", user=None), id="null-user"),
        pytest.param(b"not json at all", id="not-json"),
        pytest.param(b"\xff\xfe{", id="not-utf8"),
        pytest.param(b"[1, 2, 3]", id="json-array"),
        pytest.param(b'{"action": "view", "ts": "2026-03-02T12:00:00.000Z"}', id="no-user"),
        pytest.param(click("view", user=""), id="empty-user"),
        pytest.param(b'{"user_id": "u001", "action": "view"}', id="no-ts"),
    ],
)
def test_a_poison_record_is_reported_with_every_record_after_it(ddb, poison, capsys):
    event = kinesis_event(
        [
            click("view", user="u001"),
            click("click", user="u002"),
            poison,
            click("view", user="u003"),
            click("purchase", user="u001", price=30.0),
        ]
    )
    answer = sessions.handler(event, None)
    assert answer == {"batchItemFailures": sequence_numbers(event, start=2)}
    found = items(ddb, SESSIONS)
    assert set(found) == {"u001", "u002"}  # nothing after the poison record written
    assert found["u001"]["views"] == 1 and "purchases" not in found["u001"]
    assert found["u002"]["clicks"] == 1
    poison_sequence = event["Records"][2]["kinesis"]["sequenceNumber"]
    assert f"cannot attribute {poison_sequence}" in capsys.readouterr().out


def test_a_poison_record_first_raises_so_that_lambda_bisects_and_writes_nothing(ddb):
    event = kinesis_event([b"{", click("view"), click("purchase")])
    with pytest.raises(sessions.PoisonRecordError, match="the first record of the batch"):
        sessions.handler(event, None)
    assert items(ddb, SESSIONS) == {}


def test_the_retry_from_the_poison_record_counts_nothing_twice(ddb):
    """Lambda retries from the lowest sequence number reported
    (https://docs.aws.amazon.com/lambda/latest/dg/services-kinesis-batchfailurereporting.html);
    that batch starts with the poison record, which the function answers with an error, so
    Lambda bisects it and gives up on the poison record alone. The records after it then come
    in a batch of their own and are counted once."""
    records = [click("view"), click("view", user=None), click("view"), click("click")]
    first = kinesis_event(records)
    failed = sessions.handler(first, None)["batchItemFailures"]
    assert failed == sequence_numbers(first, start=1)
    rest = {"Records": first["Records"][2:]}  # after the poison record went to the destination
    assert_kinesis_event(rest)
    assert sessions.handler(rest, None) == {"batchItemFailures": []}
    item = items(ddb, SESSIONS)["u001"]
    assert (item["views"], item["clicks"], "purchases" in item) == (2, 1, False)


@pytest.mark.parametrize(
    "unstorable",
    [
        pytest.param(b'{"user_id": "u002", "action": "view", "ts": "yesterday"}', id="bad-ts"),
        pytest.param(
            b'{"user_id": "u002", "action": "purchase", "ts": "2026-03-02T12:00:00.000Z"}',
            id="purchase-without-price",
        ),
    ],
)
def test_an_event_that_cannot_be_stored_is_reported_and_nothing_counts_twice(ddb, unstorable):
    records = [click("view", user="u001"), unstorable, click("click", user="u001")]
    event = kinesis_event(records)
    assert sessions.handler(event, None) == {"batchItemFailures": sequence_numbers(event, 1)}
    retry = {"Records": event["Records"][1:]}  # Lambda retries from the lowest one reported
    with pytest.raises(sessions.PoisonRecordError):  # first now: a function error (bisect)
        sessions.handler(retry, None)
    item = items(ddb, SESSIONS)["u001"]
    assert item["views"] == 1 and "clicks" not in item  # the view once, the click not yet


def test_the_producers_events_are_counted_per_shopper(ddb):
    """200 events of the real producer (heartbeats included), one shard's batch."""
    producer = ClickstreamProducer(random.Random(21), users=6)
    records = [r for k in range(200) for r in producer.emit(T0 + k * timedelta(milliseconds=100))]
    event = kinesis_event(records)
    assert sessions.handler(event, None) == {"batchItemFailures": []}
    sent = [json.loads(r.data) for r in records]
    found = items(ddb, SESSIONS)
    assert set(found) == {e["user_id"] for e in sent if e["action"] != "heartbeat"}
    for user, item in found.items():
        mine = [e for e in sent if e["user_id"] == user and e["action"] != "heartbeat"]
        for action, counter in sessions.COUNTERS.items():
            assert item.get(counter, 0) == sum(e["action"] == action for e in mine), (user, action)
        purchases = [e for e in mine if e["action"] == "purchase"]
        assert item.get("revenue", 0) == sum(Decimal(str(e["price"])) for e in purchases)
        if purchases:
            assert item["last_order"]["order_id"] == purchases[-1]["order_id"]
        assert item["last_seen"] == mine[-1]["ts"]
        assert item["expires_at"] == epoch(mine[-1]["ts"]) + 600


def test_the_producers_poison_record_is_reported_from_its_place(ddb):
    producer = ClickstreamProducer(random.Random(3), users=4, heartbeat_fraction=0, poison_every=25)
    records = [r for k in range(40) for r in producer.emit(T0 + k * timedelta(milliseconds=100))]
    assert records[24].partition_key == "unknown"
    event = kinesis_event(records)
    assert sessions.handler(event, None) == {"batchItemFailures": sequence_numbers(event, 24)}
    counted = sum(
        sum(v for k, v in item.items() if k in sessions.COUNTERS.values())
        for item in items(ddb, SESSIONS).values()
    )
    assert counted == 24  # the 24 events before the poison record, each once


def test_sessions_as_deployed_in_the_lambda_runtime(ddb, env):
    runtime = LambdaRuntime(now=lambda: env.clock.now, region=env.region)
    try:
        runtime.create_function(
            FunctionConfig(
                name="sessionizer",
                handler="consumers.clickstream_sessions:handler",
                timeout=10,
                env={"SESSIONS_TABLE": SESSIONS, "SESSION_TTL_SECONDS": "120"},
            )
        )
        event = kinesis_event([click("add_to_cart"), click("view", user=None), click("view")])
        result = runtime.invoke("sessionizer", event, source="kinesis:clicks")
    finally:
        runtime.close()
    assert result.function_error is None, result.payload
    assert result.payload == {"batchItemFailures": sequence_numbers(event, start=1)}
    assert items(ddb, SESSIONS)["u001"]["carts"] == 1
    assert items(ddb, SESSIONS)["u001"]["expires_at"] == int(T0.timestamp()) + 120


# --- orders ----------------------------------------------------------------------------------


def test_a_modify_where_purchases_grew_sends_one_order(sqs):
    old, new = session_item(purchases=1, views=4), session_item(purchases=2, views=4)
    new["last_order"] = {"order_id": "o000107", "amount": Decimal("1049.95")}
    assert orders.handler(stream_event([("MODIFY", old, new)]), None) is None
    [message] = messages(sqs)
    body = json.loads(message["Body"])
    assert body == {"order_id": "o000107", "user_id": "u001", "amount": 1049.95}
    assert type(body["amount"]) is float


def test_an_insert_with_a_purchase_sends_its_order(sqs):
    new = session_item(user="u017", purchases=1, views=0)
    orders.handler(stream_event([("INSERT", None, new)]), None)
    assert [json.loads(m["Body"]) for m in messages(sqs)] == [
        {"order_id": "o000001", "user_id": "u017", "amount": 19.5}
    ]


def test_changes_without_a_new_purchase_send_nothing(sqs):
    bought = session_item(purchases=3, views=7)
    event = stream_event(
        [
            ("INSERT", None, session_item(user="u002")),  # a first view
            ("MODIFY", bought, {**bought, "views": 8}),  # one more view
            ("MODIFY", session_item(user="u003"), session_item(user="u003", views=2)),
            ("REMOVE", bought, None),  # Time to Live deleted an idle shopper
        ]
    )
    assert event["Records"][3]["userIdentity"] == TTL_IDENTITY
    orders.handler(event, None)
    assert messages(sqs) == []


def test_a_mixed_batch_sends_only_the_new_purchases_in_order(sqs):
    a0, a1 = session_item("u001", purchases=1), session_item("u001", purchases=2)
    b1 = session_item("u002", purchases=1)
    b1["last_order"] = {"order_id": "o000009", "amount": Decimal("5")}
    event = stream_event(
        [
            ("MODIFY", a0, {**a0, "views": 2}),
            ("MODIFY", a0, a1),
            ("REMOVE", session_item("u005"), None),
            ("INSERT", None, b1),
        ]
    )
    orders.handler(event, None)
    assert [json.loads(m["Body"]) for m in messages(sqs)] == [
        {"order_id": "o000002", "user_id": "u001", "amount": 19.5},
        {"order_id": "o000009", "user_id": "u002", "amount": 5.0},
    ]


def test_orders_go_to_the_queue_named_by_orders_queue(sqs, monkeypatch):
    sqs.create_queue(QueueName="orders-eu")
    monkeypatch.setenv("ORDERS_QUEUE", "orders-eu")
    orders.handler(stream_event([("INSERT", None, session_item(purchases=1))]), None)
    assert messages(sqs, ORDERS_QUEUE) == []
    assert len(messages(sqs, "orders-eu")) == 1


def test_a_missing_orders_queue_fails_the_invocation(env, monkeypatch):
    monkeypatch.setenv("ORDERS_QUEUE", "no-such-queue")
    with pytest.raises(ClientError) as raised:
        orders.handler(stream_event([("INSERT", None, session_item(purchases=1))]), None)
    error = raised.value.response["Error"]
    # SQS's JSON protocol: the error QueueDoesNotExist, its legacy query code in Code
    # (https://docs.aws.amazon.com/AWSSimpleQueueService/latest/APIReference/API_GetQueueUrl.html)
    assert (error["Code"], error["QueryErrorCode"]) == (
        "AWS.SimpleQueueService.NonExistentQueue",
        "QueueDoesNotExist",
    )
    assert raised.value.operation_name == "GetQueueUrl"


def test_a_purchase_goes_from_the_click_to_the_orders_table(ddb, sqs):
    """The three handlers in a row, each on what the one before really wrote: the stream
    images are the sessions item read back from DynamoDB before and after the purchase."""

    def stored() -> dict | None:
        item = ddb.get_item(TableName=SESSIONS, Key={"user_id": {"S": "u004"}}).get("Item")
        return {k: _deserializer.deserialize(v) for k, v in item.items()} if item else None

    sessions.handler(kinesis_event([click("view", user="u004")]), None)
    before = stored()
    sessions.handler(
        kinesis_event([click("purchase", user="u004", price=1000.01, order="o000201")]), None
    )
    after = stored()
    sessions.handler(
        kinesis_event([click("purchase", user="u004", price=64.9, order="o000202")]), None
    )
    latest = stored()
    orders.handler(
        stream_event(
            [
                ("INSERT", None, before),
                ("MODIFY", before, after),
                ("MODIFY", after, latest),
            ]
        ),
        None,
    )
    bodies = [m["Body"] for m in messages(sqs)]
    assert [json.loads(b) for b in bodies] == [
        {"order_id": "o000201", "user_id": "u004", "amount": 1000.01},
        {"order_id": "o000202", "user_id": "u004", "amount": 64.9},
    ]
    event = sqs_event(bodies)
    assert fulfillment.handler(event, None) == {
        "batchItemFailures": [{"itemIdentifier": event["Records"][0]["messageId"]}]
    }
    assert set(items(ddb, ORDERS_TABLE)) == {"o000202"}


# --- fulfillment -----------------------------------------------------------------------------


def test_orders_up_to_the_fraud_limit_are_stored_and_the_rest_reported(ddb, monkeypatch):
    monkeypatch.setenv("FRAUD_LIMIT", "1000")
    event = sqs_event(
        [
            order_body("o000001", "u001", 999.99),
            order_body("o000002", "u002", 1000.01),
            order_body("o000003", "u003", 1000.0),  # at the limit: stored
            order_body("o000004", "u001", 1199.5),
            order_body("o000005", "u004", 5.0),
        ],
        receive_counts=[1, 1, 3, 2, 2],
    )
    ids = [record["messageId"] for record in event["Records"]]
    assert fulfillment.handler(event, None) == {
        "batchItemFailures": [{"itemIdentifier": ids[1]}, {"itemIdentifier": ids[3]}]
    }
    assert items(ddb, ORDERS_TABLE) == {
        "o000001": {
            "order_id": "o000001",
            "user_id": "u001",
            "amount": Decimal("999.99"),
            "receive_count": 1,
        },
        "o000003": {
            "order_id": "o000003",
            "user_id": "u003",
            "amount": Decimal("1000"),
            "receive_count": 3,
        },
        "o000005": {
            "order_id": "o000005",
            "user_id": "u004",
            "amount": Decimal("5"),
            "receive_count": 2,
        },
    }


@pytest.mark.parametrize(("limit", "held"), [(None, ["o2"]), ("50", ["o1", "o2"]), ("5000", [])])
def test_the_fraud_limit_comes_from_fraud_limit_default_1000(ddb, monkeypatch, limit, held):
    if limit is not None:
        monkeypatch.setenv("FRAUD_LIMIT", limit)
    event = sqs_event(
        [order_body("o1", amount=60.0), order_body("o2", amount=1000.5), order_body("o3", amount=9)]
    )
    by_order = {json.loads(r["body"])["order_id"]: r["messageId"] for r in event["Records"]}
    answer = fulfillment.handler(event, None)
    assert answer == {"batchItemFailures": [{"itemIdentifier": by_order[o]} for o in held]}
    assert set(items(ddb, ORDERS_TABLE)) == {"o1", "o2", "o3"} - set(held)


def test_a_message_that_is_not_an_order_is_reported_alone(ddb):
    event = sqs_event([order_body("o1", amount=10.0), "not json", order_body("o3", amount=9.0)])
    ids = [record["messageId"] for record in event["Records"]]
    assert fulfillment.handler(event, None) == {"batchItemFailures": [{"itemIdentifier": ids[1]}]}
    assert set(items(ddb, ORDERS_TABLE)) == {"o1", "o3"}


def test_an_all_good_batch_reports_no_failures(ddb):
    event = sqs_event([order_body(f"o{n:06d}", amount=10.0 * n) for n in range(1, 11)])
    assert fulfillment.handler(event, None) == {"batchItemFailures": []}
    assert len(items(ddb, ORDERS_TABLE)) == 10


def test_a_redelivered_order_is_stored_once_with_its_latest_receive_count(ddb):
    fulfillment.handler(sqs_event([order_body("o000001")], [1]), None)
    fulfillment.handler(sqs_event([order_body("o000001")], [2]), None)
    assert items(ddb, ORDERS_TABLE)["o000001"]["receive_count"] == 2
    assert len(items(ddb, ORDERS_TABLE)) == 1


# --- cloud code ------------------------------------------------------------------------------


@pytest.mark.parametrize("module", [sessions, orders, fulfillment], ids=lambda m: m.__name__)
def test_handlers_are_cloud_code(module):
    """Only the standard library and boto3: they deploy to Lambda as they are, never import sim."""
    allowed = {"base64", "json", "os", "datetime", "decimal", "boto3", "botocore"}
    assert top_level_imports(module) <= allowed
