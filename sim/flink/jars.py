"""``make flink-jars``: fetch the Kinesis connector jar that matches the installed PyFlink.

``python -m sim.flink.jars [--dest DIR] [--check] [--repository URL] [--flink-version X.Y.Z]``

A Flink job reads and writes Kinesis through Apache Flink's own AWS connector, which is not part
of PyFlink: its SQL jar, ``org.apache.flink:flink-sql-connector-aws-kinesis-streams``, is
downloaded from Maven Central into ``.flink-jars/`` at the repository's root (never committed).
This module

1. reads the installed PyFlink's version (the ``apache-flink`` distribution);
2. maps its Flink minor to a connector release (:data:`CONNECTOR_RELEASES`), or fails naming the
   supported minors;
3. downloads ``<repository>/org/apache/flink/flink-sql-connector-aws-kinesis-streams/<v>/…jar``
   into a temporary file beside the destination, hashing it while it streams, and checks the
   digest against the ``.sha512`` (or, when none is published, the ``.sha1``) file published
   beside the jar; only a verified jar is moved into place (``os.replace``, atomic), followed by
   its checksum file;
4. is idempotent: a jar whose digest matches the checksum file stored beside it is left alone and
   nothing is downloaded.

Any failure (no network, HTTP 404, a checksum mismatch, an unsupported PyFlink) prints one line
saying what failed, the URL and what to do, and exits with status 1. ``--check`` downloads
nothing and says whether the right, verified jar is present (exit 0) or not (exit 1).

Sources:

* Artifact, coordinates and download URL: the connector's own docs data,
  ``docs/data/kinesis.yml`` in https://github.com/apache/flink-connector-aws (tag ``v6.0.0``):
  ``version: 6.0.0``, ``flink_compatibility: [ "2.0" ]``, ``sql_url:
  https://repo.maven.apache.org/maven2/org/apache/flink/flink-sql-connector-aws-kinesis-streams/
  $full_version/flink-sql-connector-aws-kinesis-streams-$full_version.jar``; released on Maven
  Central as ``6.0.0-2.0`` (https://central.sonatype.com/artifact/org.apache.flink/
  flink-connector-aws-kinesis-streams). ``repo1.maven.org`` and ``repo.maven.apache.org`` both
  serve Maven Central.
* Which line serves which Flink: the 6.x line is for Flink 2.x, the 5.x line for Flink 1.20
  (apache/flink-connector-aws PR #211, FLINK-37687, "Introduce support for Flink 2.0"). ``v6.0.0``
  is built against Flink 2.0.0 (``flink.version`` in its pom.xml) and tested in CI against 2.0.0
  only (``.github/workflows/push_pr.yml``). No AWS connector release targets Flink 2.1, 2.2 or
  2.3; see :data:`CONNECTOR_RELEASES` for what that means here.
* Checksums: "Checksums exist in repositories next to the target file. The file extension
  identifies the checksum algorithm … Most Maven repositories contain SHA-1 and MD5 checksums by
  default" (Maven Resolver, https://maven.apache.org/resolver-archives/resolver-2.0.22/
  about-checksums.html); some publishers add ``.sha512``. A checksum proves the bytes arrived
  intact, not who made them (that is the ``.asc`` signature's job, not checked here).
"""

from __future__ import annotations

import argparse
import contextlib
import hashlib
import http.client
import importlib.metadata
import os
import re
import sys
import tempfile
import urllib.error
import urllib.request
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, BinaryIO

ROOT = Path(__file__).resolve().parents[2]
DEFAULT_DEST = ROOT / ".flink-jars"

MAVEN_CENTRAL = "https://repo1.maven.org/maven2"
GROUP_PATH = "org/apache/flink"  # groupId org.apache.flink
ARTIFACT = "flink-sql-connector-aws-kinesis-streams"
PYFLINK_DISTRIBUTION = "apache-flink"

# Flink minor (of the installed PyFlink) -> flink-sql-connector-aws-kinesis-streams release.
# 6.0.0-2.0 is the only AWS connector release for Flink 2.x. It declares compatibility with
# Flink 2.0 (CONNECTOR_DECLARED_FLINK); for 2.1-2.3 it is the newest release of the 2.x line,
# used on the strength of Flink's stable connector interfaces (Source/Sink v2, the table
# factories), not of a test by the connector's maintainers. docs/flink-connector.md says so too.
CONNECTOR_RELEASES: dict[str, str] = {
    "2.0": "6.0.0-2.0",
    "2.1": "6.0.0-2.0",
    "2.2": "6.0.0-2.0",
    "2.3": "6.0.0-2.0",
}
# The Flink minors each release's docs data declares (flink_compatibility in kinesis.yml).
CONNECTOR_DECLARED_FLINK: dict[str, tuple[str, ...]] = {"6.0.0-2.0": ("2.0",)}

