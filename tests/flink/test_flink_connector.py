"""The Kinesis connector binding: versions, options, DDL, the jar download, ``configure``.

Offline: the "repository" is a local ``http.server`` serving a fake jar and its checksums, so
the download, idempotency, checksum and 404 paths run over real HTTP. One PyFlink
TableEnvironment for the module (``configure`` and the DDL on real Flink).
"""

from __future__ import annotations

import functools
import hashlib
import http.server
import importlib.metadata
import shutil
import socket
import subprocess
import sys
import threading
import zipfile
from datetime import UTC, datetime
from pathlib import Path

import pytest

from flink_jobs import wildrydes_summary
from sim.flink import connector, jars
from sim.flink.connector import ConnectorConfigError, ConnectorJarMissing
from sim.flink.jars import ChecksumMismatch, DownloadFailed, UnsupportedFlinkVersion
from sim.flink.tables import sink_ddl, source_ddl

ROOT = Path(__file__).resolve().parents[2]
FLINK = "2.3.0"
RELEASE = "6.0.0-2.0"
JAR = f"flink-sql-connector-aws-kinesis-streams-{RELEASE}.jar"
JAR_DIR = f"org/apache/flink/flink-sql-connector-aws-kinesis-streams/{RELEASE}"
CONTENT = b"PK\x03\x04 not really a connector " * 1000
ARN = "arn:aws:kinesis:eu-west-1:123456789012:stream/wildrydes"
SUMMARY_ARN = "arn:aws:kinesis:eu-west-1:123456789012:stream/wildrydes-summary"
LS_ARN = "arn:aws:kinesis:us-east-1:000000000000:stream/wildrydes"
LS_SUMMARY_ARN = "arn:aws:kinesis:us-east-1:000000000000:stream/wildrydes-summary"


# -- a Maven repository on 127.0.0.1 --------------------------------------------------------
class Repository:
    """A directory served over HTTP; ``requests`` lists the paths asked for."""

    def __init__(self, root: Path):
        self.root = root
        self.requests: list[str] = []
        self.cut_jar_at: int | None = None  # send the jar's length, then only this many bytes
        repository = self

        class Handler(http.server.SimpleHTTPRequestHandler):
            def do_GET(self) -> None:
                repository.requests.append(self.path)
                if repository.cut_jar_at is not None and self.path.endswith(".jar"):
                    data = (repository.root / self.path.lstrip("/")).read_bytes()
                    self.send_response(200)
                    self.send_header("Content-Length", str(len(data)))
                    self.end_headers()
                    self.wfile.write(data[: repository.cut_jar_at])
                    self.close_connection = True
                    return
                super().do_GET()

            def log_message(self, *args: object) -> None:
                pass

        handler = functools.partial(Handler, directory=str(root))
        self.server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}/maven2"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()

    def publish(self, content: bytes = CONTENT, **checksums: str | None) -> None:
        """The jar, and checksum files: ``sha1=None`` computes it, a string is written as is."""
        folder = self.root / "maven2" / JAR_DIR
        folder.mkdir(parents=True, exist_ok=True)
        (folder / JAR).write_bytes(content)
        for algorithm, text in checksums.items():
            if text is None:
                text = hashlib.new(algorithm, content).hexdigest()
            (folder / f"{JAR}.{algorithm}").write_text(text)

    def jar_requests(self) -> list[str]:
        return [p for p in self.requests if p.endswith(".jar")]

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture
def repo(tmp_path):
    repository = Repository(tmp_path / "repo")
    yield repository
    repository.close()


@pytest.fixture
def dest(tmp_path):
    return tmp_path / "flink-jars"


def _fetch(dest: Path, repo: Repository) -> jars.FetchResult:
    return jars.fetch(dest, flink_version=FLINK, repository=repo.url)


def _closed_port_url() -> str:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    return f"http://127.0.0.1:{port}/maven2"


# -- version mapping ------------------------------------------------------------------------
@pytest.mark.parametrize("flink", ["2.0.0", "2.1.1", "2.2.0", "2.3.0", "2.3"])
def test_flink_2x_maps_to_the_6x_connector(flink):
    assert jars.connector_version(flink) == RELEASE


def test_the_installed_pyflink_has_a_release_and_its_url():
    jar = jars.connector_jar()
    assert jar.flink_version == importlib.metadata.version("apache-flink")
    assert jar.version == RELEASE
    assert jar.url() == (
        "https://repo1.maven.org/maven2/org/apache/flink/"
        f"flink-sql-connector-aws-kinesis-streams/{RELEASE}/{JAR}"
    )
    assert jar.path("/x") == Path("/x") / JAR
    assert jars.connector_jar("2.0.0").declared and not jars.connector_jar("2.3.0").declared


