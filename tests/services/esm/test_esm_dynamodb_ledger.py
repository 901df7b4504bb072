"""The ledger of DynamoDB Streams mappings: every record of the table's stream from the mapping's
starting position is accounted for on its hop (``table <name> stream`` -> ``function <name>``):
delivered, filtered, sent to the failure destination, dropped with a reason, or still in flight
(``available == settled``). Every test of these files also checks it at teardown."""

from __future__ import annotations

import json

import esm_ddb_lab
from esm_ddb_lab import DdbLab

from tests.esm_fidelity import assert_stream_failure_record

# the lab's fixtures (see esm_ddb_lab)
ddb_backend = esm_ddb_lab.ddb_backend
ddb = esm_ddb_lab.ddb


def test_every_record_is_accounted_for_on_its_hop(ddb: DdbLab):
    url, queue_arn = ddb.queue("ddb-ledger-failures")
    ddb.table()
    filtered = ddb.mapping(
        "filtering",
        filter_criteria={"Filters": [{"Pattern": json.dumps({"eventName": ["INSERT"]})}]},
    )
    failing = ddb.mapping(
        "failing",
        "esm_ddb_poison:handler",
        batch_size=2,
        maximum_retry_attempts=0,
        on_failure=queue_arn,
    )
    aging = ddb.mapping("aging", "esm_ddb_poison:handler", batch_size=2, maximum_record_age=60)
    ddb.put("a", "poison-1", "b", "c", at=0.1)  # batches of 2: (a, poison-1) (b, c)
    ddb.put("a", at=0.2, n=1)  # MODIFY a
    ddb.delete("b", at=0.3)  # REMOVE b
    ddb.put("poison-2", at=200)  # still retried by "aging" when the run ends
    ddb.run(230)
    ddb.settle()
    written = len(ddb.stored())
    assert written == 7

    hop = ddb.hop(filtered)
    assert (hop.available, hop.delivered, hop.filtered, hop.in_flight) == (7, 5, 2, 0)

    hop = ddb.hop(failing)
    assert hop.available == 7
    assert hop.to_destination == {"queue ddb-ledger-failures": 3}  # (a, poison-1), (poison-2)
    assert hop.delivered == 4
    records = [json.loads(body) for body in ddb.messages(url)]  # one per batch given up
    for record in records:
        assert_stream_failure_record(record, "dynamodb", destination="sqs")
    assert [r["DDBStreamBatchInfo"]["batchSize"] for r in records] == [2, 1]

    hop = ddb.hop(aging)
    assert hop.available == 7
    # (a, poison-1) is retried until it is 60 s old; the records behind it have waited as
    # long by then and are given up too, never invoked
    assert hop.dropped == {"RecordAgeExceeded": 6}
    assert hop.delivered == 0
    assert hop.in_flight == 1  # poison-2, retried until it is 60 s old

    for each in ddb.ledger.hops.values():
        assert each.available == each.settled, each
    assert ddb.ledger.gaps() == []
    assert sorted(ddb.ledger.hops) == [
        ("table tab stream", "function aging"),
        ("table tab stream", "function failing"),
        ("table tab stream", "function filtering"),
    ]


def test_records_that_leave_retention_unread_are_dropped_as_expired(ddb: DdbLab):
    ddb.table()
    mapping = ddb.mapping("stuck", "esm_ddb_poison:handler")
    ddb.put("poison", at=0.1)
    ddb.put("behind", at=1)
    ddb.run(24 * 3600 + 10)  # both pass the stream's 24-hour retention while poison is retried
    ddb.settle()
    hop = ddb.hop(mapping)
    assert hop.available == 2
    assert hop.dropped == {"RecordExpired": 2}
    assert hop.in_flight == 0 and hop.delivered == 0


def test_two_tables_have_their_own_hops(ddb: DdbLab):
    ddb.table("orders")
    ddb.table("payments")
    orders = ddb.mapping("orders-fn", table="orders")
    payments = ddb.mapping("payments-fn", table="payments")
    ddb.put("o1", "o2", at=0.1, table="orders")
    ddb.put("p1", at=0.1, table="payments")
    ddb.run(2)
    ddb.settle()
    assert ddb.hop(orders).source == "table orders stream"
    assert (ddb.hop(orders).available, ddb.hop(orders).delivered) == (2, 2)
    assert (ddb.hop(payments).available, ddb.hop(payments).delivered) == (1, 1)
    assert ddb.batches("orders-fn") == [["o1", "o2"]]
    assert ddb.events("payments-fn")[0]["Records"][0]["eventSourceARN"] == payments.stream_arn
    assert orders.stream_arn != payments.stream_arn
