"""Time to Live on the simulated clock: expired items deleted by the sweeper as service
deletions, at the first sweep after expiry and never before, with AWS's rules for what TTL
ignores."""

from __future__ import annotations

from ddbstreams_lab import T0

from sim.services.dynamodbstreams import limits
from tests.esm_fidelity import assert_dynamodb_event

TTL_IDENTITY = {"type": "Service", "principalId": "dynamodb.amazonaws.com"}
YEAR = 365 * 24 * 3600


def enable_ttl(lab, table: str = "tab", attribute: str = "expires") -> None:
    lab.dynamodb.update_time_to_live(
        TableName=table, TimeToLiveSpecification={"Enabled": True, "AttributeName": attribute}
    )


def put(lab, key: str, expires=None, table: str = "tab", **extra) -> None:
    item = {"pk": {"S": key}, **extra}
    if expires is not None:
        item["expires"] = expires if isinstance(expires, dict) else {"N": str(expires)}
    lab.dynamodb.put_item(TableName=table, Item=item)


def keys_in(lab, table: str = "tab") -> list[str]:
    items = lab.dynamodb.scan(TableName=table)["Items"]
    return sorted(item["pk"]["S"] for item in items)


def removals(lab) -> list[tuple[str, float, dict | None]]:
    return [
        (
            e["dynamodb"]["Keys"]["pk"]["S"],
            e["dynamodb"]["ApproximateCreationDateTime"],
            e.get("userIdentity"),
        )
        for e in lab.events()
        if e["eventName"] == "REMOVE"
    ]


def test_expired_items_are_deleted_at_the_next_sweep_as_service_deletions(lab) -> None:
    """Sweeps run at T0 + 60, + 120, ... (``advance`` stops before an action due at its end)."""
    assert limits.TTL_SWEEP_INTERVAL_SECONDS == 60
    lab.table()
    enable_ttl(lab)
    put(lab, "soon", T0 + 30)
    put(lab, "later", T0 + 100)
    put(lab, "much-later", T0 + 1000)
    put(lab, "no-ttl")
    put(lab, "text-ttl", {"S": str(int(T0))})  # not a Number: ignored
    put(lab, "ancient", T0 - 5 * YEAR - 1)  # more than five years in the past: ignored
    put(lab, "recent-past", T0 - 5 * YEAR + 3600)  # within five years: deleted
    lab.advance(59.5)
    assert removals(lab) == []  # no sweep yet
    lab.advance(1)  # past the sweep at T0 + 60
    assert removals(lab) == [  # in expiry order
        ("recent-past", T0 + 60, TTL_IDENTITY),
        ("soon", T0 + 60, TTL_IDENTITY),
    ]
    assert "later" in keys_in(lab)  # expires at T0 + 100: not before
    lab.advance(60)  # past T0 + 120
    assert [key for key, _, _ in removals(lab)][-1] == "later"
    assert removals(lab)[-1][1] == T0 + 120
    lab.advance(1000)
    assert removals(lab)[-1] == ("much-later", T0 + 1020, TTL_IDENTITY)
    assert keys_in(lab) == ["ancient", "no-ttl", "text-ttl"]
    [remove] = [e for e in lab.events() if e["dynamodb"]["Keys"]["pk"]["S"] == "soon"][1:]
    assert remove["dynamodb"]["OldImage"]["expires"] == {"N": str(T0 + 30)}
    assert list(remove) == [
        "eventID",
        "eventName",
        "eventVersion",
        "eventSource",
        "awsRegion",
        "userIdentity",
        "dynamodb",
    ]
    assert lab.backend.dynamodb_ttl().deleted == {("123456789012", "us-east-1", "tab"): 4}


def test_a_user_delete_carries_no_user_identity(lab) -> None:
    lab.table()
    enable_ttl(lab)
    put(lab, "a", T0 + 1000)
    lab.dynamodb.delete_item(TableName="tab", Key={"pk": {"S": "a"}})
    [remove] = [e for e in lab.events() if e["eventName"] == "REMOVE"]
    assert "userIdentity" not in remove


def test_an_item_whose_ttl_moved_later_is_kept_until_then(lab) -> None:
    lab.table(sort="sk")
    enable_ttl(lab)
    item = {"pk": {"S": "x"}, "sk": {"S": "1"}, "expires": {"N": str(T0 + 30)}}
    lab.dynamodb.put_item(TableName="tab", Item=item)
    lab.advance(20)
    lab.dynamodb.update_item(
        TableName="tab",
        Key={"pk": {"S": "x"}, "sk": {"S": "1"}},
        UpdateExpression="SET expires = :e",
        ExpressionAttributeValues={":e": {"N": str(T0 + 200)}},
    )
    lab.advance(200.5)  # sweeps at 60, 120, 180
    assert removals(lab) == []
    lab.advance(60)  # past the sweep at T0 + 240
    assert removals(lab) == [("x", T0 + 240, TTL_IDENTITY)]


def test_removing_the_ttl_attribute_keeps_the_item(lab) -> None:
    lab.table()
    enable_ttl(lab)
    put(lab, "x", T0 + 10)
    lab.dynamodb.update_item(
        TableName="tab", Key={"pk": {"S": "x"}}, UpdateExpression="REMOVE expires"
    )
    lab.advance(600)
    assert keys_in(lab) == ["x"] and removals(lab) == []


def test_ttl_deletes_items_of_tables_without_a_stream(lab) -> None:
    lab.table(view=None)
    put(lab, "before-ttl", T0 + 5)  # written before TTL is enabled: found by the first scan
    enable_ttl(lab)
    put(lab, "after-ttl", T0 + 65)
    lab.advance(60.5)
    assert keys_in(lab) == ["after-ttl"]
    lab.advance(60)
    assert keys_in(lab) == []


def test_disabling_ttl_stops_the_sweeper(lab) -> None:
    lab.table()
    enable_ttl(lab)
    put(lab, "x", T0 + 100)
    lab.dynamodb.update_time_to_live(
        TableName="tab", TimeToLiveSpecification={"Enabled": False, "AttributeName": "expires"}
    )
    lab.clock.run()  # nothing left to do once the sweeper has seen TTL off: the run ends
    assert lab.clock.peek() == float("inf")
    assert lab.clock.now == T0 + 60
    lab.advance(3600)
    assert keys_in(lab) == ["x"]


def test_the_sweep_interval_is_configurable(lab) -> None:
    lab.table()
    enable_ttl(lab)
    lab.backend.dynamodb_ttl().set_interval(10)
    put(lab, "x", T0 + 15)
    lab.advance(19.5)
    assert removals(lab) == []
    lab.advance(1)
    assert removals(lab) == [("x", T0 + 20, TTL_IDENTITY)]


def test_a_sweep_can_be_run_directly(lab) -> None:
    lab.table()
    enable_ttl(lab)
    put(lab, "x", T0 - 1)
    assert lab.backend.dynamodb_ttl().sweep() == 1
    assert removals(lab) == [("x", T0, TTL_IDENTITY)]
    arn = lab.store().get_stream("tab").arn
    model = assert_dynamodb_event({"Records": [dict(e, eventSourceARN=arn) for e in lab.events()]})
    assert model.Records[1].userIdentity is not None  # Powertools' model reads the identity
