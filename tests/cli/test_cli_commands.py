"""The ``sim`` command as a user runs it: a subprocess in a temporary working directory."""

from __future__ import annotations

import json
from pathlib import Path

import boto3
import pytest
from cli_support import (
    MISSING_HANDLER,
    NOAA,
    REPO,
    StandIn,
    free_port,
    producer_only,
    sim,
    sim_env,
    write,
)

from sim import __version__


def test_version(tmp_path: Path) -> None:
    done = sim("--version", cwd=tmp_path)
    assert done.returncode == 0
    assert done.stdout.strip() == f"streamlab {__version__}"


def test_validate_a_good_and_a_bad_file(tmp_path: Path) -> None:
    bad = write(
        tmp_path / "bad.yaml",
        """\
        name: bad
        clock:
          start: 2021-11-01T00:00:00Z
          duration: 10 parsecs
        """,
    )
    good = sim("validate", str(NOAA), cwd=tmp_path)
    assert good.returncode == 0, good.stderr
    assert f"{NOAA}: valid (noaa-weather" in good.stdout

    both = sim("validate", str(NOAA), "bad.yaml", cwd=tmp_path)
    assert both.returncode == 2
    assert f"{NOAA}: valid" in both.stdout  # the good one is still reported
    assert both.stderr.startswith(f"{bad.name}:4: clock.duration:"), both.stderr
    assert "10 parsecs" in both.stderr
    assert "Traceback" not in both.stderr


def test_validate_a_missing_file(tmp_path: Path) -> None:
    done = sim("validate", "nowhere.yaml", cwd=tmp_path)
    assert done.returncode == 2
    assert "nowhere.yaml" in done.stderr and "Traceback" not in done.stderr


def test_list(tmp_path: Path) -> None:
    done = sim("list", str(REPO / "scenarios"), cwd=tmp_path)
    assert done.returncode == 0, done.stderr
    assert f"{NOAA}  noaa-weather: NOAA daily weather" in done.stdout
    empty = sim("list", cwd=tmp_path)  # ./scenarios does not exist here
    assert empty.returncode == 2
    assert "no scenarios in scenarios/" in empty.stderr


FAILING = """\
expect:
  - name: twenty-one records on the stream
    stream: {stream: only-stream}
    equals: 21
  - name: nothing lost
    ledger: lost
    equals: 0
"""


def test_a_failed_expectation_exits_1_and_reports_expected_and_actual(tmp_path: Path) -> None:
    write(tmp_path / "failing.yaml", producer_only("failing", expect=FAILING))
    done = sim("run", "failing.yaml", "--no-progress", cwd=tmp_path)
    assert done.returncode == 1, done.stderr
    assert "failing  FAILED" in done.stdout
    rows = {line.split()[0]: line for line in done.stdout.splitlines() if "records on" in line}
    row = rows["✘"]
    assert row.split("twenty-one records on the stream")[1].split() == ["21", "20"]
    assert any(
        line.split()[:1] == ["✔"] and "nothing lost" in line for line in done.stdout.splitlines()
    )
    assert done.stderr == ""  # --no-progress


def test_json_output(tmp_path: Path) -> None:
    write(tmp_path / "failing.yaml", producer_only("failing", expect=FAILING))
    done = sim("run", "failing.yaml", "--json", cwd=tmp_path)
    assert done.returncode == 1
    result = json.loads(done.stdout)  # nothing but the JSON on stdout
    assert result["name"] == "failing"
    assert result["passed"] is False
    assert result["backend"] == "embedded"
    first = result["expectations"][0]
    assert (first["name"], first["expected"], first["actual"], first["passed"]) == (
        "twenty-one records on the stream",
        21,
        20,
        False,
    )
    assert result["ledger"]["totals"]["produced"] == 20
    assert "%" not in done.stderr  # no progress bar with --json