# Checksum files tried beside the jar, strongest first, with their hex digest lengths.
CHECKSUM_ALGORITHMS: tuple[tuple[str, int], ...] = (("sha512", 128), ("sha1", 40))
DOWNLOAD_TIMEOUT_S = 60.0  # per connection attempt and per read
CHUNK_BYTES = 1 << 16
USER_AGENT = "streamlab-flink-jars"
HTTP_NOT_FOUND = 404

_FLINK_VERSION = re.compile(r"^(\d+)\.(\d+)(?:\.\d+)?(?:[.-].*)?$")


class ConnectorJarError(Exception):
    """The connector jar could not be named, fetched, verified or found."""


class UnsupportedFlinkVersion(ConnectorJarError):
    """The installed PyFlink has no matching connector release in :data:`CONNECTOR_RELEASES`."""


class DownloadFailed(ConnectorJarError):
    """The repository could not be reached (``status`` None) or answered with an HTTP error."""

    def __init__(self, message: str, url: str, status: int | None = None):
        super().__init__(message)
        self.url = url
        self.status = status


class ChecksumMismatch(ConnectorJarError):
    """The downloaded bytes do not match the checksum published beside them."""

    def __init__(self, message: str, url: str):
        super().__init__(message)
        self.url = url


class ConnectorJarMissing(ConnectorJarError):
    """The connector jar is not in the jar directory: ``make flink-jars`` fetches it."""


@dataclass(frozen=True)
class ConnectorJar:
    """One connector release: its Maven version and where it lives, remotely and locally."""

    version: str  # Maven version, e.g. "6.0.0-2.0"
    flink_version: str  # the PyFlink version it was chosen for

    @property
    def file_name(self) -> str:
        return f"{ARTIFACT}-{self.version}.jar"

    def url(self, repository: str = MAVEN_CENTRAL) -> str:
        base = repository.rstrip("/")
        return f"{base}/{GROUP_PATH}/{ARTIFACT}/{self.version}/{self.file_name}"

    def path(self, dest: str | os.PathLike[str] = DEFAULT_DEST) -> Path:
        return Path(dest) / self.file_name

    @property
    def declared(self) -> bool:
        """Whether the connector's docs declare compatibility with this Flink minor."""
        return _minor(self.flink_version) in CONNECTOR_DECLARED_FLINK.get(self.version, ())


@dataclass(frozen=True)
class FetchResult:
    path: Path
    algorithm: str  # the checksum that verified it
    downloaded: bool  # False: it was already present and verified


def installed_flink_version() -> str:
    """The version of the installed PyFlink (``apache-flink``)."""
    try:
        return importlib.metadata.version(PYFLINK_DISTRIBUTION)
    except importlib.metadata.PackageNotFoundError:
        raise UnsupportedFlinkVersion(
            f"PyFlink ({PYFLINK_DISTRIBUTION}) is not installed; run `make install` first"
        ) from None


def _minor(flink_version: str) -> str:
    m = _FLINK_VERSION.match(flink_version.strip())
    return f"{m.group(1)}.{m.group(2)}" if m else flink_version.strip()


def connector_version(flink_version: str) -> str:
    """The connector release for a Flink/PyFlink version, e.g. ``"2.3.0"`` -> ``"6.0.0-2.0"``."""
    release = CONNECTOR_RELEASES.get(_minor(flink_version))
    if release is None:
        supported = ", ".join(f"{minor}.x" for minor in CONNECTOR_RELEASES)
        raise UnsupportedFlinkVersion(
            f"no Kinesis connector release is mapped for PyFlink {flink_version}; supported: "
            f"{supported} (CONNECTOR_RELEASES in sim/flink/jars.py)"
        )
    return release


def connector_jar(flink_version: str | None = None) -> ConnectorJar:
    """The :class:`ConnectorJar` for ``flink_version`` (default: the installed PyFlink)."""
    version = flink_version or installed_flink_version()
    return ConnectorJar(version=connector_version(version), flink_version=version)


# -- checksums --------------------------------------------------------------------------------
def file_digest(path: str | os.PathLike[str], algorithm: str) -> str:
    """Hex digest of a file."""
    digest = hashlib.new(algorithm)
    with open(path, "rb") as f:
        for chunk in iter(lambda: f.read(CHUNK_BYTES), b""):
            digest.update(chunk)
    return digest.hexdigest()


