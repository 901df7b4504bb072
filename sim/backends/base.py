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
    # True where the backend runs the scenario's functions and event source mappings itself
    # (AWS Lambda): the runner deploys them there instead of running them in this process.
    runs_functions: bool = False

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

    def attach_runtime(self, runtime: Any) -> None:  # noqa: B027 (optional hook)
        """The Lambda runtime running the scenario's functions here, for backends that serve
        the Lambda API from it (the embedded backend and its endpoint); others ignore it."""

    def attach_event_source_mappings(self, mappings: list[Any]) -> None:  # noqa: B027
        """The run's event source mappings, for backends whose Lambda API lists them."""

    def check_deployable(self, scenario: Any) -> None:  # noqa: B027 (optional hook)
        """Refuse, before anything is created, what the backend would run itself but cannot
        deploy (only where ``runs_functions``)."""

    def deploy_functions(self, scenario: Any, roles: dict[str, str], code_roots: list[str]) -> None:
        """Deploy the scenario's functions and their triggers (only where ``runs_functions``)."""
        raise NotImplementedError(f"the {self.name} backend does not run functions itself")

    @abstractmethod
    def start(self) -> None: ...

    @abstractmethod
    def stop(self) -> None: ...

    def reset(self) -> None:
        """Forget every resource (only backends that own their state can)."""
        raise RuntimeError(f"the {self.name} backend cannot be reset")

    def describe(self) -> str:
        return self.name
