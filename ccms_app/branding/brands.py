"""The brand an organisation shows, and changing it (System > Branding).

Inheritance, field by field: the organisation's own value, else its parent's (up the whole
sub-operator tree), else the default (`DEFAULTS`). The logo and the favicon are inherited
the same way, each as a whole.

Every page reads the brand, so `effective_brand` keeps what it found per organisation for
`CACHE_SECONDS`. A save clears this process's cache at once; another process (a second web
worker, later) sees the change within `CACHE_SECONDS`. Image URLs carry the owning brand's
`version`, so a browser may keep an image for a year and still never shows an old one.

Permissions: the gate checks system:edit before the editor's events; `save_brand`,
`store_image` and `remove_image` check it again and only ever change the caller's own
organisation's brand (a sub-operator its own, the network operator the root's). Each change
is audited with the fields it changed.
"""

from __future__ import annotations

import hashlib
import logging
import threading
import time
from dataclasses import dataclass

from sqlalchemy import select as sa_select
from sqlalchemy.exc import SQLAlchemyError
from sqlmodel import Session, col, select

from ccms_app.accounts import audit
from ccms_app.accounts.models import Organisation
from ccms_app.accounts.roles import EDIT_PERMISSION, Caller, require
from ccms_app.branding.models import Brand
from ccms_app.branding.rules.colours import css_variables
from ccms_app.branding.rules.fields import FIELDS, check_form
from ccms_app.branding.rules.uploads import CheckedImage, ImageKind, check_image
from ccms_app.core import db
from ccms_app.core.db import read_session, session_scope
from ccms_app.core.i18n import Message
from ccms_app.core.rows import stored_id
from ccms_app.core.types import utc_now

log = logging.getLogger(__name__)

CACHE_SECONDS = 5.0
DEFAULT_PRODUCT_NAME = "CCMS"
DEFAULT_FAVICON_URL = "/favicon.svg"
OBJECT = "brand"
DEFAULTS: dict[str, str] = {
    "product_name": DEFAULT_PRODUCT_NAME,
    "primary_colour": "",  # "": the theme's teal (#0d9488-ish), no CSS override
    "accent_colour": "",
    "login_text": "",
    "email_sender_name": "",  # "": the product name
    "document_header": "",
}


class BrandInputError(ValueError):
    """The form has errors: `errors` maps each field to what is wrong with it."""

    def __init__(self, errors: dict[str, Message]) -> None:
        super().__init__(" ".join(str(m) for m in errors.values()))
        self.errors = dict(errors)


@dataclass(frozen=True)
class EffectiveBrand:
    """What an organisation's pages, mails and documents show (inheritance resolved)."""

    organisation_id: int  # 0: no organisation yet (the defaults)
    product_name: str
    primary_colour: str  # "#rrggbb", "" = the theme's own teal
    accent_colour: str
    login_text: str
    email_sender_name: str  # else the chosen product name; "" when neither is set
    document_header: str
    logo_url: str  # "" = no logo: the default icon
    favicon_url: str
    css: str  # CSS variable overrides for the colours ("" = none)
    version: str  # changes whenever anything above changes


@dataclass(frozen=True)
class StoredImage:
    data: bytes
    content_type: str
    version: int


@dataclass(frozen=True)
class DocumentBrand:
    """What a receipt, invoice or report shows on top."""

    product_name: str
    header: str
    logo: bytes | None


@dataclass(frozen=True)
class BrandForm:
    """The editor: the organisation's own values ("" = inherited) and what it inherits."""

    organisation_id: int
    values: dict[str, str]
    inherited: EffectiveBrand  # the parent's brand (the defaults for the root)
    effective: EffectiveBrand
    has_logo: bool
    has_favicon: bool


@dataclass(frozen=True)
class _Row:
    """A brand row without its images (they are read only where they are served)."""

    organisation_id: int
    values: dict[str, str]
    has_logo: bool
    has_favicon: bool
    version: int


# --- reading ---------------------------------------------------------------------------------

_cache: dict[tuple[str, int], tuple[float, EffectiveBrand]] = {}
_cache_lock = threading.Lock()


def forget() -> None:
    """Drop every cached brand of this process (after a change; tests)."""
    with _cache_lock:
        _cache.clear()


def _cache_key(organisation_id: int) -> tuple[str, int]:
    """Per database too: tests (and the CLI) point the process at other databases."""
    return (str(db.get_engine().url), organisation_id)


def effective_brand(organisation_id: int) -> EffectiveBrand:
    """The brand `organisation_id` shows (cached for CACHE_SECONDS)."""
    key, now = _cache_key(organisation_id), time.monotonic()
    with _cache_lock:
        found = _cache.get(key)
    if found is not None and found[0] > now:
        return found[1]
    with read_session() as session:
        brand = _resolve(session, _chain(session, organisation_id))
    with _cache_lock:
        _cache[key] = (now + CACHE_SECONDS, brand)
    return brand


