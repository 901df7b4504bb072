"""Every write to a streamed table produces one stream record, as AWS writes it.

Against real moto (in-process) and the real clock: each event name and view type, no record
for a write that changes nothing, UpdateItem creating an item, BatchWriteItem, transactions
(committed and cancelled), PartiQL, ordering and sequence numbers, the region, the simulated
time, SizeBytes, and the record shape checked against Powertools' model and SAM's sample.
"""

from __future__ import annotations

import json
import re

import pytest
from ddbstreams_lab import T0, error_of

from sim.services.dynamodbstreams.images import number_size
from tests.esm_fidelity import assert_dynamodb_event

VIEWS = ("KEYS_ONLY", "NEW_IMAGE", "OLD_IMAGE", "NEW_AND_OLD_IMAGES")


def write_insert_modify_remove(lab) -> None:
    lab.dynamodb.put_item(TableName="tab", Item={"pk": {"S": "a"}, "v": {"N": "1"}})
    lab.dynamodb.put_item(TableName="tab", Item={"pk": {"S": "a"}, "v": {"N": "2"}})
    lab.dynamodb.delete_item(TableName="tab", Key={"pk": {"S": "a"}})


@pytest.mark.parametrize("view", VIEWS)
def test_each_event_name_carries_the_images_of_its_view_type(lab, view) -> None:
    lab.table(view=view)
    write_insert_modify_remove(lab)
    events = lab.events()
    assert [e["eventName"] for e in events] == ["INSERT", "MODIFY", "REMOVE"]
    keys = {"pk": {"S": "a"}}
    old_one, new_two = {"pk": {"S": "a"}, "v": {"N": "1"}}, {"pk": {"S": "a"}, "v": {"N": "2"}}
    wants_new = view in ("NEW_IMAGE", "NEW_AND_OLD_IMAGES")
    wants_old = view in ("OLD_IMAGE", "NEW_AND_OLD_IMAGES")
    expected_images = [
        ({"pk": {"S": "a"}, "v": {"N": "1"}} if wants_new else None, None),
        (new_two if wants_new else None, old_one if wants_old else None),
        (None, new_two if wants_old else None),
    ]
    for event, (new, old) in zip(events, expected_images, strict=True):
        stream = event["dynamodb"]
        assert stream["Keys"] == keys
        assert stream["StreamViewType"] == view
        assert stream.get("NewImage") == new
        assert stream.get("OldImage") == old
    arn = lab.store().get_stream("tab").arn
    assert_dynamodb_event({"Records": [dict(e, eventSourceARN=arn) for e in events]})


def test_the_record_has_aws_fields(lab) -> None:
    lab.advance(12.75)
    lab.table(name="orders", sort="sk")
    lab.dynamodb.put_item(
        TableName="orders", Item={"pk": {"S": "p"}, "sk": {"S": "s"}, "n": {"N": "7"}}
    )
    [record] = lab.records("orders")
    event = record.record
    assert list(event) == [
        "eventID",
        "eventName",
        "eventVersion",
        "eventSource",
        "awsRegion",
        "dynamodb",
    ]
    assert re.fullmatch(r"[0-9a-f]{32}", event["eventID"])
    assert event["eventVersion"] == "1.1"
    assert event["eventSource"] == "aws:dynamodb"
    assert event["awsRegion"] == "us-east-1"
    stream = event["dynamodb"]
    assert stream["Keys"] == {"pk": {"S": "p"}, "sk": {"S": "s"}}
    # "rounded down to the closest second" (API_streams_StreamRecord.html), simulated time
    assert stream["ApproximateCreationDateTime"] == T0 + 12
    assert lab.clock.now == T0 + 12.75
    assert record.arrival == pytest.approx(T0 + 12.75, abs=1e-6)  # process time, in ns
    assert record.sequence_number == stream["SequenceNumber"]
    assert re.fullmatch(r"\d{21,40}", record.sequence_number)
    assert record.size == stream["SizeBytes"]
    assert "eventSourceARN" not in event  # the mapping adds it
    json.dumps(event)  # plain JSON values only


