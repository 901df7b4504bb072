"""What the three event source mapping labs share (``esm_lab.Lab`` for Kinesis,
``esm_sqs_lab.SqsLab``, ``esm_ddb_lab.DdbLab``): a clock whose times the helpers give as seconds
after ``T0``, a real ``LambdaRuntime`` and its functions, the mappings made and the events they
sent, and the ledger check every test ends with.

Each lab gives ``check_event(event)``: the event, as a mapping sent it, validated against
Powertools' model and AWS SAM's sample for its source (tests/esm_fidelity.py).
"""

from __future__ import annotations

from typing import Any

from sim.clock import Clock
from sim.errors import ResourceNotFoundException
from sim.ledger import Hop, Ledger
from sim.services.lambda_ import FunctionConfig, LambdaRuntime

T0 = 1_700_000_000.0  # 2023-11-14T22:13:20Z


class ClockLab:
    def __init__(self, clock: Clock, runtime: LambdaRuntime) -> None:
        self.clock = clock
        self.runtime = runtime
        self.ledger = Ledger()
        self.mappings: list[Any] = []
        self.captured: list[Any] = []  # what the mappings passed to ``invoke``, in order

    # -- time -----------------------------------------------------------------------------
    @property
    def now(self) -> float:
        """Seconds since T0."""
        return self.clock.now - T0

    def run(self, until: float) -> None:
        """Run the simulation through ``T0 + until``, actions at that instant included
        (``Clock.run``'s ``until`` is exclusive)."""
        end = T0 + until
        self.clock.run(until=end)
        while self.clock.peek() == end:
            self.clock.step()

    # -- functions ------------------------------------------------------------------------
    def function(
        self,
        name: str,
        handler: str,
        timeout: int = 3,
        env: dict[str, str] | None = None,
        role_arn: str | None = None,
    ) -> FunctionConfig:
        """The function ``name``, created with ``handler`` if new."""
        try:
            return self.runtime.get_function(name)
        except ResourceNotFoundException:
            return self.runtime.create_function(
                FunctionConfig(
                    name=name, handler=handler, timeout=timeout, env=env or {}, role_arn=role_arn
                )
            )

    # -- accounting -----------------------------------------------------------------------
    def hop(self, mapping: Any) -> Hop:
        return self.ledger.hop(mapping.hop_source(), f"function {mapping.function_name}")

    def settle(self) -> Ledger:
        for mapping in self.mappings:
            mapping.settle()
        return self.ledger

    def check_event(self, event: Any) -> None:
        raise NotImplementedError

    def assert_balanced(self) -> None:
        """Every event a mapping sent is faithful (``check_event``), and every hop of the
        ledger adds up: nothing lost, whatever happened."""
        for event in self.captured:
            self.check_event(event)
        self.settle()
        for hop in self.ledger.hops.values():
            assert hop.available == hop.settled, hop
        assert self.ledger.gaps() == []
