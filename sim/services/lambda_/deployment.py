"""Deployment packages: a function's zip, checked and unpacked the way Lambda takes it.

The Lambda API (:mod:`sim.services.lambda_.api`) unpacks each uploaded zip into a directory of its
own under the runtime's ``code_root``; that directory becomes the function's ``code_dir`` (its
``/var/task``), the import root of its handler. ``CodeSha256`` is the base64 SHA-256 of the zip's
bytes and ``CodeSize`` their length, as ``GetFunction`` reports them.

Limits (Lambda quotas page): 50 MB zipped for a direct upload (the request as a whole may be up to
70,167,211 bytes, which is what the error names), 250 MB unzipped.
"""

from __future__ import annotations

import base64
import hashlib
import io
import os
import shutil
import stat
import tempfile
import zipfile
import zlib

from sim.services.lambda_.exceptions import InvalidParameterValueException

# Unzipped deployment package: 250 MB (the error names the byte count).
UNZIPPED_LIMIT_BYTES = 262_144_000
# A CreateFunction / UpdateFunctionCode request with the zip inline.
ZIP_REQUEST_LIMIT_BYTES = 70_167_211

UNZIP_ERROR = "Could not unzip uploaded file. Please check your file, then try to upload again."


def code_sha256(data: bytes) -> str:
    return base64.b64encode(hashlib.sha256(data).digest()).decode("ascii")


def unpack(data: bytes, root: str, name: str) -> str:
    """Unpack the zip ``data`` into a new directory under ``root`` (its name starts with
    ``name``) and return that directory.

    Raises ``InvalidParameterValueException`` with Lambda's words for a file that is not a zip
    (or is damaged), and for a package above the unzipped limit. Entries that would land outside
    the directory (absolute paths, ``..``) make the zip invalid too.
    """
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
    except (zipfile.BadZipFile, ValueError, OSError):
        raise InvalidParameterValueException(UNZIP_ERROR) from None
    with archive:
        entries = archive.infolist()
        total = sum(entry.file_size for entry in entries)
        if total > UNZIPPED_LIMIT_BYTES:
            raise InvalidParameterValueException(
                f"Unzipped size must be smaller than {UNZIPPED_LIMIT_BYTES} bytes"
            )
        os.makedirs(root, exist_ok=True)
        directory = tempfile.mkdtemp(prefix=f"{name}-", dir=root)
        base = os.path.abspath(directory) + os.sep
        try:
            for entry in entries:
                target = os.path.abspath(os.path.join(directory, entry.filename))
                if not target.startswith(base) and target + os.sep != base:
                    raise InvalidParameterValueException(UNZIP_ERROR)
                archive.extract(entry, directory)
                mode = (entry.external_attr >> 16) & 0o777
                if mode and not entry.is_dir():
                    os.chmod(target, mode | stat.S_IRUSR)
        except InvalidParameterValueException:
            shutil.rmtree(directory, ignore_errors=True)
            raise
        except (zipfile.BadZipFile, zlib.error, OSError, ValueError, EOFError, NotImplementedError):
            shutil.rmtree(directory, ignore_errors=True)
            raise InvalidParameterValueException(UNZIP_ERROR) from None
    return directory