def product_name_of(organisation_id: int | None) -> str:
    """The product name a reader of `organisation_id` sees (None: the network operator's):
    what server-built messages call the product (`core.i18n.branded`). A brand that cannot be
    read leaves the default name; a message is never lost for it."""
    try:
        brand = root_brand() if organisation_id is None else effective_brand(organisation_id)
    except SQLAlchemyError:
        log.warning("brand not readable for a message organisation=%s", organisation_id)
        return DEFAULT_PRODUCT_NAME
    return brand.product_name


def root_brand() -> EffectiveBrand:
    """The network operator's brand: what pages show before anyone logs in."""
    return effective_brand(_root_id())


def _root_id() -> int:
    with read_session() as session:
        found = session.exec(
            select(Organisation.id)
            .where(col(Organisation.parent_id).is_(None))
            .order_by(col(Organisation.id))
        ).first()
    return stored_id(found) if found is not None else 0


def _chain(session: Session, organisation_id: int) -> list[int]:
    """The organisation, its parent, ... up to the root (a loop in the tree stops it)."""
    parents = dict(session.exec(select(Organisation.id, Organisation.parent_id)).all())
    chain: list[int] = []
    current: int | None = organisation_id
    while current is not None and current in parents and current not in chain:
        chain.append(current)
        current = parents[current]
    return chain


def _rows(session: Session, organisation_ids: list[int]) -> dict[int, _Row]:
    if not organisation_ids:
        return {}
    columns = [getattr(Brand, name) for name in FIELDS]
    query = sa_select(
        col(Brand.organisation_id),
        col(Brand.version),
        col(Brand.logo).is_not(None),
        col(Brand.favicon).is_not(None),
        *columns,
    ).where(col(Brand.organisation_id).in_(organisation_ids))
    found: dict[int, _Row] = {}
    for row in session.execute(query).all():
        organisation_id, version, has_logo, has_favicon, *values = row
        found[int(organisation_id)] = _Row(
            int(organisation_id),
            dict(zip(FIELDS, (str(v or "") for v in values), strict=True)),
            bool(has_logo),
            bool(has_favicon),
            int(version),
        )
    return found


def _resolve(session: Session, chain: list[int]) -> EffectiveBrand:
    rows = _rows(session, chain)
    ordered = [rows[org] for org in chain if org in rows]
    values = {
        name: next((r.values[name] for r in ordered if r.values[name]), DEFAULTS[name])
        for name in FIELDS
    }
    logo = next((r for r in ordered if r.has_logo), None)
    favicon = next((r for r in ordered if r.has_favicon), None)
    logo_url = _image_url(logo, ImageKind.LOGO) if logo else ""
    favicon_url = _image_url(favicon, ImageKind.FAVICON) if favicon else DEFAULT_FAVICON_URL
    stamp = ";".join(f"{r.organisation_id}:{r.version}" for r in ordered)
    return EffectiveBrand(
        organisation_id=chain[0] if chain else 0,
        product_name=values["product_name"],
        primary_colour=values["primary_colour"],
        accent_colour=values["accent_colour"],
        login_text=values["login_text"],
        email_sender_name=values["email_sender_name"] or _named(values["product_name"]),
        document_header=values["document_header"],
        logo_url=logo_url,
        favicon_url=favicon_url,
        css=css_variables(values["primary_colour"], values["accent_colour"]),
        version=hashlib.sha256(stamp.encode()).hexdigest()[:12],
    )


def _named(product_name: str) -> str:
    """A product name chosen by someone (a display name for mails); "" for the default."""
    return "" if product_name == DEFAULT_PRODUCT_NAME else product_name


def image_url(organisation_id: int, kind: ImageKind, version: int) -> str:
    return f"/brand/{organisation_id}/{kind.value}?v={version}"


def _image_url(row: _Row, kind: ImageKind) -> str:
    return image_url(row.organisation_id, kind, row.version)


def stored_image(organisation_id: int, kind: ImageKind) -> StoredImage | None:
    """The organisation's own logo or favicon (not an inherited one), for the image route."""
    with read_session() as session:
        brand = session.exec(select(Brand).where(Brand.organisation_id == organisation_id)).first()
    if brand is None:
        return None
    data = brand.logo if kind is ImageKind.LOGO else brand.favicon
    content_type = brand.logo_type if kind is ImageKind.LOGO else brand.favicon_type
    if not data or not content_type:
        return None
    return StoredImage(bytes(data), content_type, brand.version)


