"""Where batch ZIPs live: the default storage (a private folder, or e.g. S3), never a public URL.

Only the storage API is used (no file system paths), so any web node can serve a ZIP that a
worker on another machine built. A ZIP is assembled in a local temporary file and saved to
the storage only once it is complete; the batch points at it only after that, so a half-made
ZIP is never offered. A stored name carries a random part, so it cannot be guessed.
"""

import contextlib
import secrets
import tempfile
from typing import IO

from django.core.exceptions import SuspiciousFileOperation
from django.core.files import File
from django.core.files.storage import default_storage

FOLDER = "batches"


def temporary_file() -> IO[bytes]:
    """Scratch space for a ZIP being written: in memory up to 8 MB, then a local temp file."""
    return tempfile.SpooledTemporaryFile(max_size=8 * 1024 * 1024)


def final_name(batch_id: int) -> str:
    return f"{FOLDER}/batch-{batch_id}-{secrets.token_urlsafe(12)}.zip"


def check_name(name: str) -> str:
    """A stored name must be a plain name in the batch folder (never ``..`` or a path)."""
    folder, _, rest = (name or "").partition("/")
    if folder != FOLDER or not rest or "/" in rest or "\\" in rest or rest.startswith("."):
        raise SuspiciousFileOperation(f"{name!r} is not a batch file.")
    return name


def put_in_place(scratch: IO[bytes], name: str) -> str:
    """Save a finished ZIP under ``name``; returns the name the storage gave it."""
    scratch.seek(0)
    return default_storage.save(check_name(name), File(scratch, name=name))


def open_file(name: str) -> IO[bytes]:
    return default_storage.open(check_name(name), "rb")


def remove(name: str) -> None:
    if not name:
        return
    with contextlib.suppress(FileNotFoundError, SuspiciousFileOperation):
        default_storage.delete(check_name(name))