def test_size_bytes_reproduces_aws_examples(lab) -> None:
    """with-ddb.html's INSERT (26), MODIFY (59) and REMOVE (38) of item Id 101."""
    lab.table(view="NEW_AND_OLD_IMAGES", key_type="N")
    lab.dynamodb.put_item(TableName="tab", Item={"pk": {"N": "101"}, "Message": {"S": "New item!"}})
    lab.dynamodb.put_item(
        TableName="tab", Item={"pk": {"N": "101"}, "Message": {"S": "This item has changed"}}
    )
    lab.dynamodb.delete_item(TableName="tab", Key={"pk": {"N": "101"}})
    # AWS's example names the key "Id" (2 bytes); ours is "pk" (2 bytes): same sizes.
    assert [e["dynamodb"]["SizeBytes"] for e in lab.events()] == [26, 59, 38]


def test_size_bytes_of_every_attribute_type(lab) -> None:
    lab.table(view="NEW_IMAGE")
    item = {
        "pk": {"S": "é"},  # 2 + 2 (UTF-8)
        "n": {"N": "-0012.3400"},  # 1 + (1234: 2 bytes) + 1
        "b": {"B": b"\x00\x01\x02"},  # 1 + 3 raw bytes
        "t": {"BOOL": True},  # 1 + 1
        "z": {"NULL": True},  # 1 + 1
        "ss": {"SS": ["ab", "c"]},  # 2 + 3
        "ns": {"NS": ["1", "100"]},  # 2 + 2 + 2 (100 is 1 significant digit)
        "l": {"L": [{"S": "x"}, {"N": "5"}]},  # 1 + 3 + (1+1) + (1+2)
        "m": {"M": {"k": {"S": "vv"}}},  # 1 + 3 + (1 + 1 + 2)
    }
    lab.dynamodb.put_item(TableName="tab", Item=item)
    keys = 2 + 2
    image = (2 + 2) + 4 + 4 + 2 + 2 + 5 + 6 + 9 + 8
    [event] = lab.events()
    assert event["dynamodb"]["SizeBytes"] == keys + image
    assert event["dynamodb"]["NewImage"]["b"] == {"B": "AAEC"}  # base64, as in a Lambda event
    assert number_size("0") == 2 and number_size("101") == 3


def test_a_write_that_changes_nothing_produces_no_record(lab) -> None:
    """'If you perform a PutItem or UpdateItem operation that does not change any data in an
    item, DynamoDB Streams does not write a stream record' (Streams.html)."""
    lab.table()
    item = {"pk": {"S": "a"}, "v": {"N": "1"}, "tags": {"SS": ["x", "y"]}}
    lab.dynamodb.put_item(TableName="tab", Item=item)
    lab.dynamodb.put_item(TableName="tab", Item=item)
    lab.dynamodb.put_item(TableName="tab", Item=dict(item, tags={"SS": ["y", "x"]}))  # same set
    lab.dynamodb.update_item(
        TableName="tab",
        Key={"pk": {"S": "a"}},
        UpdateExpression="SET v = :v",
        ExpressionAttributeValues={":v": {"N": "1"}},
    )
    lab.dynamodb.delete_item(TableName="tab", Key={"pk": {"S": "missing"}})  # nothing to delete
    lab.dynamodb.update_item(
        TableName="tab",
        Key={"pk": {"S": "a"}},
        UpdateExpression="SET v = :v",
        ExpressionAttributeValues={":v": {"N": "2"}},
    )
    assert [e["eventName"] for e in lab.events()] == ["INSERT", "MODIFY"]


def test_update_item_creating_an_item_is_one_insert_with_the_whole_image(lab) -> None:
    lab.table()
    lab.dynamodb.update_item(
        TableName="tab",
        Key={"pk": {"S": "new"}},
        UpdateExpression="SET v = :v, w = :w",
        ExpressionAttributeValues={":v": {"N": "1"}, ":w": {"S": "x"}},
    )
    [event] = lab.events()
    assert event["eventName"] == "INSERT"
    assert event["dynamodb"]["NewImage"] == {
        "pk": {"S": "new"},
        "v": {"N": "1"},
        "w": {"S": "x"},
    }
    assert "OldImage" not in event["dynamodb"]


