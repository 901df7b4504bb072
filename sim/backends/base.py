"""What the runner needs from a backend, whichever it is."""

from __future__ import annotations

from abc import ABC, abstractmethod
from typing import Any

from sim.backends.factory import ClientFactory


class Backend(ABC):
    """A place where streams, tables, buckets, topics and queues live.

    ``simulated_time`` says whether the backend follows the simulation clock (embedded: its
    timestamps are simulated) or its own wall clock (LocalStack, AWS).
    """

    name: str = "backend"
    simulated_time: bool = False

    def __init__(self, *, region: str, account_id: str, factory: ClientFactory):
        self.region = region
        self.account_id = account_id
        self.factory = factory

    def client(self, service: str, region: str | None = None) -> Any:
        return self.factory.client(service, region)

    def handler_environment(self) -> dict[str, str]:
        """Credentials, region and endpoint a Lambda handler needs to reach this backend."""
        return self.factory.environment()

    def kinesis_store(self, region: str | None = None) -> Any | None:
        """Direct access to the Kinesis shard store, when the backend is ours (else None)."""
        return None

    @abstractmethod
    def start(self) -> None: ...

    @abstractmethod
    def stop(self) -> None: ...

    def reset(self) -> None:
        """Forget every resource (only backends that own their state can)."""
        raise RuntimeError(f"the {self.name} backend cannot be reset")

    def describe(self) -> str:
        return self.name
