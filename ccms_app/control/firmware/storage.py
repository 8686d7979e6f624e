"""Files on disk for firmware images and diagnostics: safe names, atomic temporary files."""

from __future__ import annotations

import os
import re
import tempfile
import unicodedata
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import IO

from ccms_app.control.firmware.errors import FirmwareError

CHUNK = 64 * 1024
NAME_MAX = 120
VERSION_IN_NAME = re.compile(r"\d+(?:\.\d+)+(?:-[0-9A-Za-z]+)*")
UNSAFE_CHARS = re.compile(r"[^A-Za-z0-9._-]+")


def sanitise_file_name(name: str) -> str:
    """A file name safe on any disk and in a URL: no path, no leading dot, [A-Za-z0-9._-]."""
    base = str(name).replace("\\", "/").rsplit("/", 1)[-1]
    base = unicodedata.normalize("NFKD", base).encode("ascii", "ignore").decode("ascii")
    base = UNSAFE_CHARS.sub("_", base).strip("._-")
    if not base:
        raise FirmwareError(f"file name {name!r} has no usable characters")
    if len(base) > NAME_MAX:
        _, dot, ext = base.rpartition(".")
        keep = ext if dot and len(ext) <= 10 else ""
        base = base[: NAME_MAX - len(keep) - 1].rstrip("._-") + ("." + keep if keep else "")
    return base


def version_from_file_name(name: str) -> str | None:
    """`fw-2.1.0.bin` -> `2.1.0` (the first dotted number); what the simulator installs."""
    found = VERSION_IN_NAME.search(name)
    return found.group(0) if found else None


def inside(directory: Path, name: str) -> Path | None:
    """directory/name if `name` is one plain, safe file name (no traversal, no hidden file)."""
    if not name or name != UNSAFE_CHARS.sub("_", name) or name.startswith("."):
        return None
    path = directory / name
    return path if path.resolve().parent == directory.resolve() else None


@contextmanager
def temporary_file(directory: Path) -> Iterator[tuple[IO[bytes], Path]]:
    """A temp file in `directory` (same disk, so the final rename is atomic), removed unless
    the caller moved it away."""
    directory.mkdir(parents=True, exist_ok=True)
    handle, raw = tempfile.mkstemp(dir=directory, prefix=".upload-")
    path = Path(raw)
    try:
        with os.fdopen(handle, "wb") as out:
            yield out, path
    finally:
        path.unlink(missing_ok=True)