@pytest.mark.parametrize("flink", ["1.20.1", "1.19.0", "3.0.0", "banana"])
def test_unsupported_pyflink_names_the_supported_ones(flink, capsys):
    with pytest.raises(UnsupportedFlinkVersion) as err:
        jars.connector_version(flink)
    assert flink in str(err.value)
    assert "2.0.x, 2.1.x, 2.2.x, 2.3.x" in str(err.value)

    assert jars.main(["--flink-version", flink, "--dest", "/nonexistent"]) == 1
    out, errout = capsys.readouterr()
    assert out == "" and len(errout.strip().splitlines()) == 1
    assert "supported: 2.0.x" in errout


# -- download, verification, idempotency ---------------------------------------------------
def test_download_verifies_sha1_and_is_idempotent(repo, dest):
    repo.publish(sha1=None)
    first = _fetch(dest, repo)
    assert first == jars.FetchResult(dest / JAR, "sha1", downloaded=True)
    assert (dest / JAR).read_bytes() == CONTENT
    stored = (dest / f"{JAR}.sha1").read_text()
    assert stored.split()[0] == hashlib.sha1(CONTENT).hexdigest()
    assert sorted(p.name for p in dest.iterdir()) == [JAR, f"{JAR}.sha1"]  # no .part left
    asked = len(repo.requests)

    second = _fetch(dest, repo)
    assert second == jars.FetchResult(dest / JAR, "sha1", downloaded=False)
    assert len(repo.requests) == asked  # verified offline, against the stored checksum


def test_sha512_is_preferred_when_published(repo, dest):
    repo.publish(sha512=None, sha1=None)
    result = _fetch(dest, repo)
    assert result.algorithm == "sha512" and result.downloaded
    assert (dest / f"{JAR}.sha512").is_file() and not (dest / f"{JAR}.sha1").exists()
    assert not any(p.endswith(".sha1") for p in repo.requests)


def test_checksum_file_with_a_file_name_is_read(repo, dest):
    repo.publish(sha1=f"{hashlib.sha1(CONTENT).hexdigest()}  {JAR}\n")
    assert _fetch(dest, repo).downloaded


def test_checksum_mismatch_keeps_nothing(repo, dest, capsys):
    repo.publish(sha1="0" * 40)
    with pytest.raises(ChecksumMismatch) as err:
        _fetch(dest, repo)
    assert err.value.url.endswith(f"/{JAR}")
    assert "checksum mismatch" in str(err.value)
    assert not any(dest.iterdir())  # neither the jar nor a partial file

    assert jars.main(["--flink-version", FLINK, "--dest", str(dest), "--repository", repo.url]) == 1
    line = capsys.readouterr().err.strip()
    assert len(line.splitlines()) == 1
    assert f"{repo.url}/{JAR_DIR}/{JAR}" in line and "checksum mismatch" in line
    assert "make flink-jars" in line


def test_an_interrupted_download_keeps_nothing(repo, dest):
    repo.publish(sha1=None)
    repo.cut_jar_at = 1000
    with pytest.raises(DownloadFailed, match=f"after 1000 of {len(CONTENT)} bytes"):
        _fetch(dest, repo)
    assert not any(dest.iterdir())


def test_a_malformed_checksum_file_is_an_error(repo, dest):
    repo.publish(sha1="<html>not found</html>")
    with pytest.raises(ChecksumMismatch, match="malformed checksum"):
        _fetch(dest, repo)
    assert not (dest / JAR).exists()


def test_404_says_so(repo, dest, capsys):
    with pytest.raises(DownloadFailed) as err:
        _fetch(dest, repo)  # nothing published
    assert err.value.status == 404
    assert not (dest / JAR).exists()

    assert jars.main(["--flink-version", FLINK, "--dest", str(dest), "--repository", repo.url]) == 1
    line = capsys.readouterr().err.strip()
    assert len(line.splitlines()) == 1
    assert "HTTP 404" in line and f"{JAR_DIR}/{JAR}" in line and "CONNECTOR_RELEASES" in line


def test_offline_says_what_to_do(dest, capsys):
    url = _closed_port_url()
    with pytest.raises(DownloadFailed) as err:
        jars.fetch(dest, flink_version=FLINK, repository=url)
    assert err.value.status is None and err.value.url == f"{url}/{JAR_DIR}/{JAR}"

    assert jars.main(["--flink-version", FLINK, "--dest", str(dest), "--repository", url]) == 1
    line = capsys.readouterr().err.strip()
    assert len(line.splitlines()) == 1
    assert "cannot reach the repository" in line and f"{url}/{JAR_DIR}/{JAR}" in line
    assert "connect to the internet" in line and str(dest / JAR) in line


