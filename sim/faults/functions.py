"""Function faults: hooks on streamlab's Lambda runtime (``LambdaRuntime.add_fault``).

* ``function_error``: the invocation fails with ``InjectedFault`` (the hook answers True; the
  runtime raises it with the fault's message), handled like a handler's exception.
* ``function_timeout``: the hook answers :class:`~sim.services.lambda_.InjectedTimeout`: the
  invocation ends as one that ran out of time (``Task timed out after N.00 seconds``), without
  running the handler.
* ``function_throttle``: the hook answers :class:`~sim.services.lambda_.TooManyRequestsException`
  (HTTP 429, ``Rate Exceeded.``): ``invoke`` raises it and nothing runs. A Kinesis trigger
  retries the batch after a backoff without counting an attempt (sim/services/esm/kinesis.py);
  the asynchronous invocation queue retries Event invocations.

Every invocation of the function passes through the hook (triggers, the Lambda API, Event
invocations); in the window, each is affected with the fault's probability, and a ``count``
limits how many are.
"""

from __future__ import annotations

import random
from typing import Any

from sim.faults.effects import FaultEffect
from sim.faults.reach import Reach
from sim.services.lambda_ import InjectedTimeout, TooManyRequestsException

FUNCTION_KINDS = ("function_error", "function_timeout", "function_throttle")


def add_function_fault(
    runtime: Any, spec: Any, kind: str, reach: Reach, rng: random.Random, effect: FaultEffect
) -> Any:
    """Hook ``spec`` (a FunctionError/Timeout/ThrottleFault) on ``runtime``; returns its handle."""
    counter = {
        "function_error": "invocations_failed",
        "function_timeout": "invocations_timed_out",
        "function_throttle": "invocations_throttled",
    }[kind]
    probability = spec.probability

    def hook() -> BaseException | bool:
        with reach.lock:
            if not reach.active():
                return False
            if probability < 1.0 and rng.random() >= probability:
                return False
            reach.use()
        effect.add(counter)
        if kind == "function_timeout":
            return InjectedTimeout()
        if kind == "function_throttle":
            return TooManyRequestsException()
        return True  # function_error: the runtime raises InjectedFault with the message

    message = getattr(spec, "message", None)
    return runtime.add_fault(spec.function, hook, message)
