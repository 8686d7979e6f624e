"""A network operator with a sub-operator (and its own sub-operator), callers and images."""

from __future__ import annotations

import io
from dataclasses import dataclass

from PIL import Image

from ccms_app.accounts.models import Organisation
from ccms_app.accounts.roles import Caller
from ccms_app.accounts.rules.permissions import ALL_PERMISSIONS
from ccms_app.branding import brands
from ccms_app.branding.rules.fields import FIELDS
from ccms_app.core import db


@dataclass(frozen=True)
class Network:
    root: int
    sub: int
    sub_sub: int


def network() -> Network:
    """Root -> Sub -> Sub-sub, with no brand anywhere yet (and no cached one)."""
    brands.forget()
    with db.session_scope() as s:
        root = Organisation(name="Voltaris Networks")
        s.add(root)
        s.flush()
        sub = Organisation(name="City Parking", parent_id=root.id)
        s.add(sub)
        s.flush()
        sub_sub = Organisation(name="City Parking North", parent_id=sub.id)
        s.add(sub_sub)
        s.flush()
        return Network(int(root.id or 0), int(sub.id or 0), int(sub_sub.id or 0))


def caller(organisation_id: int, permissions: frozenset[str] = ALL_PERMISSIONS) -> Caller:
    return Caller(
        account_id=1,
        organisation_id=organisation_id,
        email=f"admin-{organisation_id}@example.com",
        permissions=frozenset(permissions),
        remote_address="192.0.2.7",
    )


def png(width: int = 200, height: int = 50, colour: tuple[int, int, int] = (29, 78, 216)) -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", (width, height), colour).save(buffer, format="PNG")
    return buffer.getvalue()


def form(**values: str) -> dict[str, str]:
    """The whole form, every field empty (inherited) unless given."""
    return {name: values.get(name, "") for name in FIELDS}