def test_a_present_jar_without_stored_checksum_is_verified_not_downloaded(repo, dest):
    repo.publish(sha1=None)
    dest.mkdir()
    (dest / JAR).write_bytes(CONTENT)  # put there by hand
    result = _fetch(dest, repo)
    assert not result.downloaded and (dest / f"{JAR}.sha1").is_file()
    assert repo.jar_requests() == []


def test_a_corrupted_jar_is_downloaded_again(repo, dest):
    repo.publish(sha1=None)
    _fetch(dest, repo)
    (dest / JAR).write_bytes(b"truncated")
    assert jars.verified_jar(jars.connector_jar(FLINK), dest) is None
    assert _fetch(dest, repo).downloaded
    assert (dest / JAR).read_bytes() == CONTENT
    assert len(repo.jar_requests()) == 2


def test_check_reports_presence_without_downloading(repo, dest, capsys):
    argv = ["--flink-version", FLINK, "--dest", str(dest), "--repository", repo.url]
    assert jars.main([*argv, "--check"]) == 1
    assert "run `make flink-jars`" in capsys.readouterr().out
    repo.publish(sha1=None)
    assert repo.requests == []

    assert jars.main(argv) == 0
    assert "downloaded, sha1 verified" in capsys.readouterr().out
    assert jars.main([*argv, "--check"]) == 0
    assert "present, sha1 verified" in capsys.readouterr().out
    assert jars.main(argv) == 0
    assert "already present" in capsys.readouterr().out
    assert len(repo.jar_requests()) == 1


