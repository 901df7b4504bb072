"""IteratorAge: for each batch, the age of its last record when the function is invoked."""

from __future__ import annotations


def test_iterator_age_is_the_age_of_the_last_record_at_invocation(lab):
    lab.create_stream()
    mapping = lab.mapping()
    lab.put(b"a", at=0.2)
    lab.put(b"b", at=0.7)
    lab.put(b"c", at=1.999)
    lab.run(3)
    assert [(b.size, b.iterator_age_ms) for b in mapping.batches] == [(2, 300), (1, 1)]


def test_iterator_age_of_a_backlog(lab):
    lab.create_stream()
    for second in range(3):
        lab.put(*[b"x"] * 100, at=second + 0.25)
    lab.run(60)
    mapping = lab.mapping(batch_size=100)
    lab.run(61)
    assert [b.iterator_age_ms for b in mapping.batches] == [59_750, 58_750, 57_750]
    assert mapping.max_iterator_age_ms == 59_750


def test_iterator_age_grows_while_a_batch_is_retried(lab):
    lab.create_stream()
    mapping = lab.mapping("flaky", "esm_flaky:handler", env={"FAIL_TIMES": "2"})
    lab.put(b"a", at=0.5)
    lab.run(10)
    assert [(b.outcome, b.iterator_age_ms) for b in mapping.batches] == [
        ("error", 500),
        ("error", 1500),
        ("success", 3500),
    ]
    assert mapping.max_iterator_age_ms == 3500


def test_no_batches_no_iterator_age(lab):
    lab.create_stream()
    mapping = lab.mapping()
    lab.run(5)
    assert mapping.max_iterator_age_ms == 0
