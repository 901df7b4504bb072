"""What streamlab created on AWS, so that ``sim teardown`` removes exactly that.

The state file ``.streamlab/aws/<scenario>-<region>.json`` (under the working directory) lists
every resource a run created, each written the moment its create call succeeded, so a run that
fails half-way can still be torn down. A resource that existed before the run (a table of the
same name, say) is used as it is and never recorded: teardown deletes only what streamlab made.
Every resource that can carry tags is also tagged ``streamlab:scenario=<name>`` and
``streamlab:run=<id>``, which lets teardown find what a lost state file forgot.

:class:`AwsTracker` is what :class:`~sim.provision.Provisioner` and the Lambda deployment report
to during a run on AWS.
"""

from __future__ import annotations

import json
import os
import secrets
import sys
import time
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any, TextIO

from botocore.exceptions import BotoCoreError, ClientError

from sim.backends.aws_resources import KINDS

STATE_DIRECTORY = Path(".streamlab") / "aws"
TAG_SCENARIO = "streamlab:scenario"
TAG_RUN = "streamlab:run"


class AwsConflict(RuntimeError):
    """Creating the scenario would touch something streamlab must not (nothing was created)."""


def state_path(scenario_name: str, region: str, root: str | Path | None = None) -> Path:
    return Path(root or Path.cwd()) / STATE_DIRECTORY / f"{scenario_name}-{region}.json"


def new_run_id() -> str:
    return time.strftime("%Y%m%dT%H%M%SZ", time.gmtime()) + "-" + secrets.token_hex(3)


@dataclass
class Entry:
    kind: str  # a key of sim.backends.aws_resources.KINDS
    name: str  # what the kind's calls take: stream name, table name, role name, mapping UUID
    region: str  # "global" for IAM roles
    arn: str | None = None
    run: str = ""
    created: str = ""

    @property
    def label(self) -> str:
        return f"{KINDS[self.kind].label} {self.name}"

    def describe(self) -> str:
        where = "(global)" if self.region == "global" else f"in {self.region}"
        return f"{self.label} {where}" + (f" [{self.arn}]" if self.arn else "")


@dataclass
class StateFile:
    path: Path
    scenario: str
    region: str
    account: str | None = None
    entries: list[Entry] = field(default_factory=list)

    @classmethod
    def load(cls, path: Path, scenario: str, region: str) -> StateFile:
        if not path.exists():
            return cls(path, scenario, region)
        data = json.loads(path.read_text())
        return cls(
            path,
            data.get("scenario", scenario),
            data.get("region", region),
            data.get("account"),
            [Entry(**entry) for entry in data.get("resources", [])],
        )

    def find(self, kind: str, name: str) -> Entry | None:
        return next((e for e in self.entries if e.kind == kind and e.name == name), None)

    def add(self, entry: Entry) -> None:
        if self.find(entry.kind, entry.name) is None:
            self.entries.append(entry)
        self.save()

    def remove(self, entry: Entry) -> None:
        self.entries = [e for e in self.entries if (e.kind, e.name) != (entry.kind, entry.name)]
        self.save()

    def save(self) -> None:
        """Written atomically; removed once nothing is left in it."""
        if not self.entries:
            self.path.unlink(missing_ok=True)
            return
        self.path.parent.mkdir(parents=True, exist_ok=True)
        data = {
            "scenario": self.scenario,
            "region": self.region,
            "account": self.account,
            "resources": [asdict(e) for e in self.entries],
        }
        temporary = self.path.with_suffix(f".tmp{os.getpid()}")
        temporary.write_text(json.dumps(data, indent=2) + "\n")
        os.replace(temporary, self.path)


def caller_account(clients: Any) -> str | None:
    try:
        return clients.client("sts").get_caller_identity()["Account"]
    except (ClientError, BotoCoreError):
        return None


class AwsTracker:
    """Provisioning hooks for one run on AWS: tags for every create call, the state file, and
    what existed before (used as it is, never recorded).

    Built before the first create call. It stops the run (:class:`AwsConflict`) before anything
    is created when resources of an earlier run of the scenario are still there (``sim
    teardown`` first: otherwise their data would mix with this run's) or when a function of the
    scenario's name exists that streamlab did not create (it is never overwritten).
    """

    def __init__(
        self,
        clients: Any,
        scenario: Any,
        *,
        root: str | Path | None = None,
        out: TextIO | None = None,
    ):
        self.clients = clients
        self.scenario = scenario
        self.region = scenario.region
        self.out = out if out is not None else sys.stderr
        self.state = StateFile.load(
            state_path(scenario.name, self.region, root), scenario.name, self.region
        )
        self.run_id = new_run_id()
        self.tags = {TAG_SCENARIO: scenario.name, TAG_RUN: self.run_id}
        self.used: list[tuple[str, str]] = []  # existed before: used as they are
        self._check_earlier_run()
        self._check_functions()

    # -- before anything is created -----------------------------------------------------------
    def _check_earlier_run(self) -> None:
        if not self.state.entries:
            return
        present = [e for e in self.state.entries if KINDS[e.kind].exists(self.clients, e.name)]
        if present:
            listing = "".join(f"\n  {e.describe()}" for e in present)
            raise AwsConflict(
                f"resources from an earlier run of {self.scenario.name} are still on AWS "
                f"(recorded in {self.state.path}); nothing was created. Remove them first "
                "with `sim teardown SCENARIO --backend aws --yes`:" + listing
            )
        self.state.entries = []  # all gone (deleted by hand): forget them
        self.state.save()

    def _check_functions(self) -> None:
        taken = [
            f.name
            for f in self.scenario.functions
            if KINDS["function"].exists(self.clients, f.name)
        ]
        if taken:
            raise AwsConflict(
                f"Lambda function(s) {', '.join(taken)} already exist in {self.region} and "
                "were not created by streamlab for this scenario; nothing was created (streamlab "
                "never overwrites a function it did not create: delete or rename them)"
            )

    # -- during the run -----------------------------------------------------------------------
    @property
    def account(self) -> str | None:
        if self.state.account is None:
            self.state.account = caller_account(self.clients)
        return self.state.account

    def tag_list(self) -> list[dict[str, str]]:
        return [{"Key": k, "Value": v} for k, v in self.tags.items()]

    def exists(self, kind: str, name: str) -> bool:
        return KINDS[kind].exists(self.clients, name)

    def created(self, kind: str, name: str, arn: str | None = None) -> None:
        region = "global" if kind == "role" else self.region
        self.account  # noqa: B018 - recorded with the first entry
        entry = Entry(
            kind, name, region, arn, self.run_id, time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime())
        )
        self.state.add(entry)
        print(f"created {entry.describe()}", file=self.out)

    def existing(self, kind: str, name: str) -> None:
        self.used.append((kind, name))
        print(
            f"{KINDS[kind].label} {name} already exists: used as it is (not recorded, so "
            "`sim teardown` leaves it)",
            file=self.out,
        )
