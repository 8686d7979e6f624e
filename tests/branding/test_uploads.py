"""Logo and favicon uploads: the bytes decide; every refusal says what to do."""

from __future__ import annotations

import io

import pytest
from PIL import Image

from ccms_app.branding.rules.uploads import ImageKind, UploadError, check_image


def image_bytes(width: int, height: int, image_format: str = "PNG", **save: object) -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", (width, height), (13, 148, 136)).save(buffer, format=image_format, **save)
    return buffer.getvalue()


def refusal(kind: ImageKind, data: bytes) -> str:
    with pytest.raises(UploadError) as refused:
        check_image(kind, data)
    return str(refused.value.message)


@pytest.mark.parametrize(
    ("image_format", "content_type"),
    [("PNG", "image/png"), ("JPEG", "image/jpeg"), ("WEBP", "image/webp")],
)
def test_a_good_logo_is_accepted(image_format: str, content_type: str) -> None:
    data = image_bytes(400, 100, image_format)
    checked = check_image(ImageKind.LOGO, data)
    assert (checked.content_type, checked.width, checked.height) == (content_type, 400, 100)
    assert checked.data == data


def test_a_good_favicon_is_accepted_as_png_or_ico() -> None:
    assert check_image(ImageKind.FAVICON, image_bytes(64, 64)).content_type == "image/png"
    ico = image_bytes(32, 32, "ICO", sizes=[(32, 32)])
    assert check_image(ImageKind.FAVICON, ico).content_type == "image/x-icon"


def test_svg_is_refused_because_it_can_carry_scripts() -> None:
    svg = b'<?xml version="1.0"?><svg xmlns="http://www.w3.org/2000/svg"><script>x()</script></svg>'
    assert "SVG files are not accepted: they can carry scripts" in refusal(ImageKind.LOGO, svg)
    assert "SVG" in refusal(ImageKind.FAVICON, b"  <svg viewBox='0 0 1 1'></svg>")


def test_a_logo_too_big_says_its_size_and_the_limit() -> None:
    data = b"\x89PNG" + bytes(900 * 1024 - 4)
    assert refusal(ImageKind.LOGO, data) == "The logo is 900 KB; the most is 512 KB."


def test_a_favicon_too_big_says_its_size_and_the_limit() -> None:
    assert refusal(ImageKind.FAVICON, bytes(150 * 1024)) == (
        "The favicon is 150 KB; the most is 100 KB."
    )


def test_too_small_too_large_and_too_narrow_logos() -> None:
    assert refusal(ImageKind.LOGO, image_bytes(20, 20)) == (
        "The logo is 20 x 20 px; it needs at least 32 x 32 px."
    )
    assert refusal(ImageKind.LOGO, image_bytes(2400, 300)) == (
        "The logo is 2400 x 300 px; the most is 2000 x 2000 px."
    )
    wide = refusal(ImageKind.LOGO, image_bytes(900, 100))
    assert wide.startswith("The logo is 900 x 100 px, 9.0 times as wide as high")
    assert "the most is 8 times" in wide


def test_a_favicon_must_be_square_and_in_range() -> None:
    assert "must be square" in refusal(ImageKind.FAVICON, image_bytes(64, 32))
    assert refusal(ImageKind.FAVICON, image_bytes(8, 8)) == (
        "The favicon is 8 x 8 px; it needs at least 16 x 16 px."
    )
    assert "the most is 512 x 512 px" in refusal(ImageKind.FAVICON, image_bytes(600, 600))


def test_a_wrong_format_names_what_it_is_and_what_is_accepted() -> None:
    assert refusal(ImageKind.LOGO, image_bytes(64, 64, "GIF")) == (
        "The logo is a GIF file; upload a PNG, JPEG or WebP image."
    )
    assert refusal(ImageKind.FAVICON, image_bytes(64, 64, "JPEG")) == (
        "The favicon is a JPEG file; upload a PNG or ICO image."
    )


def test_not_an_image_or_a_broken_one() -> None:
    assert "not a readable image" in refusal(ImageKind.LOGO, b"%PDF-1.7 not an image")
    assert "empty" in refusal(ImageKind.LOGO, b"")
    truncated = image_bytes(400, 100)[:200]
    assert "not a readable image" in refusal(ImageKind.LOGO, truncated)
