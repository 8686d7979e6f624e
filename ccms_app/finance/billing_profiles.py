"""Billing settings per organisation: currency, default VAT, rounding, time zone, the seller's
details printed on receipts and invoices, and the logo.

`get_profile` is what pricing, receipts and invoices read (an organisation that never saved
its settings gets the defaults, unsaved); `save_profile` checks every field with
`finance.rules.billing_profile` and stores them. An operator edits its own settings and its
sub-operators'; a sub-operator its own (the `scope` a caller passes: any other organisation
is not found). The logo is kept as a file under `logo_dir()`, named by organisation, written
to a temporary file and renamed, so a half-written logo is never printed.
"""

from __future__ import annotations

import logging
import os
from collections.abc import Collection, Mapping
from pathlib import Path

from sqlmodel import Session, col, select

from ccms_app.accounts.models import Organisation
from ccms_app.core.config import get_settings
from ccms_app.core.db import read_session, session_scope
from ccms_app.core.i18n import DEFAULT, is_language, tr
from ccms_app.core.types import utc_now
from ccms_app.finance.models import BillingProfile
from ccms_app.finance.rules.billing_profile import (
    FIELDS,
    BillingProfileError,
    ProfileValues,
    check_profile,
    logo_extension,
)

log = logging.getLogger(__name__)

LOGO_DIR_NAME = "billing-logos"


class ProfileNotFound(LookupError):
    """No such organisation among those the caller may see."""


def logo_dir() -> Path:
    """Where logos live: beside the firmware images (var/billing-logos by default), so one
    CCMS_FIRMWARE_DIR on a data volume keeps both."""
    return get_settings().firmware_dir.parent / LOGO_DIR_NAME


def _existing_organisation(
    session: Session, organisation_id: int, scope: Collection[int] | None
) -> None:
    if scope is not None and organisation_id not in scope:
        raise ProfileNotFound(
            tr("no organisation {organisation_id} in your network", organisation_id=organisation_id)
        )
    if session.get(Organisation, organisation_id) is None:
        raise ProfileNotFound(
            tr("no organisation {organisation_id}", organisation_id=organisation_id)
        )


def _detached(profile: BillingProfile | None, organisation_id: int) -> BillingProfile:
    return profile if profile is not None else BillingProfile(organisation_id=organisation_id)


def get_profile(organisation_id: int, scope: Collection[int] | None = None) -> BillingProfile:
    """The organisation's settings (defaults, not stored, when it never saved any);
    ProfileNotFound for an organisation outside `scope` (None: any)."""
    with read_session() as session:
        _existing_organisation(session, organisation_id, scope)
        return _detached(session.get(BillingProfile, organisation_id), organisation_id)


def document_language(organisation_id: int) -> str:
    """The language the organisation's receipts, invoices and e-mails to drivers are in."""
    with read_session() as session:
        profile = session.get(BillingProfile, organisation_id)
    return profile.language if profile is not None and is_language(profile.language) else DEFAULT


def profile_form(profile: BillingProfile) -> dict[str, str]:
    """The settings as the form's strings (what save_profile takes back)."""
    return {name: str(getattr(profile, name) or "") for name in FIELDS}


def save_profile(
    organisation_id: int,
    form: Mapping[str, str],
    actor: str,
    scope: Collection[int] | None = None,
) -> BillingProfile:
    """Check and store the settings; BillingProfileError names every wrong field. Fields the
    form leaves out keep their stored value."""
    with session_scope() as session:
        _existing_organisation(session, organisation_id, scope)
        current = _detached(session.get(BillingProfile, organisation_id), organisation_id)
        values = check_profile({**profile_form(current), **form})
        profile = _apply(session.get(BillingProfile, organisation_id), organisation_id, values)
        session.add(profile)
        session.flush()
    log.info("billing profile saved", extra={"organisation_id": organisation_id, "actor": actor})
    return profile


def _apply(
    row: BillingProfile | None, organisation_id: int, values: ProfileValues
) -> BillingProfile:
    profile = row if row is not None else BillingProfile(organisation_id=organisation_id)
    for name in FIELDS:
        setattr(profile, name, getattr(values, name))
    profile.updated_at = utc_now()
    return profile


def store_logo(
    organisation_id: int, data: bytes, actor: str, scope: Collection[int] | None = None
) -> BillingProfile:
    """Keep a PNG / JPEG logo (at most 512 KB) as the organisation's; the old file goes."""
    extension = logo_extension(data)
    directory = logo_dir()
    directory.mkdir(parents=True, exist_ok=True)
    name = f"organisation-{organisation_id}.{extension}"
    temporary = directory / f".{name}.uploading"
    with session_scope() as session:
        _existing_organisation(session, organisation_id, scope)
        profile = session.get(BillingProfile, organisation_id) or BillingProfile(
            organisation_id=organisation_id
        )
        temporary.write_bytes(data)
        os.replace(temporary, directory / name)
        old = profile.logo_path
        profile.logo_path, profile.updated_at = name, utc_now()
        session.add(profile)
        session.flush()
    if old and old != name:
        (directory / old).unlink(missing_ok=True)
    log.info("billing logo stored", extra={"organisation_id": organisation_id, "actor": actor})
    return profile


def remove_logo(
    organisation_id: int, actor: str, scope: Collection[int] | None = None
) -> BillingProfile:
    with session_scope() as session:
        _existing_organisation(session, organisation_id, scope)
        profile = session.get(BillingProfile, organisation_id)
        if profile is None or not profile.logo_path:
            return _detached(profile, organisation_id)
        old, profile.logo_path, profile.updated_at = profile.logo_path, "", utc_now()
        session.add(profile)
        session.flush()
    (logo_dir() / old).unlink(missing_ok=True)
    log.info("billing logo removed", extra={"organisation_id": organisation_id, "actor": actor})
    return profile


def logo_file(profile: BillingProfile) -> Path | None:
    """The stored logo's path, None when there is none (or its file went missing)."""
    if not profile.logo_path:
        return None
    path = logo_dir() / profile.logo_path
    return path if path.is_file() else None


def editable_organisations(scope: Collection[int]) -> list[tuple[int, str]]:
    """(id, name) of the organisations whose settings the caller may edit, operator first."""
    with read_session() as session:
        rows = session.exec(
            select(Organisation.id, Organisation.name, Organisation.parent_id)
            .where(col(Organisation.id).in_(list(scope)))
            .order_by(col(Organisation.parent_id).is_not(None), col(Organisation.name))
        ).all()
    return [(int(i or 0), name) for i, name, _parent in rows]


__all__ = [
    "BillingProfileError",
    "ProfileNotFound",
    "editable_organisations",
    "get_profile",
    "logo_dir",
    "profile_form",
    "remove_logo",
    "save_profile",
    "store_logo",
]
