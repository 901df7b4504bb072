"""The discrete-event core: ordering, processes, failures, cancellation."""

import pytest

from sim.clock import Clock, Interrupt


@pytest.fixture
def clock():
    return Clock(start=1000.0)


def test_callbacks_run_in_time_order_and_ties_in_scheduling_order(clock):
    log = []
    clock.call_at(1002.0, log.append, "c")
    clock.call_at(1001.0, log.append, "a")
    clock.call_at(1001.0, log.append, "b")
    clock.run()
    assert log == ["a", "b", "c"]
    assert clock.now == 1002.0


def test_run_until_stops_before_later_actions_and_lands_on_until(clock):
    log = []
    clock.call_at(1005.0, log.append, "late")
    clock.run(until=1003.0)
    assert log == [] and clock.now == 1003.0
    clock.run(until=1010.0)
    assert log == ["late"] and clock.now == 1010.0


def test_cancelled_timer_does_not_run(clock):
    log = []
    timer = clock.call_later(1.0, log.append, "x")
    timer.cancel()
    clock.run()
    assert log == []


def test_cannot_schedule_in_the_past(clock):
    with pytest.raises(ValueError):
        clock.call_at(999.0, print)


def test_process_waits_on_timeouts_and_returns_a_value(clock):
    seen = []

    def worker():
        seen.append(clock.now)
        yield clock.timeout(2.5)
        seen.append(clock.now)
        value = yield clock.timeout(1.0, value="done")
        return value

    process = clock.process(worker())
    assert clock.run(until=process) == "done"
    assert seen == [1000.0, 1002.5]


def test_failure_in_a_process_propagates_to_its_waiter(clock):
    def failing():
        yield clock.timeout(1)
        raise ValueError("boom")

    def waiter(child):
        try:
            yield child
        except ValueError as error:
            return f"caught {error}"

    child = clock.process(failing())
    parent = clock.process(waiter(child))
    assert clock.run(until=parent) == "caught boom"


def test_unhandled_failure_stops_the_run(clock):
    def failing():
        yield clock.timeout(1)
        raise RuntimeError("nobody waits for me")

    clock.process(failing())
    with pytest.raises(RuntimeError, match="nobody waits"):
        clock.run()


def test_raising_callback_stops_the_run(clock):
    def bad():
        raise KeyError("x")

    clock.call_later(1, bad)
    with pytest.raises(KeyError):
        clock.run()


def test_interrupt_wakes_a_sleeping_process(clock):
    causes = []

    def sleeper():
        try:
            yield clock.timeout(100)
        except Interrupt as interrupt:
            causes.append((clock.now, interrupt.cause))

    process = clock.process(sleeper())
    clock.call_later(3, process.interrupt, "wake up")
    clock.run()
    assert causes == [(1003.0, "wake up")]


def test_event_succeed_resumes_waiters(clock):
    event = clock.event()
    got = []

    def waiter():
        got.append((yield event))

    clock.process(waiter())
    clock.call_later(2, event.succeed, 42)
    clock.run()
    assert got == [42]


def test_yielding_a_non_event_fails_the_process(clock):
    def wrong():
        yield 5

    clock.process(wrong())
    with pytest.raises(TypeError, match="not an event"):
        clock.run()


def test_advance_listeners_see_every_new_time(clock):
    times = []
    clock.on_advance(times.append)
    for t in (1001.0, 1001.0, 1004.0):
        clock.call_at(t, lambda: None)
    clock.run()
    assert times == [1001.0, 1004.0]


def test_same_schedule_twice_gives_the_same_trace():
    def trace():
        clock = Clock(0.0)
        log = []
        for i in range(50):
            clock.call_at(float(i % 7), log.append, i)
        clock.run()
        return log

    assert trace() == trace()


def test_until_is_exclusive(clock):
    log = []
    clock.call_at(1005.0, log.append, "at the end")
    clock.run(until=1005.0)
    assert log == [] and clock.now == 1005.0
