"""``sim teardown SCENARIO --backend aws[=PROFILE] [--yes]``: delete what the runs created.

What is deleted is exactly what the state file ``.streamlab/aws/<scenario>-<region>.json``
records (see :mod:`sim.backends.aws_state`), in dependency order (:data:`TEARDOWN_ORDER`):
event source mappings, functions, log groups, Firehose delivery streams, topics (after their
subscriptions), queues,
buckets (emptied first, every version), tables, streams, roles (managed policies detached and
inline policies deleted first). Deletion waits where AWS deletes asynchronously.

Without ``--yes`` it only lists what it would delete (exit 2 when there is something to delete,
as ``sim run --backend aws`` does). Afterwards it lists the leftovers: a recorded resource still
present (the deletion was refused or timed out; it stays recorded, so teardown can be run again)
and any resource tagged ``streamlab:scenario=<name>`` that the state file does not record, found
with the Resource Groups Tagging API where the endpoint answers it (such resources are listed,
never deleted: they may belong to another checkout's run). Exit 1 when anything is left.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, TextIO

from botocore.exceptions import BotoCoreError, ClientError

from sim.backends.aws_resources import KINDS, TEARDOWN_ORDER, name_from_arn
from sim.backends.aws_state import TAG_SCENARIO, Entry, StateFile, caller_account

EXIT_DONE, EXIT_LEFTOVERS, EXIT_CONFIRM = 0, 1, 2


@dataclass
class Survey:
    state: StateFile
    present: list[Entry] = field(default_factory=list)
    gone: list[Entry] = field(default_factory=list)
    unrecorded: list[str] = field(default_factory=list)  # tagged, not in the state file
    notes: list[str] = field(default_factory=list)


def _ordered(entries: list[Entry]) -> list[Entry]:
    return sorted(entries, key=lambda e: TEARDOWN_ORDER.index(e.kind))


def tagged_arns(clients: Any, scenario_name: str) -> list[str]:
    """ARNs of this Region's resources tagged ``streamlab:scenario=<name>``."""
    tagging = clients.client("resourcegroupstaggingapi")
    arns = []
    for page in tagging.get_paginator("get_resources").paginate(
        TagFilters=[{"Key": TAG_SCENARIO, "Values": [scenario_name]}]
    ):
        arns.extend(item["ResourceARN"] for item in page.get("ResourceTagMappingList", []))
    return sorted(arns)


def _unrecorded(clients: Any, scenario: Any, state: StateFile, notes: list[str]) -> list[str]:
    try:
        arns = tagged_arns(clients, scenario.name)
    except (ClientError, BotoCoreError) as error:
        notes.append(f"tagged resources not searched (Resource Groups Tagging API: {error})")
        return []
    found = []
    for arn in arns:
        known = name_from_arn(arn)
        if known is None:
            found.append(f"{arn} (tagged {TAG_SCENARIO}={scenario.name}, not recorded)")
            continue
        kind, name = known
        if state.find(kind, name) is not None:
            continue
        try:
            exists = KINDS[kind].exists(clients, name)  # the tag index lags behind deletions
        except (ClientError, BotoCoreError):
            exists = True
        if exists:
            found.append(
                f"{KINDS[kind].label} {name} [{arn}] (tagged {TAG_SCENARIO}={scenario.name}, "
                "not recorded in the state file: not deleted)"
            )
    return found


def survey(clients: Any, scenario: Any, state: StateFile) -> Survey:
    """What the state file records, split into present and gone, and what else is tagged."""
    result = Survey(state)
    for entry in _ordered(state.entries):
        (result.present if KINDS[entry.kind].exists(clients, entry.name) else result.gone).append(
            entry
        )
    result.unrecorded = _unrecorded(clients, scenario, state, result.notes)
    return result


def teardown_command(backend: Any, scenario: Any, *, yes: bool, out: TextIO, err: TextIO) -> int:
    state = backend.state_file(scenario)
    if state.entries and state.account:
        account = caller_account(backend)
        if account is not None and account != state.account:
            print(
                f"sim teardown: {state.path} records resources of account {state.account}, but "
                f"these credentials are for account {account}: nothing was deleted",
                file=err,
            )
            return EXIT_CONFIRM
    found = survey(backend, scenario, state)
    where = f"{scenario.name} in {scenario.region} ({backend.describe()})"
    lines = [f"delete {e.describe()}" for e in found.present]
    lines += [f"(already gone: {e.describe()})" for e in found.gone]
    if not yes:
        if found.present:
            print(
                f"sim teardown: nothing was deleted on AWS: re-run with --yes to delete, for "
                f"{where}:\n" + "\n".join(f"  {line}" for line in lines),
                file=err,
            )
            _print_leftovers(found.unrecorded, found.notes, out, heading="Also on AWS")
            return EXIT_CONFIRM
        if not found.unrecorded:
            print(f"nothing to tear down for {where} ({state.path} records nothing left)", file=out)
            _print_notes(found.notes, out)
            return EXIT_DONE
        _print_leftovers(found.unrecorded, found.notes, out)
        return EXIT_LEFTOVERS

    print(f"tearing down {where}:", file=out)
    for entry in found.gone:
        state.remove(entry)
    for entry in found.present:
        try:
            KINDS[entry.kind].delete(backend, entry.name)
        except (ClientError, BotoCoreError, TimeoutError) as error:
            print(f"  could not delete {entry.describe()}: {error}", file=out)
            continue
        state.remove(entry)
        print(f"  deleted {entry.describe()}", file=out)
    leftovers = []
    for entry in list(state.entries):
        try:
            present = KINDS[entry.kind].exists(backend, entry.name)
        except (ClientError, BotoCoreError) as error:
            leftovers.append(f"{entry.describe()} (could not check: {error})")
            continue
        if present:
            leftovers.append(f"{entry.describe()} (still recorded in {state.path})")
        else:
            state.remove(entry)
    notes: list[str] = []
    leftovers += _unrecorded(backend, scenario, state, notes)
    if not leftovers:
        print("nothing left", file=out)
        _print_notes(notes, out)
        return EXIT_DONE
    _print_leftovers(leftovers, notes, out)
    return EXIT_LEFTOVERS


def _print_leftovers(
    leftovers: list[str], notes: list[str], out: TextIO, heading: str = "Left on AWS"
) -> None:
    if leftovers:
        print(f"{heading} ({len(leftovers)}):", file=out)
        for line in leftovers:
            print(f"  {line}", file=out)
    _print_notes(notes, out)


def _print_notes(notes: list[str], out: TextIO) -> None:
    for note in notes:
        print(f"note: {note}", file=out)
