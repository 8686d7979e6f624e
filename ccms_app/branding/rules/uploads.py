"""Checking an uploaded logo or favicon before it is stored and served to every visitor.

The bytes decide, never the file name or the browser's content type: Pillow reads the
header (format, size) before anything is decoded, so a huge or disguised file is refused
cheaply, then decodes the image once to prove it is whole. SVG is refused: it is a document
that can carry scripts and links, and it would be served on the app's own origin.

Every refusal is a `Message` a person can act on ("The logo is 900 KB; the most is 512 KB.").
"""

from __future__ import annotations

import io
import math
import warnings
from dataclasses import dataclass
from enum import StrEnum

from PIL import Image, UnidentifiedImageError

from ccms_app.core.i18n import Message, _


class ImageKind(StrEnum):
    LOGO = "logo"
    FAVICON = "favicon"


@dataclass(frozen=True)
class ImageRules:
    formats: dict[str, str]  # Pillow's format name -> the content type it is served as
    max_bytes: int
    min_side: int
    max_side: int
    max_ratio: float  # longer side / shorter side
    square: bool


RULES: dict[ImageKind, ImageRules] = {
    ImageKind.LOGO: ImageRules(
        formats={"PNG": "image/png", "JPEG": "image/jpeg", "WEBP": "image/webp"},
        max_bytes=512 * 1024,
        min_side=32,
        max_side=2000,
        max_ratio=8.0,
        square=False,
    ),
    ImageKind.FAVICON: ImageRules(
        formats={"PNG": "image/png", "ICO": "image/x-icon"},
        max_bytes=100 * 1024,
        min_side=16,
        max_side=512,
        max_ratio=1.0,
        square=True,
    ),
}
CONTENT_TYPES = frozenset(t for rules in RULES.values() for t in rules.formats.values())


class UploadError(ValueError):
    """The file is refused; `message` says why and what would be accepted."""

    def __init__(self, message: Message) -> None:
        super().__init__(str(message))
        self.message = message


@dataclass(frozen=True)
class CheckedImage:
    data: bytes
    content_type: str
    width: int
    height: int


def kilobytes(size: int) -> int:
    """Bytes as whole KB, rounded up (a file of 512 KB and one byte is "513 KB")."""
    return math.ceil(size / 1024)


def check_image(kind: ImageKind, data: bytes) -> CheckedImage:
    """`data` as a logo or favicon to serve, or UploadError saying what is wrong."""
    rules = RULES[kind]
    if not data:
        raise UploadError(_("The file is empty: choose an image file."))
    if len(data) > rules.max_bytes:
        raise UploadError(_too_big(kind, len(data), rules.max_bytes))
    if _looks_like_svg(data):
        raise UploadError(
            _(
                "SVG files are not accepted: they can carry scripts. Save the image as PNG "
                "(or JPEG or WebP for a logo) and upload that."
            )
        )
    image_format, width, height = _read(kind, data, rules)
    _check_size(kind, width, height, rules)
    return CheckedImage(data, rules.formats[image_format], width, height)


def _too_big(kind: ImageKind, size: int, limit: int) -> Message:
    if kind is ImageKind.LOGO:
        return _(
            "The logo is {size} KB; the most is {limit} KB.",
            size=kilobytes(size),
            limit=kilobytes(limit),
        )
    return _(
        "The favicon is {size} KB; the most is {limit} KB.",
        size=kilobytes(size),
        limit=kilobytes(limit),
    )


def _looks_like_svg(data: bytes) -> bool:
    head = data[:1024].lstrip().lower()
    return head.startswith((b"<?xml", b"<svg", b"<!doctype svg")) or b"<svg" in head


def _read(kind: ImageKind, data: bytes, rules: ImageRules) -> tuple[str, int, int]:
    """(format, width, height) from the header, then the whole image decoded once."""
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            with Image.open(io.BytesIO(data)) as image:
                image_format = str(image.format or "")
                width, height = image.size
                if image_format not in rules.formats:
                    raise UploadError(_wrong_type(kind, image_format))
                if width > rules.max_side or height > rules.max_side:
                    raise UploadError(_too_large(kind, width, height, rules.max_side))
                image.load()
    except UploadError:
        raise
    except (UnidentifiedImageError, OSError, ValueError, SyntaxError, EOFError) as exc:
        raise UploadError(_wrong_type(kind, "")) from exc
    except (Image.DecompressionBombError, Image.DecompressionBombWarning) as exc:
        raise UploadError(_too_large(kind, 0, 0, rules.max_side)) from exc
    return image_format, width, height


def _wrong_type(kind: ImageKind, found: str) -> Message:
    if kind is ImageKind.LOGO:
        if found:
            return _("The logo is a {found} file; upload a PNG, JPEG or WebP image.", found=found)
        return _("This file is not a readable image; upload a PNG, JPEG or WebP logo.")
    if found:
        return _("The favicon is a {found} file; upload a PNG or ICO image.", found=found)
    return _("This file is not a readable image; upload a PNG or ICO favicon.")


def _too_large(kind: ImageKind, width: int, height: int, limit: int) -> Message:
    if kind is ImageKind.LOGO:
        return _(
            "The logo is {width} x {height} px; the most is {limit} x {limit} px.",
            width=width,
            height=height,
            limit=limit,
        )
    return _(
        "The favicon is {width} x {height} px; the most is {limit} x {limit} px.",
        width=width,
        height=height,
        limit=limit,
    )


def _check_size(kind: ImageKind, width: int, height: int, rules: ImageRules) -> None:
    if width < rules.min_side or height < rules.min_side:
        if kind is ImageKind.LOGO:
            message = _(
                "The logo is {width} x {height} px; it needs at least {least} x {least} px.",
                width=width,
                height=height,
                least=rules.min_side,
            )
        else:
            message = _(
                "The favicon is {width} x {height} px; it needs at least {least} x {least} px.",
                width=width,
                height=height,
                least=rules.min_side,
            )
        raise UploadError(message)
    if rules.square and width != height:
        raise UploadError(
            _(
                "The favicon is {width} x {height} px; it must be square (e.g. 64 x 64 px).",
                width=width,
                height=height,
            )
        )
    ratio = max(width, height) / min(width, height)
    if ratio > rules.max_ratio:
        shown, limit = format(ratio, ".1f"), format(rules.max_ratio, "g")
        raise UploadError(
            _(
                "The logo is {width} x {height} px, {ratio} times as wide as high (or high as "
                "wide); the most is {limit} times. Crop it closer.",
                width=width,
                height=height,
                ratio=shown,
                limit=limit,
            )
        )