def test_a_handler_that_cannot_be_imported_exits_2_naming_the_module(tmp_path: Path) -> None:
    write(
        tmp_path / "handler.yaml",
        MISSING_HANDLER,
    )
    done = sim("run", "handler.yaml", "--no-progress", cwd=tmp_path)
    assert done.returncode == 2
    assert "no_such_module_xyz" in done.stderr
    assert "handler.yaml" in done.stderr
    assert "Traceback" not in done.stderr


def test_an_unknown_backend_exits_2(tmp_path: Path) -> None:
    write(tmp_path / "p.yaml", producer_only())
    done = sim("run", "p.yaml", "--backend", "gcp", cwd=tmp_path)
    assert done.returncode == 2
    assert "unknown backend 'gcp'" in done.stderr


def test_backend_aws_without_yes_prints_the_plan_and_sends_nothing(tmp_path: Path) -> None:
    write(tmp_path / "p.yaml", producer_only())
    with StandIn() as stand_in:
        env = sim_env(tmp_path, STREAMLAB_AWS_ENDPOINT_URL=stand_in.url)
        done = sim("run", "p.yaml", "--backend", "aws", cwd=tmp_path, env=env)
        assert done.returncode == 2, done.stdout + done.stderr
        assert "nothing was created on AWS" in done.stderr
        assert "--yes" in done.stderr
        assert "Kinesis stream only-stream (1 shard(s)) in us-east-1" in done.stderr
        assert stand_in.requests == []

        # The stand-in is really where --backend aws goes: with --yes it is asked (and refuses).
        confirmed = sim("run", "p.yaml", "--backend", "aws", "--yes", cwd=tmp_path, env=env)
        assert confirmed.returncode == 2
        assert "AccessDeniedException" in confirmed.stderr
        assert "Traceback" not in confirmed.stderr
        assert stand_in.requests, "--yes should have reached the stand-in"
        assert stand_in.requests[0][2] == "Kinesis_20131202.CreateStream"


@pytest.fixture
def moto_server():
    from moto.server import ThreadedMotoServer

    port = free_port()
    server = ThreadedMotoServer(ip_address="127.0.0.1", port=port, verbose=False)
    server.start()
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        server.stop()


def test_backend_endpoint_stores_the_records_in_that_endpoint(
    tmp_path: Path, moto_server: str
) -> None:
    write(
        tmp_path / "p.yaml",
        producer_only(
            expect="""\
            expect:
              - name: nothing lost
                ledger: lost
                equals: 0
            """
        ),
    )
    done = sim(
        "run", "p.yaml", "--backend", f"endpoint={moto_server}", "--no-progress", cwd=tmp_path
    )
    assert done.returncode == 0, done.stdout + done.stderr
    assert "backend endpoint" in done.stdout

    kinesis = boto3.client(
        "kinesis", endpoint_url=moto_server, region_name="us-east-1",
        aws_access_key_id="test", aws_secret_access_key="test",
    )  # fmt: skip
    assert kinesis.list_streams()["StreamNames"] == ["only-stream"]
    shard = kinesis.list_shards(StreamName="only-stream")["Shards"][0]["ShardId"]
    iterator = kinesis.get_shard_iterator(
        StreamName="only-stream", ShardId=shard, ShardIteratorType="TRIM_HORIZON"
    )["ShardIterator"]
    records = kinesis.get_records(ShardIterator=iterator, Limit=100)["Records"]
    assert len(records) == 20
    assert all(json.loads(r["Data"]) for r in records)  # the NOAA producer's JSON records


def test_backend_endpoint_with_nothing_listening_exits_2(tmp_path: Path) -> None:
    write(tmp_path / "p.yaml", producer_only())
    url = f"http://127.0.0.1:{free_port()}"
    done = sim("run", "p.yaml", "--backend", f"endpoint={url}", cwd=tmp_path)
    assert done.returncode == 2
    assert f"no endpoint answers at {url}" in done.stderr
