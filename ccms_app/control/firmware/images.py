"""Firmware images: uploaded once per organisation, served to chargers over HTTP."""

from __future__ import annotations

import hashlib
import logging
import os
import re
from collections.abc import Collection
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import IO
from urllib.parse import quote

from sqlmodel import col, select

from ccms_app.control.firmware.errors import FirmwareError
from ccms_app.control.firmware.storage import (
    CHUNK,
    inside,
    sanitise_file_name,
    temporary_file,
    version_from_file_name,
)
from ccms_app.control.models import FirmwareImage
from ccms_app.core.config import get_settings
from ccms_app.core.db import read_session, session_scope
from ccms_app.core.i18n import tr
from ccms_app.core.rows import stored_id

log = logging.getLogger(__name__)

VERSION_PATTERN = re.compile(r"^[0-9A-Za-z][0-9A-Za-z._+-]{0,49}$")


def _stored_firmware_name(safe_name: str, version: str, sha256: str, organisation_id: int) -> str:
    """Content-addressed per organisation (never overwritten; two operators uploading the
    same file under the same name get a file each), version visible."""
    if version_from_file_name(safe_name) != version:
        stem, dot, ext = safe_name.rpartition(".")
        safe_name = f"{stem}-{version}.{ext}" if dot and stem else f"{safe_name}-{version}"
    return f"{sha256[:12]}-{organisation_id}-{safe_name}"


@dataclass(frozen=True)
class ImageView:
    id: int
    file_name: str
    stored_name: str
    version: str
    sha256: str
    size: int
    uploaded_by: str
    uploaded_at: datetime

    @property
    def url(self) -> str:
        return firmware_url(self.stored_name)


def _image_view(row: FirmwareImage) -> ImageView:
    return ImageView(
        id=stored_id(row.id),
        file_name=row.file_name,
        stored_name=row.stored_name,
        version=row.version,
        sha256=row.sha256,
        size=row.size,
        uploaded_by=row.uploaded_by,
        uploaded_at=row.uploaded_at,
    )


def firmware_url(stored_name: str) -> str:
    """Where a charge point downloads the image (CCMS_PUBLIC_URL + /firmware/...)."""
    return f"{get_settings().charger_base_url}/firmware/{quote(stored_name)}"


def firmware_file(name: str) -> Path | None:
    """The file behind GET /firmware/{name}, or None (unknown or not a plain file name)."""
    path = inside(get_settings().firmware_dir, name)
    return path if path is not None and path.is_file() else None


def store_firmware(
    organisation_id: int, file_name: str, version: str, source: IO[bytes], uploaded_by: str
) -> ImageView:
    """Keep an uploaded image (streamed to disk, sha256 computed) and record it."""
    version = (version or "").strip() or version_from_file_name(file_name) or ""
    if not VERSION_PATTERN.match(version):
        raise FirmwareError(
            tr("version is required: 1-50 letters, digits, '.', '_', '+' or '-' (e.g. 2.1.0)")
        )
    safe = sanitise_file_name(file_name)
    directory = get_settings().firmware_dir
    with temporary_file(directory) as (out, temp):
        digest, size = hashlib.sha256(), 0
        while chunk := source.read(CHUNK):
            digest.update(chunk)
            size += len(chunk)
            out.write(chunk)
        out.close()
        if size == 0:
            raise FirmwareError(tr("the firmware file is empty"))
        sha256 = digest.hexdigest()
        stored = _stored_firmware_name(safe, version, sha256, organisation_id)
        with session_scope() as session:
            existing = session.exec(
                select(FirmwareImage).where(
                    FirmwareImage.organisation_id == organisation_id,
                    FirmwareImage.sha256 == sha256,
                )
            ).first()
            if existing is not None:
                raise FirmwareError(
                    tr(
                        "this file is already uploaded as version {version}",
                        version=existing.version,
                    )
                )
            row = FirmwareImage(
                organisation_id=organisation_id,
                file_name=safe,
                stored_name=stored,
                version=version,
                sha256=sha256,
                size=size,
                uploaded_by=uploaded_by,
            )
            session.add(row)
            session.flush()
            os.replace(temp, directory / stored)
    log.info(
        "firmware image stored",
        extra={"image_id": row.id, "file": stored, "version": version, "size": size},
    )
    return _image_view(row)


def list_images(organisation_ids: Collection[int]) -> list[ImageView]:
    with read_session() as session:
        rows = session.exec(
            select(FirmwareImage)
            .where(col(FirmwareImage.organisation_id).in_(list(organisation_ids)))
            .order_by(col(FirmwareImage.uploaded_at).desc())
        ).all()
    return [_image_view(r) for r in rows]