def parse_checksum(text: str, algorithm: str) -> str:
    """The hex digest in a checksum file: the first token (``HEX`` or ``HEX  file-name``)."""
    length = dict(CHECKSUM_ALGORITHMS)[algorithm]
    token = text.strip().split()[0].lower() if text.strip() else ""
    if not re.fullmatch(rf"[0-9a-f]{{{length}}}", token):
        raise ValueError(f"not a {algorithm} checksum: {text.strip()[:80]!r}")
    return token


def verified_jar(jar: ConnectorJar, dest: str | os.PathLike[str] = DEFAULT_DEST) -> str | None:
    """The algorithm that verifies the jar in ``dest`` against its stored checksum file, or None.

    Offline: it compares the jar with the ``.sha512``/``.sha1`` file ``fetch`` stored beside it.
    """
    path = jar.path(dest)
    if not path.is_file():
        return None
    for algorithm, _length in CHECKSUM_ALGORITHMS:
        stored = path.with_name(f"{path.name}.{algorithm}")
        if stored.is_file():
            try:
                expected = parse_checksum(stored.read_text(encoding="ascii"), algorithm)
            except (ValueError, UnicodeDecodeError):
                return None
            return algorithm if file_digest(path, algorithm) == expected else None
    return None


# -- download ---------------------------------------------------------------------------------
def _open(url: str, timeout: float) -> Any:
    """The response for ``url`` (an ``http.client.HTTPResponse``), or :class:`DownloadFailed`."""
    request = urllib.request.Request(url, headers={"User-Agent": USER_AGENT})
    try:
        return urllib.request.urlopen(request, timeout=timeout)
    except urllib.error.HTTPError as exc:
        raise DownloadFailed(f"HTTP {exc.code} {exc.reason}", url, exc.code) from None
    except (urllib.error.URLError, OSError) as exc:
        reason = getattr(exc, "reason", exc)
        raise DownloadFailed(f"cannot reach the repository ({reason})", url) from None


def _remote_checksum(jar_url: str, timeout: float) -> tuple[str, str]:
    """``(algorithm, hex digest)`` of the strongest checksum published beside ``jar_url``."""
    failure: DownloadFailed | None = None
    for algorithm, _length in CHECKSUM_ALGORITHMS:
        url = f"{jar_url}.{algorithm}"
        try:
            with _open(url, timeout) as response:
                try:
                    text = response.read(4096).decode("ascii", errors="replace")
                except (OSError, http.client.HTTPException) as exc:
                    raise DownloadFailed(f"download interrupted ({exc})", url) from None
        except DownloadFailed as exc:
            if exc.status is None:  # offline: name the jar, the file to fetch by hand
                raise DownloadFailed(str(exc), jar_url) from None
            if exc.status != HTTP_NOT_FOUND:
                raise  # 5xx, 403: no point trying the next one
            failure = exc
            continue
        try:
            return algorithm, parse_checksum(text, algorithm)
        except ValueError as exc:
            raise ChecksumMismatch(f"malformed checksum file ({exc})", url) from None
    assert failure is not None
    raise DownloadFailed(f"{failure} (no .sha512 or .sha1 published)", jar_url, failure.status)


def _write_atomic(path: Path, write: Callable[[BinaryIO], None]) -> None:
    """Write through a temporary file in ``path``'s directory, then ``os.replace`` it."""
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".part", dir=path.parent)
    try:
        with os.fdopen(fd, "wb") as out:
            write(out)
            out.flush()
            os.fsync(out.fileno())
        os.replace(tmp, path)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(tmp)
        raise


