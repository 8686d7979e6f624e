"""Work order photos from the technician's phone: images only, size-limited, stored under a
name CCMS chooses.

What a file is comes from its first bytes (JPEG, PNG, WebP, HEIC), never from its name or
the browser's content type: a renamed PDF is refused. Files go to
CCMS_WORK_ORDER_PHOTO_DIR as "<work order>-<random>.<ext>" (written to a temporary file in
the same directory, then renamed, so a half-written photo is never served); the uploaded
name is kept for display only. They are answered only through the HTTP gate
(photo_routes.py, the API), as private downloads.
"""

from __future__ import annotations

import logging
import os
import secrets
from collections.abc import Collection
from dataclasses import dataclass
from datetime import datetime

from sqlmodel import col, select

from ccms_app.accounts.roles import Caller, InputError
from ccms_app.control.firmware.storage import inside, temporary_file
from ccms_app.core.config import get_settings
from ccms_app.core.db import read_session
from ccms_app.core.i18n import tr
from ccms_app.core.rows import stored_id
from ccms_app.maintenance.work_orders.common import (
    add_event,
    editing,
    identity_of,
    publish,
    reading,
    require_edit,
    work_order_event,
)
from ccms_app.maintenance.work_orders.models import WorkOrder, WorkOrderPhoto

log = logging.getLogger(__name__)

# (content type, file extension) by signature.
JPEG = ("image/jpeg", "jpg")
PNG = ("image/png", "png")
WEBP = ("image/webp", "webp")
HEIC = ("image/heic", "heic")
HEIF_BRANDS = frozenset({b"heic", b"heix", b"hevc", b"hevx", b"heim", b"heis", b"mif1", b"msf1"})
ACCEPTED_TEXT = "JPEG, PNG, WebP or HEIC"
NAME_MAX = 200


class PhotoError(InputError):
    """Not an image CCMS keeps (its field is "file")."""

    def __init__(self, message: str) -> None:
        super().__init__({"file": message})


class PhotoTooLargeError(PhotoError):
    """Larger than CCMS_WORK_ORDER_PHOTO_MAX_MB."""


@dataclass(frozen=True)
class PhotoView:
    id: int
    work_order_id: int
    file_name: str
    content_type: str
    size_bytes: int
    uploaded_by: str
    uploaded_at: datetime

    @property
    def url(self) -> str:
        return photo_url(self.id)


def photo_url(photo_id: int) -> str:
    """Where the browser loads a photo (behind the HTTP gate; photo_routes.py)."""
    return f"/work-order-photos/{photo_id}"


def photo_download_name(view: PhotoView) -> str:
    """The name a download is saved under: CCMS's, never the uploaded one (no header tricks)."""
    ext = {kind: e for kind, e in (JPEG, PNG, WEBP, HEIC)}.get(view.content_type, "bin")
    return f"work-order-{view.work_order_id}-photo-{view.id}.{ext}"


def image_kind(head: bytes) -> tuple[str, str] | None:
    """(content type, extension) of an image CCMS accepts, from its first 12+ bytes."""
    if head.startswith(b"\xff\xd8\xff"):
        return JPEG
    if head.startswith(b"\x89PNG\r\n\x1a\n"):
        return PNG
    if len(head) >= 12 and head[:4] == b"RIFF" and head[8:12] == b"WEBP":
        return WEBP
    if len(head) >= 12 and head[4:8] == b"ftyp" and head[8:12] in HEIF_BRANDS:
        return HEIC
    return None


def max_bytes() -> int:
    return get_settings().work_order_photo_max_mb * 1024 * 1024


