"""Packaging handlers, retrying while IAM propagates, and the plan that reads what exists."""

from __future__ import annotations

import io
import os
import zipfile
from pathlib import Path

import pytest
from aws_backend_support import HANDLER_FILES, RecordingStandIn, write, write_project
from backend_support import isolate_aws_environment
from botocore.exceptions import ClientError

from sim.backends.aws import AwsBackend, AwsConflict, ConfirmationRequired
from sim.backends.aws_deploy import (
    ROLE_PROPAGATION_DELAYS,
    PackagingError,
    build_package,
    lambda_handler_string,
    with_role_retries,
)
from sim.scenario import load_scenario


def test_handler_strings_in_lambdas_python_form() -> None:
    assert lambda_handler_string("consumers.noaa_to_dynamodb:lambda_handler") == (
        "consumers.noaa_to_dynamodb.lambda_handler"
    )
    assert lambda_handler_string("app:handler") == "app.handler"


def test_the_package_holds_the_whole_top_level_package_and_is_deterministic(
    tmp_path: Path,
) -> None:
    write_project(tmp_path)
    first = build_package("pipeline.sink:lambda_handler", [str(tmp_path)])
    os.utime(tmp_path / "pipeline" / "sink.py", (1, 1))  # another mtime: the same bytes
    assert build_package("pipeline.sink:lambda_handler", [str(tmp_path)]) == first
    archive = zipfile.ZipFile(io.BytesIO(first))
    assert archive.namelist() == sorted(n for n in HANDLER_FILES if "__pycache__" not in n)
    for info in archive.infolist():
        assert info.date_time == (1980, 1, 1, 0, 0, 0)
        assert info.external_attr >> 16 == 0o100644
        assert info.compress_type == zipfile.ZIP_DEFLATED
        assert archive.read(info).decode() == HANDLER_FILES[info.filename]


def test_a_top_level_module_is_packaged_alone(tmp_path: Path) -> None:
    write(tmp_path / "app.py", "def handler(event, context):\n    return 1\n")
    write(tmp_path / "other.py", "")
    archive = zipfile.ZipFile(io.BytesIO(build_package("app:handler", [str(tmp_path)])))
    assert archive.namelist() == ["app.py"]


def test_an_installed_package_is_found_where_python_imports_it(tmp_path: Path) -> None:
    archive = zipfile.ZipFile(
        io.BytesIO(build_package("consumers.noaa_to_dynamodb:lambda_handler", [str(tmp_path)]))
    )
    assert "consumers/noaa_to_dynamodb.py" in archive.namelist()
    assert "consumers/__init__.py" in archive.namelist()


def test_a_handler_that_cannot_be_found_is_a_clear_error(tmp_path: Path) -> None:
    write_project(tmp_path)
    with pytest.raises(PackagingError, match="no pipeline/missing.py"):
        build_package("pipeline.missing:handler", [str(tmp_path)])
    with pytest.raises(PackagingError, match="cannot find the code of 'no_such_top_xyz'"):
        build_package("no_such_top_xyz.m:handler", [str(tmp_path)])


def _error(code: str, message: str) -> ClientError:
    return ClientError({"Error": {"Code": code, "Message": message}}, "CreateFunction")


def test_a_role_lambda_cannot_assume_yet_is_retried_with_backoff() -> None:
    attempts: list[int] = []
    slept: list[float] = []

    def create() -> str:
        attempts.append(1)
        if len(attempts) < 3:
            raise _error(
                "InvalidParameterValueException",
                "The role defined for the function cannot be assumed by Lambda.",
            )
        return "created"

    assert with_role_retries(create, slept.append) == "created"
    assert slept == list(ROLE_PROPAGATION_DELAYS[:2])


def test_other_errors_are_not_retried_and_retries_end() -> None:
    slept: list[float] = []

    def refused() -> None:
        raise _error("AccessDeniedException", "no")

    with pytest.raises(ClientError, match="AccessDenied"):
        with_role_retries(refused, slept.append)
    assert slept == []

    def never_ready() -> None:
        raise _error("InvalidParameterValueException", "The role defined … cannot be assumed")

    with pytest.raises(ClientError):
        with_role_retries(never_ready, slept.append)
    assert slept == list(ROLE_PROPAGATION_DELAYS)


@pytest.fixture
def stand_in(monkeypatch: pytest.MonkeyPatch, tmp_path: Path):
    isolate_aws_environment(monkeypatch, tmp_path)
    with RecordingStandIn() as server:
        yield server


def _backend(stand_in: RecordingStandIn, tmp_path: Path, confirmed: bool = False) -> AwsBackend:
    return AwsBackend(
        region="us-east-1",
        account_id="123456789012",
        confirmed=confirmed,
        endpoint_url=stand_in.url,
        state_root=tmp_path,
        out=io.StringIO(),
    )


def test_the_plan_on_a_backend_says_what_exists_reading_only(
    stand_in: RecordingStandIn, tmp_path: Path
) -> None:
    scenario = load_scenario(write_project(tmp_path))
    assert "none of these exists yet" in _backend(stand_in, tmp_path).plan(scenario)
    stand_in.client("dynamodb").create_table(
        TableName="Sink",
        KeySchema=[{"AttributeName": "id", "KeyType": "HASH"}],
        AttributeDefinitions=[{"AttributeName": "id", "AttributeType": "S"}],
        BillingMode="PAY_PER_REQUEST",
    )
    stand_in.client("kinesis").create_stream(StreamName="events", ShardCount=1)
    stand_in.calls.clear()

    lines = _backend(stand_in, tmp_path).plan(scenario)
    text = "\n".join(lines)
    table = lines.index(next(x for x in lines if x.startswith("DynamoDB table Sink")))
    assert "! already exists: used as it is, not created, never deleted by teardown" in "\n".join(
        lines[table : table + 3]
    )
    assert text.count("! already exists") == 2  # the table and the stream, nothing else
    assert stand_in.calls and stand_in.writes() == []

    stand_in.calls.clear()
    assert "checked as the run creates them" in "\n".join(AwsBackend.plan(scenario))
    assert stand_in.calls == []  # the class's plan asks AWS nothing


def test_a_backend_without_confirmation_creates_nothing(
    stand_in: RecordingStandIn, tmp_path: Path
) -> None:
    from sim.provision import Provisioner

    scenario = load_scenario(write_project(tmp_path))
    with pytest.raises(ConfirmationRequired):
        Provisioner(_backend(stand_in, tmp_path), scenario).create_resources()
    assert stand_in.calls == []


def test_a_function_of_the_same_name_stops_provisioning_before_any_create(
    stand_in: RecordingStandIn, tmp_path: Path
) -> None:
    from sim.provision import Provisioner

    scenario = load_scenario(write_project(tmp_path))
    role = stand_in.client("iam").create_role(RoleName="x", AssumeRolePolicyDocument="{}")
    stand_in.client("lambda").create_function(
        FunctionName="Sink", Runtime="python3.12", Role=role["Role"]["Arn"], Handler="a.b",
        Code={"ZipFile": build_package("pipeline.sink:lambda_handler", [str(tmp_path)])},
    )  # fmt: skip
    stand_in.calls.clear()
    with pytest.raises(AwsConflict, match="Sink already exist"):
        Provisioner(_backend(stand_in, tmp_path, confirmed=True), scenario)
    assert stand_in.writes() == []
