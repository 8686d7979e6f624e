"""Photos: images only (by their bytes, not their name), at most the configured size,
stored under a name CCMS chooses, and read back only within the organisation scope."""

from __future__ import annotations

from pathlib import Path

import pytest

from ccms_app.maintenance.work_orders import creation, detail, photos
from ccms_app.maintenance.work_orders.photos import PhotoError, PhotoTooLargeError
from tests.maintenance.work_orders.support import Workshop

JPEG = b"\xff\xd8\xff\xe0\x00\x10JFIF\x00" + b"\x00" * 100
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 100
WEBP = b"RIFF\x00\x00\x00\x00WEBPVP8 " + b"\x00" * 100
HEIC = b"\x00\x00\x00\x18ftypheic\x00\x00\x00\x00" + b"\x00" * 100


def _order(w: Workshop) -> int:
    return creation.create_by_hand(
        w.admin, {"charge_point_id": str(w.charge_point_id), "title": "Display dark"}
    )


@pytest.mark.parametrize(
    ("data", "kind"),
    [(JPEG, "image/jpeg"), (PNG, "image/png"), (WEBP, "image/webp"), (HEIC, "image/heic")],
)
def test_images_are_recognised_by_their_bytes(data: bytes, kind: str) -> None:
    assert photos.image_kind(data[:16]) is not None
    assert photos.image_kind(data[:16])[0] == kind  # type: ignore[index]


def test_a_photo_is_stored_under_a_name_ccms_chooses(workshop: Workshop, photo_dir: Path) -> None:
    w = workshop
    work_order_id = _order(w)
    view = photos.store_photo(w.tech, work_order_id, "../../etc/IMG 0001.jpeg", JPEG)
    assert view.file_name == "IMG 0001.jpeg" and view.content_type == "image/jpeg"
    (stored,) = list(photo_dir.iterdir())
    assert stored.name.startswith(f"{work_order_id}-") and stored.suffix == ".jpg"
    found = photos.photo_file(view.id, {w.organisation_id}, work_order_id)
    assert found is not None and found[1] == JPEG
    assert photos.photo_file(view.id, {w.organisation_id + 100}) is None
    assert photos.photo_file(view.id, {w.organisation_id}, work_order_id + 1) is None
    shown = detail.get_work_order(w.tech, work_order_id)
    assert [p.id for p in shown.photos] == [view.id]
    assert shown.events[0].kind == "photo" and view.url == f"/work-order-photos/{view.id}"


def test_non_images_are_refused_with_a_clear_error(workshop: Workshop, photo_dir: Path) -> None:
    work_order_id = _order(workshop)
    with pytest.raises(PhotoError) as caught:
        photos.store_photo(workshop.tech, work_order_id, "photo.jpg", b"%PDF-1.7\n" + b"x" * 50)
    assert caught.value.errors == {
        "file": "Only photos can be attached (JPEG, PNG, WebP or HEIC); this file is not one."
    }
    with pytest.raises(PhotoError, match="empty"):
        photos.store_photo(workshop.tech, work_order_id, "photo.jpg", b"")
    assert not photo_dir.exists() or list(photo_dir.iterdir()) == []


def test_oversize_photos_are_refused(workshop: Workshop, photo_dir: Path) -> None:
    work_order_id = _order(workshop)
    big = JPEG + b"\x00" * (1024 * 1024)
    with pytest.raises(PhotoTooLargeError) as caught:
        photos.store_photo(workshop.tech, work_order_id, "big.jpg", big)
    assert caught.value.errors["file"].startswith("The photo is 1.0 MB: at most 1 MB.")
    assert detail.get_work_order(workshop.tech, work_order_id).photos == ()