def check_photo(data: bytes) -> tuple[str, str]:
    """(content type, extension), or PhotoError saying what is wrong."""
    limit_mb = get_settings().work_order_photo_max_mb
    if not data:
        raise PhotoError(tr("The photo is empty: take or choose it again."))
    if len(data) > max_bytes():
        size_mb = len(data) / (1024 * 1024)
        raise PhotoTooLargeError(
            tr(
                "The photo is {size_mb:.1f} MB: at most {limit_mb} "
                "MB. Take it at a lower resolution.",
                size_mb=size_mb,
                limit_mb=limit_mb,
            )
        )
    kind = image_kind(data[:16])
    if kind is None:
        raise PhotoError(
            tr(
                "Only photos can be attached ({accepted_text}); this file is not one.",
                accepted_text=ACCEPTED_TEXT,
            )
        )
    return kind


def _display_name(name: str) -> str:
    base = str(name).replace("\\", "/").rsplit("/", 1)[-1].strip()
    return (base or "photo")[:NAME_MAX]


def store_photo(caller: Caller, work_order_id: int, file_name: str, data: bytes) -> PhotoView:
    """Check, store and record one photo of the work order (a history entry too)."""
    action = "work_order.photo"
    require_edit(caller, action, work_order_id)
    with reading(caller, work_order_id, action):
        pass  # not found before anything is written to disk
    content_type, ext = check_photo(data)
    directory = get_settings().work_order_photo_dir
    stored_name = f"{work_order_id}-{secrets.token_hex(16)}.{ext}"
    with temporary_file(directory) as (out, temp_path):
        out.write(data)
        out.flush()
        os.fsync(out.fileno())
        out.close()
        os.replace(temp_path, directory / stored_name)
    shown = _display_name(file_name)
    try:
        with editing(caller, work_order_id, action) as (session, row):
            photo = WorkOrderPhoto(
                work_order_id=work_order_id,
                file_name=shown,
                stored_name=stored_name,
                content_type=content_type,
                size_bytes=len(data),
                uploaded_by=caller.email,
            )
            session.add(photo)
            session.flush()
            add_event(session, row, "photo", caller.email, f"photo {shown} (#{photo.id})")
            event = work_order_event(row, identity_of(session, row.charge_point_id), changed=True)
            view = _view(photo)
    except BaseException:
        (directory / stored_name).unlink(missing_ok=True)
        raise
    publish([event])
    log.info("work order photo stored", extra={"work_order_id": work_order_id, "bytes": len(data)})
    return view


def _view(row: WorkOrderPhoto) -> PhotoView:
    return PhotoView(
        id=stored_id(row.id),
        work_order_id=row.work_order_id,
        file_name=row.file_name,
        content_type=row.content_type,
        size_bytes=row.size_bytes,
        uploaded_by=row.uploaded_by,
        uploaded_at=row.uploaded_at,
    )


def list_photos(work_order_id: int) -> list[PhotoView]:
    """The work order's photos, oldest first (call after the scope check)."""
    with read_session() as session:
        rows = session.exec(
            select(WorkOrderPhoto)
            .where(col(WorkOrderPhoto.work_order_id) == work_order_id)
            .order_by(col(WorkOrderPhoto.id))
        ).all()
        return [_view(r) for r in rows]


def photo_file(
    photo_id: int, scope: Collection[int], work_order_id: int | None = None
) -> tuple[PhotoView, bytes] | None:
    """The photo and its bytes when it belongs to a work order of `scope` (and to
    `work_order_id` when given); None otherwise, or when the file is gone."""
    with read_session() as session:
        photo = session.get(WorkOrderPhoto, photo_id) if photo_id > 0 else None
        order = session.get(WorkOrder, photo.work_order_id) if photo is not None else None
        if photo is None or order is None or order.organisation_id not in scope:
            return None
        if work_order_id is not None and photo.work_order_id != work_order_id:
            return None
        view = _view(photo)
        stored_name = photo.stored_name
    path = inside(get_settings().work_order_photo_dir, stored_name)
    if path is None or not path.is_file():
        log.warning("work order photo file missing", extra={"photo_id": photo_id})
        return None
    return view, path.read_bytes()