def test_the_module_runs_as_a_command(tmp_path):
    proc = subprocess.run(
        [sys.executable, "-m", "sim.flink.jars", "--check", "--dest", str(tmp_path)],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert proc.returncode == 1
    assert JAR in proc.stdout and "make flink-jars" in proc.stdout


# -- the table options ----------------------------------------------------------------------
def test_options_for_aws():
    assert connector.source_options(ARN) == {
        "connector": "kinesis",
        "stream.arn": ARN,
        "aws.region": "eu-west-1",
        "source.init.position": "TRIM_HORIZON",
        "format": "json",
    }
    assert connector.sink_options(SUMMARY_ARN, profile="lab") == {
        "connector": "kinesis",
        "stream.arn": SUMMARY_ARN,
        "aws.region": "eu-west-1",
        "aws.credentials.provider": "PROFILE",
        "aws.credentials.profile.name": "lab",
        "format": "json",
    }


def test_options_for_a_localstack_endpoint():
    local = {"endpoint": connector.LOCALSTACK_ENDPOINT, "credentials": ("test", "test")}
    common = {
        "connector": "kinesis",
        "aws.region": "us-east-1",
        "aws.endpoint": "http://127.0.0.1:4566",
        "aws.trust.all.certificates": "true",
        "aws.credentials.provider": "BASIC",
        "aws.credentials.basic.accesskeyid": "test",
        "aws.credentials.basic.secretkey": "test",
    }
    assert connector.source_options(LS_ARN, start_position="latest", **local) == {
        **common,
        "stream.arn": LS_ARN,
        "source.init.position": "LATEST",
        "format": "json",
    }
    assert connector.sink_options(LS_SUMMARY_ARN, partitioner="fixed", **local) == {
        **common,
        "stream.arn": LS_SUMMARY_ARN,
        "aws.http.protocol.version": "HTTP1_1",
        "sink.partitioner": "fixed",
        "format": "json",
    }
    assert connector.stream_arn("wildrydes") == LS_ARN
    assert connector.LOCALSTACK_CREDENTIALS == ("test", "test")


def test_start_at_a_timestamp():
    at = datetime(2021, 11, 1, 9, 0, tzinfo=UTC)
    options = connector.source_options(ARN, start_position="AT_TIMESTAMP", start_timestamp=at)
    assert options["source.init.position"] == "AT_TIMESTAMP"
    assert options["source.init.timestamp"] == "1635757200.000"
    options = connector.source_options(
        ARN, start_position="AT_TIMESTAMP", start_timestamp=1635757200.25
    )
    assert options["source.init.timestamp"] == "1635757200.250"


@pytest.mark.parametrize(
    ("call", "message"),
    [
        (lambda: connector.source_options("wildrydes"), "not a Kinesis stream ARN"),
        (lambda: connector.source_options(ARN, region="us-east-1"), "differs from the region"),
        (lambda: connector.source_options(ARN, start_position="EARLIEST"), "TRIM_HORIZON"),
        (
            lambda: connector.source_options(ARN, start_position="AT_TIMESTAMP"),
            "needs start_timestamp",
        ),
        (lambda: connector.source_options(ARN, start_timestamp=0), "only to start_position"),
        (
            lambda: connector.source_options(
                ARN, start_position="AT_TIMESTAMP", start_timestamp=datetime(2021, 11, 1)
            ),
            "time zone",
        ),
        (lambda: connector.sink_options(ARN, partitioner="by name"), "random, fixed"),
        (lambda: connector.sink_options(ARN, endpoint="127.0.0.1:4566"), "endpoint URL"),
        (
            lambda: connector.sink_options(ARN, credentials=("a", "b"), profile="p"),
            "not both",
        ),
    ],
)
def test_options_the_connector_would_reject(call, message):
    with pytest.raises(ConnectorConfigError, match=message):
        call()


def test_ddl_goes_through_tables():
    src_opts = connector.source_options(ARN)
    sink_opts = connector.sink_options(SUMMARY_ARN)
    source, sink = connector.table_ddl(wildrydes_summary, "rides", "summary", src_opts, sink_opts)
    assert source == source_ddl(
        "rides", wildrydes_summary.SOURCE_SCHEMA, "StatusTime", 5.0, src_opts
    )
    assert sink == sink_ddl("summary", wildrydes_summary.SINK_SCHEMA, sink_opts)
    assert "WATERMARK FOR `StatusTime` AS `StatusTime` - INTERVAL '5' SECOND" in source
    assert "'connector' = 'kinesis'" in source and f"'stream.arn' = '{ARN}'" in source
    assert f"'stream.arn' = '{SUMMARY_ARN}'" in sink
    with pytest.raises(ConnectorConfigError, match="SOURCE_SCHEMA"):
        connector.table_ddl(object(), "a", "b", src_opts, sink_opts)


# -- the jar --------------------------------------------------------------------------------
def test_a_missing_jar_names_make_flink_jars(tmp_path):
    with pytest.raises(ConnectorJarMissing) as err:
        connector.jar_path(tmp_path, flink_version=FLINK)
    message = str(err.value)
    assert "make flink-jars" in message and JAR in message and str(tmp_path) in message
    assert isinstance(err.value, jars.ConnectorJarError)

    (tmp_path / JAR).write_bytes(CONTENT)
    assert connector.jar_path(tmp_path, flink_version=FLINK) == tmp_path / JAR
    with pytest.raises(UnsupportedFlinkVersion):
        connector.jar_path(tmp_path, flink_version="1.20.0")


# -- on a real TableEnvironment -------------------------------------------------------------
@pytest.fixture(scope="module")
def t_env():
    if shutil.which("java") is None:  # pragma: no cover - depends on the machine
        pytest.fail("PyFlink needs Java 17: see `make check-java`", pytrace=False)
    from pyflink.table import EnvironmentSettings, TableEnvironment

    from sim.flink.jvm import gateway

    gateway()  # the JVM with streamlab's options, whichever test starts it first
    return TableEnvironment.create(EnvironmentSettings.in_streaming_mode())


def _empty_jar(path: Path) -> Path:
    with zipfile.ZipFile(path, "w") as z:
        z.writestr("META-INF/MANIFEST.MF", "Manifest-Version: 1.0\n")
    return path


def _localstack_ddl() -> tuple[str, str]:
    local = {"endpoint": connector.LOCALSTACK_ENDPOINT, "credentials": ("test", "test")}
    return connector.table_ddl(
        wildrydes_summary,
        "kinesis_rides",
        "kinesis_summary",
        connector.source_options(LS_ARN, **local),
        connector.sink_options(LS_SUMMARY_ARN, **local),
    )


def test_configure_sets_pipeline_jars(t_env, tmp_path):
    other = _empty_jar(tmp_path / "other.jar")
    fake = _empty_jar(tmp_path / JAR)
    t_env.get_config().set("pipeline.jars", other.as_uri())

    url = connector.configure(t_env, fake)
    assert url == fake.resolve().as_uri() and url.startswith("file:///")
    assert t_env.get_config().get("pipeline.jars", "") == f"{other.as_uri()};{url}"
    connector.configure(t_env, fake)  # idempotent
    assert t_env.get_config().get("pipeline.jars", "").count(url) == 1
    with pytest.raises(ConnectorJarMissing, match="make flink-jars"):
        connector.configure(t_env, tmp_path / "absent.jar")


def test_flink_parses_the_ddl_and_wants_the_kinesis_factory(t_env):
    """Without the real jar, Flink accepts the DDL and names the missing 'kinesis' factory."""
    source, sink = _localstack_ddl()
    t_env.execute_sql(source)
    t_env.execute_sql(sink)
    try:
        with pytest.raises(Exception, match="factory for identifier 'kinesis'"):
            t_env.explain_sql(
                wildrydes_summary.SQL.format(source="kinesis_rides", sink="kinesis_summary")
            )
    finally:
        t_env.execute_sql("DROP TEMPORARY TABLE IF EXISTS kinesis_rides")
        t_env.execute_sql("DROP TEMPORARY TABLE IF EXISTS kinesis_summary")
