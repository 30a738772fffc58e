"""Where batch ZIPs live: a private folder under MEDIA_ROOT, never served at a public URL.

A ZIP is written under a temporary name in the same folder and moved into place with
``os.replace`` (atomic on one file system) only once it is complete; a final name carries a
random part, so it cannot be guessed even if a web server were misconfigured to serve media.
"""

import contextlib
import os
import secrets
import tempfile
from pathlib import Path

from django.conf import settings
from django.core.exceptions import SuspiciousFileOperation

FOLDER = "batches"


def folder() -> Path:
    path = Path(settings.MEDIA_ROOT) / FOLDER
    path.mkdir(parents=True, exist_ok=True)
    return path


def temporary_file(batch_id: int) -> Path:
    """A new empty file to write a batch's ZIP into; not yet the batch's file."""
    handle, name = tempfile.mkstemp(prefix=f"batch-{batch_id}-", suffix=".part", dir=folder())
    os.close(handle)
    return Path(name)


def final_name(batch_id: int) -> str:
    return f"{FOLDER}/batch-{batch_id}-{secrets.token_urlsafe(12)}.zip"


def path_of(name: str) -> Path:
    """The file a stored name points at; refuses anything outside the batch folder."""
    base = folder().resolve()
    path = (Path(settings.MEDIA_ROOT) / name).resolve()
    if not name or path.parent != base:
        raise SuspiciousFileOperation(f"{name!r} is not a batch file.")
    return path


def put_in_place(temporary: Path, name: str) -> None:
    """Move a finished ZIP to its final name in one step."""
    os.replace(temporary, path_of(name))


def discard(temporary: Path) -> None:
    with contextlib.suppress(FileNotFoundError):
        temporary.unlink()


def remove(name: str) -> None:
    if not name:
        return
    with contextlib.suppress(FileNotFoundError, SuspiciousFileOperation):
        path_of(name).unlink()