def test_a_failed_conditional_write_produces_no_record(lab) -> None:
    lab.table()
    lab.dynamodb.put_item(TableName="tab", Item={"pk": {"S": "a"}})
    with pytest.raises(lab.dynamodb.exceptions.ConditionalCheckFailedException):
        lab.dynamodb.put_item(
            TableName="tab",
            Item={"pk": {"S": "a"}, "v": {"N": "1"}},
            ConditionExpression="attribute_not_exists(pk)",
        )
    assert [e["eventName"] for e in lab.events()] == ["INSERT"]


def test_batch_write_item_records_every_put_and_delete(lab) -> None:
    lab.table()
    lab.dynamodb.put_item(TableName="tab", Item={"pk": {"S": "old"}})
    lab.dynamodb.batch_write_item(
        RequestItems={
            "tab": [
                {"PutRequest": {"Item": {"pk": {"S": "a"}}}},
                {"PutRequest": {"Item": {"pk": {"S": "b"}}}},
                {"DeleteRequest": {"Key": {"pk": {"S": "old"}}}},
            ]
        }
    )
    events = lab.events()
    assert [(e["eventName"], e["dynamodb"]["Keys"]["pk"]["S"]) for e in events] == [
        ("INSERT", "old"),
        ("INSERT", "a"),
        ("INSERT", "b"),
        ("REMOVE", "old"),
    ]


def test_a_committed_transaction_records_each_item_once(lab) -> None:
    lab.table()
    lab.dynamodb.put_item(TableName="tab", Item={"pk": {"S": "u"}, "v": {"N": "1"}})
    lab.dynamodb.put_item(TableName="tab", Item={"pk": {"S": "d"}})
    lab.dynamodb.transact_write_items(
        TransactItems=[
            {"Put": {"TableName": "tab", "Item": {"pk": {"S": "p"}}}},
            {
                "Update": {
                    "TableName": "tab",
                    "Key": {"pk": {"S": "u"}},
                    "UpdateExpression": "SET v = :v",
                    "ExpressionAttributeValues": {":v": {"N": "2"}},
                }
            },
            {
                "Update": {
                    "TableName": "tab",
                    "Key": {"pk": {"S": "n"}},
                    "UpdateExpression": "SET v = :v",
                    "ExpressionAttributeValues": {":v": {"N": "3"}},
                }
            },
            {"Delete": {"TableName": "tab", "Key": {"pk": {"S": "d"}}}},
        ]
    )
    events = lab.events()[2:]
    assert [(e["eventName"], e["dynamodb"]["Keys"]["pk"]["S"]) for e in events] == [
        ("INSERT", "p"),
        ("MODIFY", "u"),
        ("INSERT", "n"),
        ("REMOVE", "d"),
    ]
    assert events[2]["dynamodb"]["NewImage"] == {"pk": {"S": "n"}, "v": {"N": "3"}}


def test_a_cancelled_transaction_records_nothing(lab) -> None:
    lab.table()
    lab.dynamodb.put_item(TableName="tab", Item={"pk": {"S": "x"}})
    with pytest.raises(lab.dynamodb.exceptions.TransactionCanceledException):
        lab.dynamodb.transact_write_items(
            TransactItems=[
                {"Put": {"TableName": "tab", "Item": {"pk": {"S": "p"}}}},
                {
                    "Put": {
                        "TableName": "tab",
                        "Item": {"pk": {"S": "x"}, "v": {"N": "1"}},
                        "ConditionExpression": "attribute_not_exists(pk)",
                    }
                },
            ]
        )
    assert lab.dynamodb.get_item(TableName="tab", Key={"pk": {"S": "p"}}).get("Item") is None
    assert [e["eventName"] for e in lab.events()] == ["INSERT"]
    # the stream still takes writes after moto restored the table
    lab.dynamodb.put_item(TableName="tab", Item={"pk": {"S": "after"}})
    assert [e["dynamodb"]["Keys"]["pk"]["S"] for e in lab.events()] == ["x", "after"]