def root_favicon() -> StoredImage | None:
    """The favicon the network operator's brand shows (its own or none)."""
    root = _root_id()
    return stored_image(root, ImageKind.FAVICON) if root else None


def document_brand(organisation_id: int) -> DocumentBrand:
    """The header text and logo for the organisation's receipts, invoices and reports."""
    brand = effective_brand(organisation_id)
    logo = None
    with read_session() as session:
        for org in _chain(session, organisation_id):
            image = stored_image(org, ImageKind.LOGO)
            if image is not None:
                logo = image.data
                break
    return DocumentBrand(brand.product_name, brand.document_header, logo)


def sender_name(organisation_id: int | None) -> str:
    """The display name of mails sent for the organisation (the root's when None)."""
    brand = effective_brand(organisation_id) if organisation_id else root_brand()
    return brand.email_sender_name


def brand_form(organisation_id: int) -> BrandForm:
    """What the editor shows for `organisation_id`."""
    with read_session() as session:
        chain = _chain(session, organisation_id)
        own = _rows(session, chain[:1]).get(organisation_id)
        inherited = _resolve(session, chain[1:])
        effective = _resolve(session, chain)
    values = own.values if own is not None else dict.fromkeys(FIELDS, "")
    return BrandForm(
        organisation_id,
        dict(values),
        inherited,
        effective,
        bool(own and own.has_logo),
        bool(own and own.has_favicon),
    )


# --- changing --------------------------------------------------------------------------------


def save_brand(caller: Caller, form: dict[str, str]) -> BrandForm:
    """Store the caller's organisation's texts and colours; BrandInputError names each wrong
    field (nothing is stored then)."""
    organisation_id = caller.organisation_id
    require(caller, EDIT_PERMISSION, "brand.save", OBJECT, organisation_id)
    checked = check_form(form)
    if checked.errors:
        raise BrandInputError(checked.errors)
    with session_scope() as session:
        brand = _own(session, organisation_id)
        changed = [name for name in FIELDS if getattr(brand, name) != checked.values[name]]
        for name in changed:
            setattr(brand, name, checked.values[name])
        if changed:
            _touch(session, brand, caller)
    forget()
    if changed:
        detail = ", ".join(f"{name}={checked.values[name][:60]!r}" for name in changed)
        audit.record(
            caller.actor(),
            "brand.save",
            object_type=OBJECT,
            object_id=organisation_id,
            detail=detail,
        )
    return brand_form(organisation_id)


def store_image(caller: Caller, kind: ImageKind, data: bytes) -> BrandForm:
    """Check and store the caller's organisation's logo or favicon (UploadError says why a
    file is refused)."""
    organisation_id = caller.organisation_id
    action = f"brand.{kind.value}"
    require(caller, EDIT_PERMISSION, action, OBJECT, organisation_id)
    image: CheckedImage = check_image(kind, data)
    with session_scope() as session:
        brand = _own(session, organisation_id)
        if kind is ImageKind.LOGO:
            brand.logo, brand.logo_type = image.data, image.content_type
        else:
            brand.favicon, brand.favicon_type = image.data, image.content_type
        _touch(session, brand, caller)
    forget()
    detail = f"{image.content_type} {image.width}x{image.height} px, {len(image.data)} bytes"
    audit.record(
        caller.actor(), action, object_type=OBJECT, object_id=organisation_id, detail=detail
    )
    return brand_form(organisation_id)


def remove_image(caller: Caller, kind: ImageKind) -> BrandForm:
    """Remove the caller's organisation's own logo or favicon (the inherited one shows)."""
    organisation_id = caller.organisation_id
    action = f"brand.remove_{kind.value}"
    require(caller, EDIT_PERMISSION, action, OBJECT, organisation_id)
    with session_scope() as session:
        brand = _own(session, organisation_id)
        had = brand.logo if kind is ImageKind.LOGO else brand.favicon
        if kind is ImageKind.LOGO:
            brand.logo, brand.logo_type = None, ""
        else:
            brand.favicon, brand.favicon_type = None, ""
        if had is not None:
            _touch(session, brand, caller)
    forget()
    if had is not None:
        audit.record(caller.actor(), action, object_type=OBJECT, object_id=organisation_id)
    return brand_form(organisation_id)


def _own(session: Session, organisation_id: int) -> Brand:
    """The organisation's brand row, new (all inherited) if it has none yet."""
    brand = session.exec(select(Brand).where(Brand.organisation_id == organisation_id)).first()
    return brand if brand is not None else Brand(organisation_id=organisation_id, version=0)


def _touch(session: Session, brand: Brand, caller: Caller) -> None:
    brand.version += 1
    brand.updated_by = caller.email[:320]
    brand.updated_at = utc_now()
    session.add(brand)
