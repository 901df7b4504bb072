"""Real AWS, through a profile and a region. Nothing is created without explicit confirmation.

* **The plan.** ``AwsBackend.plan(scenario)`` lists every resource a scenario would create, its
  Region, and an estimated cost per hour and for the scenario's duration, from the scenario's
  volumes (:mod:`sim.backends.aws_cost`, prices in :mod:`sim.backends.aws_pricing`). Called on
  the class it asks AWS nothing; called on a backend (``backend.plan(scenario)``) it also reads
  what already exists. The runner prints it and stops unless the user confirmed
  (``sim run --backend aws --yes``).
* **The run** (``runs_functions``): the runner provisions through
  :class:`~sim.provision.Provisioner`, which asks :meth:`AwsBackend.provision_tracker` for an
  :class:`~sim.backends.aws_state.AwsTracker` that tags every create call and records every
  created resource in ``.streamlab/aws/<scenario>-<region>.json`` (Firehose delivery streams
  included: tagged, recorded, waited for until ACTIVE); then
  :meth:`AwsBackend.deploy_functions` deploys each function as a zip package with its log group
  and its event source mappings (:mod:`sim.backends.aws_deploy`). Producers run here and put
  their records to the real stream; expectations read the real tables.
* **Teardown**: :mod:`sim.backends.aws_teardown` (``sim teardown SCENARIO --backend aws``).
"""

from __future__ import annotations

import functools
import sys
from pathlib import Path
from typing import Any, TextIO

from sim.backends.aws_plan import inventory, plan_lines
from sim.backends.aws_state import AwsConflict, AwsTracker, StateFile, state_path
from sim.backends.base import Backend
from sim.backends.factory import ClientFactory

__all__ = ["AwsBackend", "AwsConflict", "ConfirmationRequired"]


class ConfirmationRequired(Exception):
    """Raised instead of creating anything on AWS without ``--yes``."""

    def __init__(self, plan: list[str]):
        super().__init__(
            "nothing was created on AWS: re-run with --yes to create:\n"
            + "\n".join(f"  {line}" for line in plan)
        )
        self.plan = plan


class _Plan:
    """``AwsBackend.plan(scenario)`` asks AWS nothing; ``backend.plan(scenario)`` also says
    what already exists (reads only)."""

    def __get__(self, backend: AwsBackend | None, owner: type) -> Any:
        if backend is None:
            return functools.partial(plan_lines, existing=None)
        return backend.plan_with_inventory


class AwsBackend(Backend):
    name = "aws"
    simulated_time = False
    runs_functions = True
    plan = _Plan()

    def __init__(
        self,
        *,
        region: str,
        account_id: str,
        profile: str | None = None,
        confirmed: bool = False,
        endpoint_url: str | None = None,
        state_root: str | Path | None = None,
        out: TextIO | None = None,
    ):
        # endpoint_url only lets tests stand a local server in for AWS.
        super().__init__(
            region=region,
            account_id=account_id,
            factory=ClientFactory(region=region, profile=profile, endpoint_url=endpoint_url),
        )
        self.profile = profile
        self.confirmed = confirmed
        self.state_root = state_root  # where .streamlab/aws/ is: the working directory
        self.out = out
        self._trackers: dict[str, AwsTracker] = {}

    def plan_with_inventory(self, scenario: Any, path: str | Path | None = None) -> list[str]:
        state = self.state_file(scenario)
        recorded = {(e.kind, e.name) for e in state.entries}
        return plan_lines(scenario, path=path, existing=inventory(self, scenario, recorded))

    def state_file(self, scenario: Any) -> StateFile:
        return StateFile.load(
            state_path(scenario.name, scenario.region, self.state_root),
            scenario.name,
            scenario.region,
        )

    # -- the run ----------------------------------------------------------------------------
    def provision_tracker(self, scenario: Any) -> AwsTracker:
        """Called by the Provisioner before it creates anything (see sim/provision.py)."""
        if not self.confirmed:
            raise ConfirmationRequired(plan_lines(scenario))
        tracker = self._trackers.get(scenario.name)
        if tracker is None:
            out = self.out if self.out is not None else sys.stderr
            print(f"creating on AWS ({self.describe()}), confirmed with --yes:", file=out)
            for line in plan_lines(scenario):
                print(f"  {line}", file=out)
            tracker = AwsTracker(self, scenario, root=self.state_root, out=out)
            self._trackers[scenario.name] = tracker
        return tracker

    def check_deployable(self, scenario: Any) -> None:
        from sim.backends.aws_deploy import NotDeployable, undeployable

        missing = undeployable(scenario)
        if missing:
            raise NotDeployable(
                "streamlab does not deploy these to AWS yet; nothing was created:\n"
                + "\n".join(f"  {line}" for line in missing)
            )

    def deploy_functions(self, scenario: Any, roles: dict[str, str], code_roots: list[str]) -> None:
        from sim.backends.aws_deploy import Deployer

        tracker = self.provision_tracker(scenario)
        Deployer(self, tracker, out=tracker.out).deploy(scenario, roles, code_roots)

    def handler_environment(self) -> dict[str, str]:
        """Deployed functions get AWS's own credentials from their role, nothing from here."""
        return {}

    def start(self) -> None:
        if not self.confirmed:
            raise ConfirmationRequired([])

    def stop(self) -> None:
        """Nothing to stop: the service outlives the run (resources stay until `sim teardown`)."""

    def describe(self) -> str:
        return f"aws (profile {self.profile or 'default'}, region {self.region})"
