"""The outbox: its export (.eml files a mail library reads back, outbox.json), reading an export
back, the table, and `sim outbox` on an export directory."""

from __future__ import annotations

import email
import json
from email import policy
from pathlib import Path
from typing import Any

import pytest

from sim.cli import main
from sim.clock import Clock, ProcessTime, to_epoch
from sim.services.sns import export_outbox, read_outbox, render_table

ADDRESS = "ops@example.com"


@pytest.fixture
def sent(backend: Any, sns: Any, topic_arn: str) -> Any:
    """A confirmation to one address, two notifications to another, at known times."""
    clock = Clock(start=to_epoch("2021-11-01T09:00:00Z"))
    with ProcessTime(clock):
        sns.subscribe(TopicArn=topic_arn, Protocol="email", Endpoint="new@example.com")
        backend.sns().subscribe(topic_arn, "email", ADDRESS, confirmed=True)
        clock.run(until=clock.now + 60)
        sns.publish(TopicArn=topic_arn, Message="Disk full on höst-1\nsecond line", Subject="Alarm")
        clock.run(until=clock.now + 60)
        sns.publish(TopicArn=topic_arn, Message="Recovered")
    return backend.outbox()


def test_export_writes_eml_files_and_outbox_json(sent: Any, backend: Any, tmp_path: Path):
    assert export_outbox(backend, tmp_path) == 3
    directory = tmp_path / "outbox"
    names = sorted(path.name for path in directory.glob("*.eml"))
    assert names == [
        "20211101T090000.000Z-0001-confirmation.eml",
        "20211101T090100.000Z-0002-notification.eml",
        "20211101T090200.000Z-0003-notification.eml",
    ]
    parsed = email.message_from_bytes((directory / names[1]).read_bytes(), policy=policy.default)
    assert parsed["From"] == "AWS Notifications <no-reply@sns.amazonaws.com>"
    assert parsed["To"] == ADDRESS
    assert parsed["Subject"] == "Alarm"
    assert parsed["Date"] == "Mon, 01 Nov 2021 09:01:00 +0000"
    assert parsed["x-amz-sns-message-id"] == sent.emails()[1].message_id
    assert parsed.get_content().replace("\r\n", "\n").rstrip("\n") == sent.emails()[1].body
    document = json.loads((directory / "outbox.json").read_text(encoding="utf-8"))
    assert [item["time"] for item in document] == [
        "2021-11-01T09:00:00.000Z",
        "2021-11-01T09:01:00.000Z",
        "2021-11-01T09:02:00.000Z",
    ]
    assert read_outbox(directory) == sent.emails()


def test_the_same_emails_export_the_same_bytes(sent: Any, tmp_path: Path) -> None:
    sent.write(tmp_path / "a")
    sent.write(tmp_path / "b")
    for path in (tmp_path / "a").iterdir():
        assert (tmp_path / "b" / path.name).read_bytes() == path.read_bytes()


def test_an_empty_outbox_exports_an_empty_list(backend: Any, tmp_path: Path) -> None:
    assert export_outbox(backend, tmp_path) == 0
    assert json.loads((tmp_path / "outbox" / "outbox.json").read_text()) == []


def test_a_backend_without_an_outbox_exports_nothing(tmp_path: Path) -> None:
    assert export_outbox(object(), tmp_path) is None
    assert not (tmp_path / "outbox").exists()


def test_render_table(sent: Any) -> None:
    lines = render_table(sent.emails()).splitlines()
    assert lines[0].split() == ["time", "to", "subject", "body"]
    assert lines[2].split("  ")[0] == "2021-11-01T09:00:00.000Z"
    assert "AWS Notification - Subscription Confirmation" in lines[2]
    assert lines[3].endswith("Disk full on höst-1")
    assert lines[-1] == "(3 emails)"


def test_sim_outbox_on_an_export_directory(
    sent: Any, backend: Any, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    export_outbox(backend, tmp_path)
    assert main(["outbox", str(tmp_path)]) == 0
    out = capsys.readouterr().out
    assert "Disk full on höst-1" in out and "Recovered" in out and out.endswith("(3 emails)\n")

    assert main(["outbox", str(tmp_path), "--to", ADDRESS.upper(), "--json"]) == 0
    listed = json.loads(capsys.readouterr().out)
    assert [item["body"].split("\n")[0] for item in listed] == [
        "Disk full on höst-1",
        "Recovered",
    ]
    assert main(["outbox", str(tmp_path / "outbox"), "--to", "nobody@example.com"]) == 0
    assert capsys.readouterr().out == "no emails to nobody@example.com in the outbox\n"


def test_sim_outbox_on_a_directory_without_an_outbox(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["outbox", str(tmp_path)]) == 2
    assert "has no outbox/outbox.json" in capsys.readouterr().err
