"""The event a DynamoDB Streams mapping hands to its function: each record is the stream record
as the table's stream wrote it plus the stream's ``eventSourceARN``, INSERT/MODIFY/REMOVE carry
the images their view type keeps, records come in write order, and a TTL deletion's record
carries ``userIdentity`` (https://docs.aws.amazon.com/lambda/latest/dg/with-ddb.html)."""

from __future__ import annotations

import json

import esm_ddb_lab
import pytest
from esm_ddb_lab import REGION, T0, TTL_IDENTITY, DdbLab, change_of, key_of

from tests.esm_fidelity import assert_dynamodb_event

# the lab's fixtures (see esm_ddb_lab)
ddb_backend = esm_ddb_lab.ddb_backend
ddb = esm_ddb_lab.ddb

VIEWS = ["KEYS_ONLY", "NEW_IMAGE", "OLD_IMAGE", "NEW_AND_OLD_IMAGES"]
# The images a record carries, by view type and change (API_streams_StreamRecord.html).
IMAGES = {
    "KEYS_ONLY": {"INSERT": [], "MODIFY": [], "REMOVE": []},
    "NEW_IMAGE": {"INSERT": ["NewImage"], "MODIFY": ["NewImage"], "REMOVE": []},
    "OLD_IMAGE": {"INSERT": [], "MODIFY": ["OldImage"], "REMOVE": ["OldImage"]},
    "NEW_AND_OLD_IMAGES": {
        "INSERT": ["NewImage"],
        "MODIFY": ["NewImage", "OldImage"],
        "REMOVE": ["OldImage"],
    },
}


@pytest.mark.parametrize("view", VIEWS)
def test_insert_modify_and_remove_records_of_every_view_type(ddb: DdbLab, view: str):
    stream_arn = ddb.table(view=view)
    ddb.mapping(batch_size=10)
    ddb.put("a", at=0.1, status="new", amount=10)
    ddb.update("a", at=0.15, status="paid")
    ddb.delete("a", at=0.2)  # all three before the first poll, at 0.25
    ddb.run(2)
    [event] = ddb.events()
    assert_dynamodb_event(event)
    records = event["Records"]
    assert [r["eventName"] for r in records] == ["INSERT", "MODIFY", "REMOVE"]
    for record in records:
        assert record["eventSourceARN"] == stream_arn
        assert record["dynamodb"]["StreamViewType"] == view
        assert record["dynamodb"]["Keys"] == {"pk": {"S": "a"}}
        images = sorted(k for k in record["dynamodb"] if k.endswith("Image"))
        assert images == IMAGES[view][record["eventName"]], record
    by_name = {r["eventName"]: r["dynamodb"] for r in records}
    new = {"pk": {"S": "a"}, "status": {"S": "new"}, "amount": {"N": "10"}}
    paid = new | {"status": {"S": "paid"}}
    if "NewImage" in IMAGES[view]["MODIFY"]:
        assert by_name["INSERT"]["NewImage"] == new
        assert by_name["MODIFY"]["NewImage"] == paid
    if "OldImage" in IMAGES[view]["MODIFY"]:
        assert by_name["MODIFY"]["OldImage"] == new
        assert by_name["REMOVE"]["OldImage"] == paid


def test_each_record_is_the_stored_record_plus_the_streams_arn(ddb: DdbLab):
    stream_arn = ddb.table()
    ddb.put("a", "b", at=0.1, n=1)
    ddb.delete("a", at=0.2)
    ddb.mapping(batch_size=10)
    ddb.run(1)
    [sent] = ddb.sent_events()  # the JSON text the mapping sent, parsed
    assert list(sent) == ["Records"]
    assert sent == ddb.events()[0]  # the handler got exactly that
    stored = ddb.stored()
    assert [{k: v for k, v in r.items() if k != "eventSourceARN"} for r in sent["Records"]] == (
        stored
    )
    record = sent["Records"][0]
    assert set(record) == {
        "eventID",
        "eventName",
        "eventVersion",
        "eventSource",
        "awsRegion",
        "dynamodb",
        "eventSourceARN",
    }
    assert record["eventSource"] == "aws:dynamodb" and record["awsRegion"] == REGION
    assert record["eventVersion"] == "1.1"
    assert record["dynamodb"]["ApproximateCreationDateTime"] == T0  # 0.1 s rounded down
    assert stream_arn == ddb.stream().arn
    assert stream_arn.startswith(f"arn:aws:dynamodb:{REGION}:123456789012:table/tab/stream/")


