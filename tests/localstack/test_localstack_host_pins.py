"""One LocalStack version on both paths, and what host mode needs, checked without starting it."""

from __future__ import annotations

import re
import socket
import subprocess
from pathlib import Path

import pytest

from sim.localstack_host import (
    DEFAULT_PORT,
    JAVA_SHIM_DIR,
    PROJECT,
    LocalStackError,
    LocalStackHost,
    lib_dir,
    localstack_version,
    missing,
    venv_python,
)


def test_docker_compose_runs_the_locked_localstack() -> None:
    compose = (PROJECT / "docker-compose.yml").read_text()
    tags = re.findall(r"^\s*image:\s*localstack/localstack:(\S+)\s*$", compose, re.MULTILINE)
    assert tags == [localstack_version()], "docker-compose.yml and localstack/requirements.lock"


def test_lock_is_generated_from_the_pinned_input() -> None:
    wanted = (PROJECT / "localstack" / "requirements.in").read_text()
    assert f"localstack-core[runtime]=={localstack_version()}" in wanted
    lock = (PROJECT / "localstack" / "requirements.lock").read_text()
    assert "--exclude-newer 2025-10-07 --python-version 3.11" in lock
    assert "--exclude-newer 2025-10-07 " in (PROJECT / "Makefile").read_text()
    pins = re.findall(r"^([A-Za-z0-9_.-]+)==\S+$", lock, re.MULTILINE)
    assert len(pins) > 50 and "moto-ext" in pins  # the [runtime] extra, fully pinned


def test_install_is_in_place() -> None:
    """`make test` runs `make localstack-install` first."""
    assert venv_python().exists()
    assert missing() == []


def test_missing_venv_says_how_to_make_it(tmp_path: Path) -> None:
    with pytest.raises(LocalStackError, match="make localstack-install"):
        venv_python(tmp_path)
    with pytest.raises(LocalStackError, match="make localstack-install"):
        LocalStackHost(port=DEFAULT_PORT, project=tmp_path).start()
    assert len(missing(tmp_path)) == 4


def test_port_in_use_is_refused_before_starting() -> None:
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        with pytest.raises(LocalStackError, match="already in use"):
            LocalStackHost(port=port).start()


def test_java_launcher_runs_system_java_without_a_missing_agent() -> None:
    launcher = lib_dir() / JAVA_SHIM_DIR / "bin" / "java"
    result = subprocess.run(
        [str(launcher), "-javaagent:/nonexistent/ddb-local-loader-0.1.jar", "-version"],
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 0, result.stderr
    assert "version" in result.stderr


def test_engines_stay_out_of_git() -> None:
    ignored = subprocess.run(
        [
            "git",
            "check-ignore",
            ".localstack/lib/dynamodb-local/2/DynamoDBLocal.jar",
            ".localstack-venv/bin/python",
        ],
        cwd=PROJECT,
        capture_output=True,
        text=True,
    )
    assert ignored.stdout.split() == [
        ".localstack/lib/dynamodb-local/2/DynamoDBLocal.jar",
        ".localstack-venv/bin/python",
    ]
