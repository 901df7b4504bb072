"""FilterCriteria on a DynamoDB Streams mapping: patterns over the record as the event carries it
(``eventName``, and under ``dynamodb`` the typed ``Keys``/``NewImage``/``OldImage``); records
that match no filter are never delivered and count as ``filtered`` in the ledger
(https://docs.aws.amazon.com/lambda/latest/dg/with-ddb-filtering.html)."""

from __future__ import annotations

import json

import esm_ddb_lab
import pytest
from esm_ddb_lab import T0, TTL_IDENTITY, DdbLab, change_of

from sim.services.esm.filtering import InvalidFilterCriteriaException
from tests.esm_fidelity import assert_dynamodb_event

# the lab's fixtures (see esm_ddb_lab)
ddb_backend = esm_ddb_lab.ddb_backend
ddb = esm_ddb_lab.ddb


def criteria(*patterns: dict) -> dict:
    return {"Filters": [{"Pattern": json.dumps(pattern)} for pattern in patterns]}


def changes(ddb: DdbLab) -> list[str]:
    for event in ddb.events():
        assert_dynamodb_event(event)
    return [change_of(r) for event in ddb.events() for r in event["Records"]]


def write_orders(ddb: DdbLab) -> None:
    """INSERT o1 (new), INSERT o2 (paid), MODIFY o1 (-> paid), REMOVE o2."""
    ddb.put("o1", at=0.1, status="new", amount=5)
    ddb.put("o2", at=0.2, status="paid", amount=50)
    ddb.update("o1", at=0.3, status="paid")
    ddb.delete("o2", at=0.4)
    ddb.run(3)


def test_filter_on_event_name(ddb: DdbLab):
    ddb.table()
    mapping = ddb.mapping(filter_criteria=criteria({"eventName": ["INSERT"]}))
    write_orders(ddb)
    assert changes(ddb) == ["INSERT o1", "INSERT o2"]
    hop = ddb.hop(mapping)
    assert (hop.delivered, hop.filtered) == (2, 2)
    assert mapping.stats.filtered == 2


def test_filter_on_a_typed_new_image_value(ddb: DdbLab):
    ddb.table()
    mapping = ddb.mapping(
        filter_criteria=criteria({"dynamodb": {"NewImage": {"status": {"S": ["paid"]}}}})
    )
    write_orders(ddb)
    # REMOVE has no NewImage; o1's INSERT was "new"
    assert changes(ddb) == ["INSERT o2", "MODIFY o1"]
    assert ddb.hop(mapping).filtered == 2


def test_the_value_must_be_typed_as_in_the_record(ddb: DdbLab):
    """The pattern walks the record as it is: ``{"status": ["paid"]}`` looks for a plain
    value, but NewImage holds ``{"S": "paid"}``: nothing matches."""
    ddb.table()
    mapping = ddb.mapping(
        filter_criteria=criteria({"dynamodb": {"NewImage": {"status": ["paid"]}}})
    )
    write_orders(ddb)
    assert changes(ddb) == []
    assert ddb.hop(mapping).filtered == 4
    assert ddb.runtime.invocations == []  # filtered records never reach the function


def test_filters_are_or_ed_and_can_combine_keys_and_old_images(ddb: DdbLab):
    ddb.table()
    mapping = ddb.mapping(
        filter_criteria=criteria(
            {"eventName": ["REMOVE"], "dynamodb": {"OldImage": {"status": {"S": ["paid"]}}}},
            {
                "dynamodb": {
                    "Keys": {"pk": {"S": [{"prefix": "o1"}]}},
                    "NewImage": {"amount": {"N": ["5"]}},
                }
            },
        )
    )
    write_orders(ddb)
    assert changes(ddb) == ["INSERT o1", "MODIFY o1", "REMOVE o2"]
    assert ddb.hop(mapping).filtered == 1


def test_numeric_matching_never_matches_dynamodb_numbers(ddb: DdbLab):
    """DynamoDB numbers are strings in the record (``{"N": "50"}``): a ``numeric`` rule never
    matches them (filtering.py: recorded from AWS in LocalStack's AWS-validated tests)."""
    ddb.table()
    mapping = ddb.mapping(
        filter_criteria=criteria(
            {"dynamodb": {"NewImage": {"amount": {"N": [{"numeric": [">", 10]}]}}}}
        )
    )
    write_orders(ddb)
    assert changes(ddb) == []
    assert ddb.hop(mapping).filtered == 4


def test_filtered_records_in_a_batch_leave_the_rest_in_order(ddb: DdbLab):
    ddb.table()
    mapping = ddb.mapping(
        batch_size=3,
        filter_criteria=criteria({"dynamodb": {"NewImage": {"keep": {"BOOL": [True]}}}}),
    )
    keys = [f"k{i}" for i in range(10)]
    for i, key in enumerate(keys):
        ddb.put(key, at=0.1, keep=i % 3 != 0)
    ddb.run(2)
    kept = [f"INSERT {k}" for i, k in enumerate(keys) if i % 3 != 0]
    assert changes(ddb) == kept
    assert [len(e["Records"]) for e in ddb.events()] == [3, 3]  # filtered before batching
    assert ddb.delivered(mapping) == kept
    hop = ddb.hop(mapping)
    assert (hop.delivered, hop.filtered) == (6, 4)


def test_an_update_of_the_filter_applies_to_records_read_after_it(ddb: DdbLab):
    ddb.table()
    mapping = ddb.mapping(filter_criteria=criteria({"eventName": ["INSERT"]}))
    ddb.put("a", at=0.1)
    ddb.put("a", at=0.6, n=1)  # MODIFY: filtered out
    ddb.run(1)
    mapping.update(filter_criteria=criteria({"eventName": ["MODIFY"]}))
    ddb.put("a", at=1.1, n=2)  # MODIFY: delivered now
    ddb.put("b", at=1.2)  # INSERT: filtered out now
    ddb.run(3)
    assert changes(ddb) == ["INSERT a", "MODIFY a"]
    assert ddb.hop(mapping).filtered == 2
    assert mapping.describe()["FilterCriteria"] == criteria({"eventName": ["MODIFY"]})


def test_a_pattern_on_a_plain_string_is_refused(ddb: DdbLab):
    """For DynamoDB a pattern giving the ``dynamodb`` key a plain-string rule is refused when
    the mapping is created (invocation-eventfiltering.html)."""
    ddb.table()
    with pytest.raises(InvalidFilterCriteriaException, match="Invalid filter pattern definition"):
        ddb.mapping(filter_criteria=criteria({"dynamodb": ["INSERT"]}))


def test_a_filter_on_user_identity_keeps_only_ttl_deletions(ddb: DdbLab):
    """AWS's pattern for archiving TTL-deleted items
    (https://docs.aws.amazon.com/amazondynamodb/latest/developerguide/time-to-live-ttl-streams.html)."""
    ddb.table()
    ddb.enable_ttl()
    pattern = {"userIdentity": {"type": ["Service"], "principalId": ["dynamodb.amazonaws.com"]}}
    mapping = ddb.mapping(filter_criteria=criteria(pattern))
    ddb.put("expiring", at=1, expires=int(T0) + 5)
    ddb.put("deleted-by-user", at=2)
    ddb.delete("deleted-by-user", at=3)
    ddb.run(120)
    assert changes(ddb) == ["REMOVE expiring"]
    assert ddb.events()[0]["Records"][0]["userIdentity"] == TTL_IDENTITY
    assert ddb.hop(mapping).filtered == 3