def fetch(
    dest: str | os.PathLike[str] = DEFAULT_DEST,
    *,
    flink_version: str | None = None,
    repository: str = MAVEN_CENTRAL,
    timeout: float = DOWNLOAD_TIMEOUT_S,
) -> FetchResult:
    """Make sure the verified connector jar for ``flink_version`` is in ``dest``.

    Raises :class:`UnsupportedFlinkVersion`, :class:`DownloadFailed` or
    :class:`ChecksumMismatch`; on failure no jar, checksum or partial file is left in ``dest``.
    """
    jar = connector_jar(flink_version)
    dest_dir = Path(dest)
    path = jar.path(dest_dir)
    algorithm = verified_jar(jar, dest_dir)
    if algorithm is not None:
        return FetchResult(path, algorithm, downloaded=False)

    url = jar.url(repository)
    algorithm, expected = _remote_checksum(url, timeout)
    dest_dir.mkdir(parents=True, exist_ok=True)
    checksum_file = path.with_name(f"{path.name}.{algorithm}")

    def store_checksum(out: BinaryIO) -> None:
        out.write(f"{expected}  {jar.file_name}\n".encode("ascii"))

    if path.is_file() and file_digest(path, algorithm) == expected:
        _write_atomic(checksum_file, store_checksum)  # present but never recorded
        return FetchResult(path, algorithm, downloaded=False)

    def download(out: BinaryIO) -> None:
        digest = hashlib.new(algorithm)
        received = 0
        with _open(url, timeout) as response:
            length = response.headers.get("Content-Length")
            try:
                for chunk in iter(lambda: response.read(CHUNK_BYTES), b""):
                    digest.update(chunk)
                    out.write(chunk)
                    received += len(chunk)
            except (OSError, http.client.HTTPException) as exc:  # reset, timeout
                raise DownloadFailed(f"download interrupted ({exc})", url) from None
        if length is not None and length.isdigit() and received != int(length):
            raise DownloadFailed(f"download interrupted after {received} of {length} bytes", url)
        actual = digest.hexdigest()
        if actual != expected:
            raise ChecksumMismatch(
                f"checksum mismatch: {algorithm} {actual}, the published .{algorithm} says "
                f"{expected}; the download was discarded",
                url,
            )

    _write_atomic(path, download)
    _write_atomic(checksum_file, store_checksum)
    return FetchResult(path, algorithm, downloaded=True)


# -- command line -----------------------------------------------------------------------------
def _display(path: Path) -> str:
    with contextlib.suppress(ValueError):
        return str(path.resolve().relative_to(Path.cwd().resolve()))
    return str(path)


def _advice(exc: ConnectorJarError, jar: ConnectorJar | None, dest: Path) -> str:
    if isinstance(exc, UnsupportedFlinkVersion):
        return "install a supported PyFlink, or add its connector release to CONNECTOR_RELEASES"
    target = _display(jar.path(dest)) if jar else _display(dest)
    if isinstance(exc, ChecksumMismatch):
        return f"run `make flink-jars` again; if it persists, fetch the jar by hand to {target}"
    if isinstance(exc, DownloadFailed) and exc.status == HTTP_NOT_FOUND:
        return "check the release in CONNECTOR_RELEASES (sim/flink/jars.py) exists on Maven Central"
    return (
        f"connect to the internet and run `make flink-jars` again, or download the jar and its "
        f".sha1 by hand to {target}(.sha1)"
    )


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m sim.flink.jars",
        description="Fetch the Flink Kinesis connector jar matching the installed PyFlink.",
    )
    parser.add_argument("--dest", default=str(DEFAULT_DEST), help="jar directory (.flink-jars)")
    parser.add_argument("--check", action="store_true", help="only report whether it is present")
    parser.add_argument("--repository", default=MAVEN_CENTRAL, help="Maven repository base URL")
    parser.add_argument("--flink-version", help="instead of the installed PyFlink's version")
    args = parser.parse_args(argv)
    dest = Path(args.dest)

    jar: ConnectorJar | None = None
    try:
        jar = connector_jar(args.flink_version)
        if args.check:
            algorithm = verified_jar(jar, dest)
            if algorithm is None:
                print(
                    f"flink-jars: {jar.file_name} (for PyFlink {jar.flink_version}) is missing "
                    f"or unverified in {_display(dest)}; run `make flink-jars`"
                )
                return 1
            print(f"flink-jars: {_display(jar.path(dest))} present, {algorithm} verified")
            return 0
        result = fetch(dest, flink_version=jar.flink_version, repository=args.repository)
    except ConnectorJarError as exc:
        url = getattr(exc, "url", None)
        what = f"failed to fetch {url}" if url else "failed"
        print(f"flink-jars: {what}: {exc}; {_advice(exc, jar, dest)}", file=sys.stderr)
        return 1
    how = "downloaded" if result.downloaded else "already present"
    print(
        f"flink-jars: {_display(result.path)} {how}, {result.algorithm} verified "
        f"(connector {jar.version} for PyFlink {jar.flink_version})"
    )
    if not jar.declared:
        declared = ", ".join(CONNECTOR_DECLARED_FLINK.get(jar.version, ())) or "none"
        print(
            f"flink-jars: note: connector {jar.version} declares Flink {declared}; "
            f"Flink {_minor(jar.flink_version)} is not declared (docs/flink-connector.md)"
        )
    return 0


if __name__ == "__main__":
    sys.exit(main())
