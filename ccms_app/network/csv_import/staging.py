"""Uploaded files kept between the check and the import, on disk under a random token.

The files wait in the temp directory, not in the browser tab's state (which Reflex
serialises on every event); stale ones (a closed tab) are pruned on the next upload.
"""

from __future__ import annotations

import secrets
import shutil
import tempfile
import time
from collections.abc import Sequence
from pathlib import Path

from ccms_app.network.csv_import.report import ImportFile

STAGED_FOR_SECONDS = 24 * 3600
_STAGING = Path(tempfile.gettempdir()) / "ccms-imports"


def stage(files: Sequence[ImportFile]) -> str:
    """Keep uploaded files between the check and the import; returns their token."""
    _prune_staged()
    token = secrets.token_urlsafe(16)
    folder = _STAGING / token
    folder.mkdir(parents=True)
    for number, upload in enumerate(files):
        kind = upload.kind or ""
        (folder / f"{number}.{kind}.csv").write_bytes(upload.data)
        (folder / f"{number}.name").write_text(upload.name, encoding="utf-8")
    return token


def staged(token: str) -> list[ImportFile]:
    """The files staged under `token`; [] when unknown or pruned."""
    folder = _staging_folder(token)
    if folder is None:
        return []
    files = []
    for data_path in sorted(folder.glob("*.csv")):
        number, kind, _ = data_path.name.split(".", 2)
        name = (folder / f"{number}.name").read_text(encoding="utf-8")
        files.append(ImportFile(name, data_path.read_bytes(), kind or None))
    return files


def discard(token: str) -> None:
    folder = _staging_folder(token)
    if folder is not None:
        shutil.rmtree(folder, ignore_errors=True)


def _staging_folder(token: str) -> Path | None:
    if not token or not token.replace("-", "").replace("_", "").isalnum():
        return None
    folder = _STAGING / token
    return folder if folder.is_dir() else None


def _prune_staged() -> None:
    if not _STAGING.is_dir():
        return
    cutoff = time.time() - STAGED_FOR_SECONDS
    for folder in _STAGING.iterdir():
        if folder.stat().st_mtime < cutoff:
            shutil.rmtree(folder, ignore_errors=True)
