"""Batches: BatchSize (default 10, up to 10 messages per ReceiveMessage), the batching window
(keep receiving until full or the window ends) and the 6 MB payload limit (messages received
past it open the next batch, none lost)."""

from __future__ import annotations

import json

import esm_sqs_lab
from esm_sqs_lab import T0

from sim.services.esm import limits
from sim.services.esm.sqs_event import SEPARATOR_BYTES

# the lab's fixtures (see esm_sqs_lab)
embedded_backend = esm_sqs_lab.embedded_backend
sqs_lab = esm_sqs_lab.sqs_lab


def timeline(mapping):
    return [(round(b.time - T0, 3), b.size) for b in mapping.batches]


def test_default_batch_size_is_ten_and_one_receive_fills_a_batch(sqs_lab):
    sqs_lab.create_queue("q")
    mapping = sqs_lab.mapping()
    bodies = [f"m{i:02d}" for i in range(25)]
    sqs_lab.send(*bodies, at=0.5)
    sqs_lab.run(3)
    assert mapping.config.batch_size == 10
    assert timeline(mapping) == [(1.0, 10), (1.0, 10), (1.0, 5)]
    assert sorted(sum(sqs_lab.batches(), [])) == bodies
    # one ReceiveMessage (10 at most) per batch; idle polls at 2 and 3 made none
    assert mapping.queue.receive_calls == 3


def test_a_smaller_batch_size_is_honoured(sqs_lab):
    sqs_lab.create_queue("q")
    mapping = sqs_lab.mapping(batch_size=3)
    sqs_lab.send(*[str(i) for i in range(7)], at=0.5)
    sqs_lab.run(2)
    assert timeline(mapping) == [(1.0, 3), (1.0, 3), (1.0, 1)]


def test_without_a_window_a_batch_is_what_one_receive_returns(sqs_lab):
    sqs_lab.create_queue("q")
    mapping = sqs_lab.mapping(batch_size=10)
    sqs_lab.send("a", at=0.5)
    sqs_lab.send("b", "c", at=1.5)
    sqs_lab.run(3)
    assert timeline(mapping) == [(1.0, 1), (2.0, 2)]  # not held back to fill the batch


def test_the_window_gathers_until_it_ends(sqs_lab):
    sqs_lab.create_queue("q")
    mapping = sqs_lab.mapping(batch_size=50, maximum_batching_window=5)
    for second in range(10):
        sqs_lab.send(f"m{second}", at=second + 0.5)
    sqs_lab.run(20)
    # the window opens with the first message (received at 1) and ends 5 s later
    assert timeline(mapping) == [(6.0, 6), (12.0, 4)]
    assert sqs_lab.batches() == [[f"m{i}" for i in range(6)], [f"m{i}" for i in range(6, 10)]]


def test_a_full_batch_goes_before_its_window_ends(sqs_lab):
    sqs_lab.create_queue("q")
    mapping = sqs_lab.mapping(batch_size=20, maximum_batching_window=300)
    sqs_lab.send(*[f"m{i}" for i in range(25)], at=0.5)
    sqs_lab.run(400)
    # 20 by two ReceiveMessage calls at once; the 5 left wait for their own window, hidden
    # meanwhile: the window (300 s) and the function's timeout (3 s) exceed the queue's
    # visibility timeout (30 s), so Lambda receives with 300 + 3 + 30 s (with-sqs.html)
    assert timeline(mapping) == [(1.0, 20), (301.0, 5)]
    assert [b.receive_count for b in mapping.batches] == [1, 1]  # none seen twice


def test_a_batch_stops_at_the_payload_limit_and_the_rest_opens_the_next(sqs_lab):
    sqs_lab.create_queue("q")
    mapping = sqs_lab.mapping(batch_size=100, maximum_batching_window=10)
    bodies = [f"{i:02d}" + "x" * 199_998 for i in range(40)]  # 40 x 200 kB: 8 MB in all
    sqs_lab.send(*bodies, at=0.5)
    sqs_lab.run(20)

    first, second = sqs_lab.captured
    assert len(first) <= limits.INVOKE_PAYLOAD_MAX_BYTES
    records = json.loads(first)["Records"]
    carried = json.loads(second)["Records"]
    next_record = len(json.dumps(carried[0])) + SEPARATOR_BYTES
    assert len(first) + next_record > limits.INVOKE_PAYLOAD_MAX_BYTES  # cut at the limit
    assert len(records) + len(carried) == 40
    # the first batch went at once (full by size); the carried messages opened the next one,
    # sent when its window (opened at 1) ended
    assert timeline(mapping) == [(1.0, len(records)), (11.0, len(carried))]
    assert [r["body"] for r in records + carried] == bodies  # none lost, in order
    assert {r["attributes"]["ApproximateReceiveCount"] for r in carried} == {"1"}
    assert sqs_lab.queued("q") == []