def test_partiql_writes_are_recorded(lab) -> None:
    lab.table()
    lab.dynamodb.execute_statement(Statement="INSERT INTO \"tab\" VALUE {'pk': 'q', 'v': 1}")
    lab.dynamodb.execute_statement(
        Statement="UPDATE \"tab\" SET v = ? WHERE pk = 'q'", Parameters=[{"N": "2"}]
    )
    lab.dynamodb.execute_statement(Statement="DELETE FROM \"tab\" WHERE pk = 'q'")
    events = lab.events()
    assert [e["eventName"] for e in events] == ["INSERT", "MODIFY", "REMOVE"]
    assert events[1]["dynamodb"]["OldImage"]["v"] == {"N": "1"}
    assert events[1]["dynamodb"]["NewImage"]["v"] == {"N": "2"}


def test_records_are_ordered_with_increasing_sequence_numbers(lab) -> None:
    lab.table()
    for i in range(30):
        lab.dynamodb.put_item(TableName="tab", Item={"pk": {"S": f"k{i % 7}"}, "i": {"N": str(i)}})
        lab.advance(0.4)
    records = lab.records()
    assert [int(r.record["dynamodb"]["NewImage"]["i"]["N"]) for r in records] == list(range(30))
    numbers = [int(r.sequence_number) for r in records]
    assert numbers == sorted(set(numbers))
    assert all(len(r.sequence_number) == 21 for r in records)
    arrivals = [r.arrival for r in records]
    assert arrivals == sorted(arrivals) and arrivals[-1] == pytest.approx(T0 + 29 * 0.4)
    creation = [r.record["dynamodb"]["ApproximateCreationDateTime"] for r in records]
    assert creation == [float(int(a)) for a in arrivals]


def test_a_table_in_another_region_streams_there(lab) -> None:
    arn = lab.table(region="eu-west-1")
    assert arn.startswith("arn:aws:dynamodb:eu-west-1:123456789012:table/tab/stream/")
    lab.client("dynamodb", "eu-west-1").put_item(TableName="tab", Item={"pk": {"S": "a"}})
    [event] = lab.events(region="eu-west-1")
    assert event["awsRegion"] == "eu-west-1"
    assert lab.store("eu-west-1").get_stream("tab").arn == arn
    assert lab.store().streams() == []  # nothing in us-east-1


def test_describe_table_shows_the_store_stream(lab) -> None:
    arn = lab.table(name="labelled")
    table = lab.dynamodb.describe_table(TableName="labelled")["Table"]
    stream = lab.store().get_stream("labelled")
    assert table["LatestStreamArn"] == stream.arn == arn
    assert table["LatestStreamLabel"] == stream.label == "2024-03-01T12:00:00.000"
    assert stream.arn == f"{table['TableArn']}/stream/{stream.label}"


def test_a_table_without_a_stream_records_nothing(lab) -> None:
    lab.table(view=None)
    lab.dynamodb.put_item(TableName="tab", Item={"pk": {"S": "a"}})
    assert "LatestStreamArn" not in lab.dynamodb.describe_table(TableName="tab")["Table"]
    with pytest.raises(Exception) as excinfo:
        lab.store().get_stream("tab")
    assert type(excinfo.value).__name__ == "ResourceNotFoundException"


def test_enabling_without_a_view_type_is_refused(lab) -> None:
    lab.table(view=None)
    with pytest.raises(lab.dynamodb.exceptions.ClientError) as excinfo:
        lab.dynamodb.update_table(TableName="tab", StreamSpecification={"StreamEnabled": True})
    assert error_of(excinfo) == (
        "ValidationException",
        "One or more parameter values were invalid: If stream is being enabled then "
        "UpdateViewType is required",
    )
