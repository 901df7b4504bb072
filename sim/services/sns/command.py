"""``sim outbox [SOURCE] [--to ADDRESS] [--json]``: the emails SNS sent.

SOURCE is one of:

* an export directory (``sim run --export DIR``): reads ``DIR/outbox/outbox.json`` (or
  ``DIR/outbox.json`` when given the outbox directory itself);
* a scenario file: runs it first, in this process, on the embedded backend (as ``sim query``
  does), then reads that backend's outbox;
* nothing: the outbox of the endpoint ``sim up`` started from this directory
  (``GET /_streamlab/outbox``, found through ``.streamlab/endpoint.json``).

Prints one line per email (time, to, subject, the body's first line), or with ``--json`` the
list of emails (``Email.to_dict()``). Exit status 0, or 2 when SOURCE cannot be read.
"""

from __future__ import annotations

import json
import urllib.error
import urllib.request
from dataclasses import dataclass, field
from pathlib import Path
from typing import TextIO

from sim.services.sns.outbox import OUTBOX_FILE, Email, read_outbox, render_table

EXIT_OK, EXIT_USAGE = 0, 2
OUTBOX_ROUTE = "/_streamlab/outbox"
FETCH_TIMEOUT_SECONDS = 10.0


class OutboxSourceError(Exception):
    """SOURCE cannot be read (no such file, no outbox in it, no endpoint answering)."""


@dataclass
class OutboxContents:
    emails: list[Email]
    # Email subscriptions still pending confirmation ({"endpoint": address, ...}); None when
    # the source does not say (an export).
    pending: list[dict[str, str]] | None = None
    notes: list[str] = field(default_factory=list)


def outbox_command(
    source: str | None,
    *,
    to: str | None,
    as_json: bool,
    seed: int | None,
    out: TextIO,
    err: TextIO,
) -> int:
    try:
        contents = load(source, seed=seed)
    except OutboxSourceError as error:
        print(f"sim outbox: {error}", file=err)
        return EXIT_USAGE
    for note in contents.notes:
        print(note, file=err)
    emails, pending = contents.emails, contents.pending
    if to is not None:
        emails = [email for email in emails if email.to.lower() == to.lower()]
        if pending is not None:
            pending = [p for p in pending if p.get("endpoint", "").lower() == to.lower()]
    if as_json:
        print(
            json.dumps([email.to_dict() for email in emails], indent=2, ensure_ascii=False),
            file=out,
        )
    elif emails:
        print(render_table(emails), file=out)
    else:
        print(_nothing(to, pending), file=out)
    return EXIT_OK


def load(source: str | None, *, seed: int | None = None) -> OutboxContents:
    if source is None:
        return _from_endpoint()
    path = Path(source)
    if path.is_dir():
        return _from_export(path)
    if path.is_file():
        return _from_scenario(path, seed)
    raise OutboxSourceError(f"{source}: no such file or directory")


def _from_export(path: Path) -> OutboxContents:
    directory = path / "outbox" if (path / "outbox" / OUTBOX_FILE).exists() else path
    try:
        return OutboxContents(read_outbox(directory))
    except FileNotFoundError:
        raise OutboxSourceError(
            f"{path} has no outbox/{OUTBOX_FILE}: it is written by `sim run --export DIR` on "
            "the embedded backend"
        ) from None
    except ValueError as error:
        raise OutboxSourceError(str(error)) from None


def _from_scenario(path: Path, seed: int | None) -> OutboxContents:
    from sim.runner import Simulation
    from sim.scenario import ScenarioError, load_scenario

    try:
        scenario = load_scenario(path)
    except ScenarioError as error:
        raise OutboxSourceError(str(error)) from None
    with Simulation(scenario, path=path, seed=seed, progress=False) as simulation:
        result = simulation.run()
        emails = simulation.backend.outbox().emails()
        pending = simulation.backend.sns().pending_confirmations()
    state = "passed" if result.passed else "did not pass"
    note = f"ran {path} on the embedded backend (its expectations {state})"
    return OutboxContents(emails, pending, [note])


def _from_endpoint() -> OutboxContents:
    from sim.daemon import read_state

    state = read_state()
    if state is None:
        raise OutboxSourceError(
            "no streamlab endpoint is running here (`sim up` starts one); give an export "
            "directory (`sim run --export DIR`) or a scenario file"
        )
    url = state["url"]
    try:
        with urllib.request.urlopen(url + OUTBOX_ROUTE, timeout=FETCH_TIMEOUT_SECONDS) as answer:
            document = json.loads(answer.read())
    except urllib.error.HTTPError as error:
        raise OutboxSourceError(
            f"the endpoint at {url} has no outbox (HTTP {error.code}); restart it with "
            "`sim down` and `sim up`"
        ) from None
    except (OSError, ValueError) as error:
        raise OutboxSourceError(f"no streamlab endpoint answers at {url}: {error}") from None
    emails = [Email.from_dict(item) for item in document.get("emails", [])]
    return OutboxContents(emails, list(document.get("pending", [])))


def _nothing(to: str | None, pending: list[dict[str, str]] | None) -> str:
    line = f"no emails to {to} in the outbox" if to else "no emails in the outbox"
    if pending:
        count = len(pending)
        line += (
            f" ({count} email subscription{'s' if count != 1 else ''} "
            f"{'were' if count != 1 else 'was'} pending confirmation: SNS sends nothing to a "
            "subscription until it is confirmed)"
        )
    elif pending is not None:
        line += " (no email subscription was pending confirmation)"
    return line
