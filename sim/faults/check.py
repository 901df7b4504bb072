"""Which faults a backend can inject: refused before anything is created, with the reason."""

from __future__ import annotations

from typing import Any

from sim.faults.functions import FUNCTION_KINDS

# Faults answered by an interceptor of the embedded backend, with the service they answer for.
INTERCEPTED = {"table_throttle": ("DynamoDB", "tables"), "bucket_unavailable": ("S3", "buckets")}


class UnsupportedFault(RuntimeError):
    """A fault the chosen backend cannot inject (raised before anything is created)."""


def check_faults(scenario: Any, backend: Any) -> None:
    """Refuse, before provisioning, faults that need parts the backend does not give us."""
    for index, fault in enumerate(scenario.faults):
        where, kind = f"faults[{index}]", fault.kind
        if kind in FUNCTION_KINDS and backend.runs_functions:
            raise UnsupportedFault(
                f"{where}: {kind} needs the functions to run in streamlab; on the "
                f"{backend.name} backend they run in AWS Lambda"
            )
        if kind == "stream_throttle" and backend.kinesis_store(scenario.region) is None:
            raise UnsupportedFault(
                f"{where}: stream_throttle needs streamlab's own Kinesis (the embedded "
                f"backend); the {backend.name} backend's streams are its own"
            )
        if kind in INTERCEPTED and not callable(getattr(backend, "add_interceptor", None)):
            service, things = INTERCEPTED[kind]
            raise UnsupportedFault(
                f"{where}: {kind} answers {service} requests before they reach the store, "
                f"which streamlab can do on the embedded backend only; the {backend.name} "
                f"backend's {things} answer for themselves"
            )
