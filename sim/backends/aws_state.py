"""What streamlab created on AWS, so that ``sim teardown`` removes exactly that.

The state file ``.streamlab/aws/<scenario>-<region>.json`` (under the working directory) lists
every resource a run created, each written the moment its create call succeeded, so a run that
fails half-way can still be torn down. A resource that existed before the run (a table of the
same name, say) is used as it is and never recorded: teardown deletes only what streamlab made.
Every resource that can carry tags is also tagged ``streamlab:scenario=<name>`` and
``streamlab:run=<id>``, which lets teardown find what a lost state file forgot.

:class:`AwsTracker` is what :class:`~sim.provision.Provisioner` and the Lambda deployment report
to during a run on AWS. It also holds what only AWS needs of a Firehose delivery stream: retrying
CreateDeliveryStream while a new role propagates, and waiting until the stream is ACTIVE.
"""

from __future__ import annotations

import json
import os
import secrets
import sys
import time
from collections.abc import Callable
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any, TextIO

from botocore.exceptions import BotoCoreError, ClientError

from sim.backends.aws_resources import KINDS, error_code

STATE_DIRECTORY = Path(".streamlab") / "aws"
TAG_SCENARIO = "streamlab:scenario"
TAG_RUN = "streamlab:run"
# A new IAM role takes a few seconds to be usable by Firehose (IAM is eventually consistent):
# meanwhile CreateDeliveryStream answers InvalidArgumentException naming the role. Seconds to
# wait between attempts (about 55 s in all) before giving up.
FIREHOSE_ROLE_PROPAGATION_DELAYS = (1, 2, 4, 8, 8, 8, 8, 8, 8)
# Firehose creates a delivery stream asynchronously (CREATING, then ACTIVE): how long to wait.
DELIVERY_STREAM_ACTIVE_SECONDS = 600
DELIVERY_STREAM_POLL_SECONDS = 5


class AwsConflict(RuntimeError):
    """Creating the scenario would touch something streamlab must not (nothing was created)."""


class AwsCreateError(RuntimeError):
    """AWS did not create a resource, or not in time (what was created is recorded)."""


def firehose_role_not_ready(error: ClientError) -> bool:
    """IAM's eventual consistency: a new role (or its policies) not yet usable by Firehose."""
    message = str(error.response.get("Error", {}).get("Message", "")).lower()
    return error_code(error) == "InvalidArgumentException" and "role" in message


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
        self.sleep: Callable[[float], None] = time.sleep  # tests replace it
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

    # -- Firehose -------------------------------------------------------------------------------
    def retry_while_role_propagates(self, call: Callable[[], Any], what: str) -> Any:
        """``call()``, a create call naming a new role, retried while Firehose cannot use the
        role yet (see :data:`FIREHOSE_ROLE_PROPAGATION_DELAYS`); other errors are raised."""
        for attempt, delay in enumerate((*FIREHOSE_ROLE_PROPAGATION_DELAYS, None)):
            try:
                return call()
            except ClientError as error:
                if not firehose_role_not_ready(error):
                    raise
                if delay is None:
                    waited = sum(FIREHOSE_ROLE_PROPAGATION_DELAYS)
                    raise AwsCreateError(
                        f"{what} was not created: Firehose still refused its role after "
                        f"{len(FIREHOSE_ROLE_PROPAGATION_DELAYS) + 1} attempts over {waited} s "
                        f"({error_code(error)}: {error.response['Error'].get('Message', '')}). "
                        "Check the role's trust policy (firehose.amazonaws.com) and its "
                        "permissions; what was created is recorded for `sim teardown`"
                    ) from error
                if attempt == 0:
                    print(
                        f"{what}: waiting for its new IAM role to reach Firehose "
                        f"(up to {sum(FIREHOSE_ROLE_PROPAGATION_DELAYS)} s)",
                        file=self.out,
                    )
                self.sleep(delay)
        raise AssertionError("unreachable")

    def wait_for_delivery_stream(self, name: str) -> None:
        """Until the delivery stream is ACTIVE; an error when its creation failed or took
        longer than :data:`DELIVERY_STREAM_ACTIVE_SECONDS` (it stays recorded)."""
        firehose = self.clients.client("firehose")
        attempts = -(-DELIVERY_STREAM_ACTIVE_SECONDS // DELIVERY_STREAM_POLL_SECONDS) + 1
        status = ""
        for attempt in range(attempts):
            if attempt:
                self.sleep(DELIVERY_STREAM_POLL_SECONDS)
            description = firehose.describe_delivery_stream(DeliveryStreamName=name)[
                "DeliveryStreamDescription"
            ]
            status = description.get("DeliveryStreamStatus", "")
            if status == "ACTIVE":
                return
            if status != "CREATING":
                failure = description.get("FailureDescription") or {}
                reason = ": ".join(
                    part for part in (failure.get("Type"), failure.get("Details")) if part
                )
                raise AwsCreateError(
                    f"Firehose delivery stream {name} is {status or 'in no state'}"
                    + (f" ({reason})" if reason else "")
                    + "; it is recorded: `sim teardown` deletes it"
                )
        raise AwsCreateError(
            f"Firehose delivery stream {name} is still {status} after "
            f"{DELIVERY_STREAM_ACTIVE_SECONDS} s; it is recorded: `sim teardown` deletes it"
        )
