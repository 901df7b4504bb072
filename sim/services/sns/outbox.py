"""The email outbox: what SNS sent to email and email-json subscribers, kept instead of sent.

Each embedded backend has one :class:`Outbox` (``backend.outbox()``), emptied by ``reset()``.
An :class:`Email` records who it went to, from whom, the subject, the body, the simulated time
it was sent, and which topic, message and subscription it belongs to; ``kind`` is
``notification`` (a published message) or ``confirmation`` (the subscription confirmation).

:meth:`Outbox.write` exports the emails as RFC 5322 files (``.eml``, readable by any mail
client, built with the standard library's :mod:`email` package) plus ``outbox.json`` (the list
of :meth:`Email.to_dict`); :func:`read_outbox` reads such a directory back and
:func:`render_table` prints emails one per line for ``sim outbox``.
"""

from __future__ import annotations

import json
import re
import threading
from dataclasses import asdict, dataclass
from email.message import EmailMessage
from email.policy import SMTP
from email.utils import format_datetime
from pathlib import Path
from typing import Any

from sim.clock import iso, to_datetime, to_epoch

OUTBOX_FILE = "outbox.json"
NOTIFICATION = "notification"
CONFIRMATION = "confirmation"

# Headers real SNS emails carry (sisimai's Amazon SES parsers recognise SNS emails by
# ``x-amz-sns-message-id``); the subscription header is the one AWS documents for HTTP/S
# deliveries (x-amz-sns-subscription-arn), assumed for email.
MESSAGE_ID_HEADER = "x-amz-sns-message-id"
SUBSCRIPTION_HEADER = "x-amz-sns-subscription-arn"


@dataclass(frozen=True)
class Email:
    """One email SNS sent. ``time`` is simulated epoch seconds; ``sender`` is the From line."""

    time: float
    to: str
    sender: str
    subject: str
    body: str
    kind: str
    protocol: str
    topic_arn: str
    message_id: str
    subscription_arn: str

    @property
    def first_line(self) -> str:
        return self.body.split("\n", 1)[0]

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready: ``time`` as AWS's ISO-8601 with milliseconds, ``from`` for the sender."""
        data = asdict(self)
        data["time"] = iso(self.time)
        data["from"] = data.pop("sender")
        return {key: data[key] for key in _KEYS}

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Email:
        values = {key: data[key] for key in _KEYS if key not in ("time", "from")}
        return cls(time=to_epoch(data["time"]), sender=data["from"], **values)

    def to_eml(self) -> bytes:
        """The email as an RFC 5322 message (UTF-8 text body)."""
        message = EmailMessage()
        message["From"] = self.sender
        message["To"] = self.to
        message["Subject"] = self.subject
        message["Date"] = format_datetime(to_datetime(self.time))
        message[MESSAGE_ID_HEADER] = self.message_id
        message[SUBSCRIPTION_HEADER] = self.subscription_arn
        message.set_content(self.body)
        return message.as_bytes(policy=SMTP)


_KEYS = (
    "time",
    "to",
    "from",
    "subject",
    "body",
    "kind",
    "protocol",
    "topic_arn",
    "message_id",
    "subscription_arn",
)


class Outbox:
    """The emails of one backend, in the order they were sent; safe to use from any thread."""

    def __init__(self) -> None:
        self._emails: list[Email] = []
        self._lock = threading.Lock()

    def add(self, email: Email) -> None:
        with self._lock:
            self._emails.append(email)

    def emails(self, to: str | None = None) -> list[Email]:
        """The emails, all or those sent to ``to`` (compared without regard to case)."""
        with self._lock:
            emails = list(self._emails)
        if to is None:
            return emails
        return [email for email in emails if email.to.lower() == to.lower()]

    def clear(self) -> None:
        with self._lock:
            self._emails.clear()

    def __len__(self) -> int:
        with self._lock:
            return len(self._emails)

    def to_list(self) -> list[dict[str, Any]]:
        return [email.to_dict() for email in self.emails()]

    def write(self, directory: str | Path) -> int:
        """Export into ``directory`` (created): one ``.eml`` per email, named
        ``<time>-<NNNN>-<kind>.eml`` so that names sort by time, and ``outbox.json``.
        Returns the number of emails. The same emails write the same bytes."""
        return write_emails(self.emails(), directory)


def write_emails(emails: list[Email], directory: str | Path) -> int:
    path = Path(directory)
    path.mkdir(parents=True, exist_ok=True)
    ordered = sorted(enumerate(emails), key=lambda item: (item[1].time, item[0]))
    for number, (_, email) in enumerate(ordered, start=1):
        stamp = re.sub(r"[-:]", "", iso(email.time))  # 20211101T090000.000Z
        (path / f"{stamp}-{number:04d}-{email.kind}.eml").write_bytes(email.to_eml())
    document = [email.to_dict() for _, email in ordered]
    (path / OUTBOX_FILE).write_text(
        json.dumps(document, indent=2, ensure_ascii=False) + "\n", encoding="utf-8"
    )
    return len(emails)


def read_outbox(directory: str | Path) -> list[Email]:
    """The emails an export wrote (``directory`` holds ``outbox.json``). Raises
    ``FileNotFoundError`` when it does not, ``ValueError`` when the file is not an outbox."""
    path = Path(directory) / OUTBOX_FILE
    try:
        document = json.loads(path.read_text(encoding="utf-8"))
        if not isinstance(document, list):
            raise ValueError("expected a list of emails")
        return [Email.from_dict(item) for item in document]
    except (KeyError, TypeError, ValueError) as error:
        raise ValueError(f"{path} is not an outbox written by streamlab ({error})") from None


def render_table(emails: list[Email], *, width: int = 60) -> str:
    """One line per email: time, to, subject, the body's first line (cut at ``width``)."""
    headers = ("time", "to", "subject", "body")
    rows = [(iso(e.time), e.to, e.subject, _cut(e.first_line, width)) for e in emails]
    widths = [max([len(h), *(len(row[i]) for row in rows)]) for i, h in enumerate(headers)]

    def line(cells: tuple[str, ...]) -> str:
        return "  ".join(c.ljust(w) for c, w in zip(cells, widths, strict=True)).rstrip()

    lines = [line(headers), line(tuple("-" * w for w in widths))]
    lines += [line(row) for row in rows]
    lines.append(f"({len(emails)} email{'' if len(emails) == 1 else 's'})")
    return "\n".join(lines)


def _cut(text: str, width: int) -> str:
    return text if len(text) <= width else text[: width - 1] + "…"