def test_records_come_in_write_order_each_once(ddb: DdbLab):
    ddb.table()
    mapping = ddb.mapping(batch_size=7)
    written: list[str] = []
    for step in range(40):  # several writes to the same items, interleaved
        key = f"k{step % 6}"
        if step % 5 == 4:
            ddb.delete(key, at=step * 0.1)
        else:
            ddb.put(key, at=step * 0.1, step=step)
    for record in ddb.stored():
        written.append(change_of(record))
    ddb.run(10)
    for event in ddb.events():
        assert_dynamodb_event(event)
    assert ddb.delivered(mapping) == written
    sequences = [int(r["dynamodb"]["SequenceNumber"]) for e in ddb.events() for r in e["Records"]]
    assert sequences == sorted(sequences) and len(set(sequences)) == len(sequences)
    assert all(len(e["Records"]) <= 7 for e in ddb.events())
    # a delete of a missing item writes no record; deleting a present one writes REMOVE
    assert {change.split()[0] for change in written} == {"INSERT", "MODIFY", "REMOVE"}


def test_a_ttl_deletion_carries_the_service_identity(ddb: DdbLab):
    ddb.table()
    ddb.enable_ttl()
    mapping = ddb.mapping(batch_size=10)
    ddb.put("expiring", at=1, expires=int(T0) + 5)
    ddb.put("kept", at=2)
    ddb.delete("kept", at=3)
    ddb.run(120)  # the sweeper deletes "expiring" at its first sweep after T0 + 5
    records = [r for event in ddb.events() for r in event["Records"]]
    for event in ddb.events():
        assert_dynamodb_event(event)
    assert [change_of(r) for r in records] == [
        "INSERT expiring",
        "INSERT kept",
        "REMOVE kept",
        "REMOVE expiring",
    ]
    ttl_remove = records[-1]
    assert ttl_remove["userIdentity"] == TTL_IDENTITY
    assert ttl_remove["dynamodb"]["OldImage"]["expires"] == {"N": str(int(T0) + 5)}
    assert ttl_remove["eventSourceARN"] == mapping.stream_arn
    assert all("userIdentity" not in r for r in records[:-1])  # a user's delete has none


def test_keys_of_a_composite_primary_key(ddb: DdbLab):
    ddb.table(sort="sk", view="KEYS_ONLY")
    ddb.mapping()
    ddb.put("a", at=0.1, sk="one", other="x")
    ddb.run(1)
    [event] = ddb.events()
    assert_dynamodb_event(event)
    [record] = event["Records"]
    assert record["dynamodb"]["Keys"] == {"pk": {"S": "a"}, "sk": {"S": "one"}}
    assert key_of(record) == "a"
    assert json.dumps(record).count('"other"') == 0  # KEYS_ONLY: no attribute beyond the key


def test_non_ascii_values_reach_the_function_unchanged(ddb: DdbLab):
    ddb.table()
    ddb.mapping()
    ddb.put("café", at=0.1, note="naïve ☕ 東京")
    ddb.run(1)
    [event] = ddb.events()
    assert_dynamodb_event(event)
    [record] = event["Records"]
    assert record["dynamodb"]["Keys"] == {"pk": {"S": "café"}}
    assert record["dynamodb"]["NewImage"]["note"] == {"S": "naïve ☕ 東京"}
