"""Wallet holders as the operator sees them: a driver or a group account of its network.

A holder outside the caller's scope (or one that does not exist) is not found: the pages
and the API answer it exactly like an unknown id. A wallet's currency is its organisation's
billing currency (Finance -> Billing settings; EUR by default).
"""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass

from sqlalchemy import func, or_, select
from sqlmodel import Session, col

from ccms_app.core.db import read_session
from ccms_app.core.i18n import N_, tr
from ccms_app.drivers.models import Driver, UserGroup
from ccms_app.finance.errors import FinanceNotFound
from ccms_app.finance.models import BillingProfile
from ccms_app.finance.wallets.models import HolderKind

KIND_LABELS: dict[str, str] = {
    HolderKind.DRIVER: N_("driver"),
    HolderKind.GROUP: N_("group account"),
}


@dataclass(frozen=True)
class Holder:
    kind: str
    id: int
    organisation_id: int
    name: str
    detail: str  # the driver's e-mail, the group's name
    currency: str

    @property
    def key(self) -> str:
        """ "driver:12": how a holder is named in links and list rows."""
        return f"{self.kind}:{self.id}"


def organisation_currency(db: Session, organisation_id: int) -> str:
    """The organisation's billing currency (the default profile's EUR when none is saved)."""
    profile = db.get(BillingProfile, organisation_id) or BillingProfile(
        organisation_id=organisation_id
    )
    return profile.currency.upper()


def organisation_zone(db: Session, organisation_id: int) -> str:
    """The organisation's billing time zone: what its operators' times are shown in."""
    profile = db.get(BillingProfile, organisation_id)
    return (profile.time_zone if profile is not None else "") or "UTC"


def find_holder(
    db: Session, holder_kind: str, holder_id: int, scope: Collection[int] | None
) -> Holder:
    """The holder, or FinanceNotFound when it does not exist or is outside `scope` (None:
    any organisation, for internal callers)."""
    row: Driver | UserGroup | None = None
    if holder_kind == HolderKind.DRIVER:
        row = db.get(Driver, holder_id)
    elif holder_kind == HolderKind.GROUP:
        row = db.get(UserGroup, holder_id)
    if row is None or (scope is not None and row.organisation_id not in scope):
        raise FinanceNotFound(_not_found(holder_kind, holder_id))
    if isinstance(row, UserGroup):
        name, detail = row.account_name or row.name, row.name
    else:
        name, detail = row.name, row.email
    return Holder(
        kind=str(holder_kind),
        id=holder_id,
        organisation_id=row.organisation_id,
        name=name,
        detail=detail,
        currency=organisation_currency(db, row.organisation_id),
    )


def _not_found(holder_kind: str, holder_id: int) -> str:
    if holder_kind == HolderKind.DRIVER:
        return tr("No driver {holder_id}.", holder_id=holder_id)
    if holder_kind == HolderKind.GROUP:
        return tr("No group account {holder_id}.", holder_id=holder_id)
    return tr("No holder {holder_id}.", holder_id=holder_id)


def unnamed_holder(holder_kind: str, holder_id: object) -> str:
    """ "driver 12": a holder whose name is gone, as a row shows it."""
    if holder_kind == HolderKind.DRIVER:
        return tr("driver {holder_id}", holder_id=holder_id)
    if holder_kind == HolderKind.GROUP:
        return tr("group {holder_id}", holder_id=holder_id)
    return f"{holder_kind} {holder_id}"


def parse_holder_kind(text: str) -> str:
    """ "driver" / "group" as typed in a path or form; FinanceNotFound otherwise."""
    value = text.strip().lower()
    if value not in KIND_LABELS:
        raise FinanceNotFound(tr("No holder kind {text}: use driver or group.", text=repr(text)))
    return value


def holder_choices(
    scope: Collection[int], search: str = "", limit: int = 20
) -> list[tuple[str, str]]:
    """("driver:12", "Zoë Müller (driver)") of drivers and group accounts in scope whose
    name matches `search`, groups first: the choices of the voucher and redeem forms."""
    pattern = f"%{search.strip().lower()}%"
    with read_session() as db:
        groups = db.execute(
            select(col(UserGroup.id), col(UserGroup.name), col(UserGroup.account_name))
            .where(
                col(UserGroup.organisation_id).in_(list(scope)),
                or_(
                    func.lower(col(UserGroup.name)).like(pattern),
                    func.lower(col(UserGroup.account_name)).like(pattern),
                ),
            )
            .order_by(col(UserGroup.name))
            .limit(limit)
        ).all()
        drivers = db.execute(
            select(col(Driver.id), col(Driver.name), col(Driver.email))
            .where(
                col(Driver.organisation_id).in_(list(scope)),
                or_(
                    func.lower(col(Driver.name)).like(pattern),
                    func.lower(col(Driver.email)).like(pattern),
                ),
            )
            .order_by(col(Driver.name))
            .limit(limit)
        ).all()
    found = [
        (f"group:{i}", tr("{name} (group account)", name=account or name))
        for i, name, account in groups
    ]
    found += [
        (
            f"driver:{i}",
            tr("{name} (driver, {email})", name=name, email=email)
            if email
            else tr("{name} (driver)", name=name),
        )
        for i, name, email in drivers
    ]
    return found[:limit]


def organisation_currency_of(organisation_id: int) -> str:
    """The organisation's billing currency, read on its own (a form's default)."""
    with read_session() as db:
        return organisation_currency(db, organisation_id)
