"""``sim teardown SCENARIO --backend localstack|endpoint=URL``: delete what a scenario declares
on a LocalStack-compatible endpoint.

An endpoint (the LocalStack that ``make localstack`` keeps running, ministack, another machine's
``sim up``) keeps its state between runs, so a second run of the same scenario finds its streams
and tables already there. Unlike AWS, where streamlab records what it created and never touches
anything else (:mod:`sim.backends.aws_teardown`), an endpoint is the user's own sandbox: teardown
deletes the resources the scenario *declares*, by name (its delivery streams, topics, queues,
buckets, tables, streams, and the roles the runner creates for its functions and delivery
streams), then checks that none is left. Without ``--yes`` it only lists them.
"""

from __future__ import annotations

from typing import Any, TextIO

from botocore.exceptions import BotoCoreError, ClientError

from sim.backends.aws_resources import KINDS, TEARDOWN_ORDER

EXIT_DONE, EXIT_LEFTOVERS, EXIT_CONFIRM = 0, 1, 2


def declared_resources(scenario: Any) -> list[tuple[str, str]]:
    """``(kind, name)`` of every resource a run of ``scenario`` creates on an endpoint, in
    teardown order (what depends on a resource first)."""
    resources = scenario.resources
    found: list[tuple[str, str]] = []
    found += [("delivery-stream", d.name) for d in resources.delivery_streams]
    found += [("topic", t.name) for t in resources.topics]
    found += [("queue", q.name) for q in resources.queues]
    found += [("bucket", b.name) for b in resources.buckets]
    found += [("table", t.name) for t in resources.tables]
    found += [("stream", s.name) for s in resources.streams]
    for function in scenario.functions:
        role = function.role
        found.append(("role", role.name if role and role.name else f"{function.name}-role"))
    for delivery in resources.delivery_streams:
        role = delivery.role
        if isinstance(role, str):
            continue  # someone's role, given by ARN: not created by the run
        found.append(("role", role.name if role and role.name else f"firehose-{delivery.name}"))
    order = {kind: i for i, kind in enumerate(TEARDOWN_ORDER)}
    unique = list(dict.fromkeys(found))
    return sorted(unique, key=lambda entry: order[entry[0]])


class LeftoverResources(RuntimeError):
    """A run on an endpoint found the scenario's resources from an earlier run (raised before
    anything is created)."""


def refuse_leftovers(backend: Any, scenario: Any, path: str | None) -> None:
    """Raise :class:`LeftoverResources` when ``backend`` already holds resources the scenario
    declares: a run would fail on the first, or read what an earlier run stored."""
    present = [
        _describe(kind, name)
        for kind, name in declared_resources(scenario)
        if KINDS[kind].exists(backend, name)
    ]
    if present:
        flag = "localstack" if backend.name == "localstack" else f"endpoint={backend.url}"
        raise LeftoverResources(
            f"{backend.describe()} already holds this scenario's "
            + ", ".join(present)
            + f" (from an earlier run): `sim teardown {path or 'SCENARIO'} --backend {flag} "
            "--yes` deletes them"
        )


def _describe(kind: str, name: str) -> str:
    return f"{KINDS[kind].label} {name}"


def teardown_endpoint(backend: Any, scenario: Any, *, yes: bool, out: TextIO, err: TextIO) -> int:
    """Delete (with ``yes``) or list the scenario's resources on ``backend``; exit status 0
    when nothing is left, 1 with leftovers (listed), 2 when ``--yes`` is needed."""
    where = f"{scenario.name} on {backend.describe()}"
    present: list[tuple[str, str]] = []
    for kind, name in declared_resources(scenario):
        try:
            if KINDS[kind].exists(backend, name):
                present.append((kind, name))
        except (ClientError, BotoCoreError) as error:
            print(f"sim teardown: could not check {_describe(kind, name)}: {error}", file=err)
            return EXIT_LEFTOVERS
    if not present:
        print(f"nothing to tear down for {where}", file=out)
        return EXIT_DONE
    if not yes:
        print(
            f"sim teardown: nothing was deleted: re-run with --yes to delete, for {where}:\n"
            + "\n".join(f"  delete {_describe(k, n)}" for k, n in present),
            file=err,
        )
        return EXIT_CONFIRM
    print(f"tearing down {where}:", file=out)
    for kind, name in present:
        try:
            KINDS[kind].delete(backend, name)
        except (ClientError, BotoCoreError, TimeoutError) as error:
            print(f"  could not delete {_describe(kind, name)}: {error}", file=out)
            continue
        print(f"  deleted {_describe(kind, name)}", file=out)
    leftovers = []
    for kind, name in present:
        try:
            if KINDS[kind].exists(backend, name):
                leftovers.append(_describe(kind, name))
        except (ClientError, BotoCoreError) as error:
            leftovers.append(f"{_describe(kind, name)} (could not check: {error})")
    if not leftovers:
        print("nothing left", file=out)
        return EXIT_DONE
    print(f"Left on {backend.describe()} ({len(leftovers)}):", file=out)
    for line in leftovers:
        print(f"  {line}", file=out)
    return EXIT_LEFTOVERS
