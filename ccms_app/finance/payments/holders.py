"""Who pays: a driver or a group account (`HolderKind`), found within the caller's scope.

Payments, top-ups and payment accounts name their payer as (holder_kind, holder_id); this is
the one place that turns that pair into the row's organisation, name and e-mail, and the
one place that says "not found" for a holder outside the caller's organisations.
"""

from __future__ import annotations

from collections.abc import Collection, Iterable
from dataclasses import dataclass

from sqlmodel import Session, col, func, select

from ccms_app.core.db import read_session
from ccms_app.core.i18n import tr
from ccms_app.drivers.models import Driver, UserGroup
from ccms_app.finance.errors import FinanceError, FinanceNotFound
from ccms_app.finance.models import BillingProfile
from ccms_app.finance.wallets.models import HolderKind

HOLDER_KINDS = tuple(kind.value for kind in HolderKind)


@dataclass(frozen=True)
class Holder:
    kind: str
    id: int
    organisation_id: int
    name: str
    email: str


def check_kind(holder_kind: str, field: str = "holder_kind") -> str:
    """The holder kind as stored, or a field error naming the kinds there are."""
    kind = holder_kind.strip().lower()
    if kind not in HOLDER_KINDS:
        raise FinanceError(
            f"Unknown holder kind {holder_kind!r}.",
            {field: f"Must be one of: {', '.join(HOLDER_KINDS)}."},
        )
    return kind


def find_holder(
    db: Session, holder_kind: str, holder_id: int, scope: Collection[int] | None
) -> Holder:
    """The driver or group; FinanceNotFound when there is none in `scope` (None: any)."""
    kind = check_kind(holder_kind)
    holder: Holder | None = None
    if kind == HolderKind.DRIVER:
        driver = db.get(Driver, holder_id)
        if driver is not None:
            holder = Holder(kind, holder_id, driver.organisation_id, driver.name, driver.email)
    else:
        group = db.get(UserGroup, holder_id)
        if group is not None:
            name = group.account_name or group.name
            holder = Holder(kind, holder_id, group.organisation_id, name, group.billing_email)
    if holder is None or (scope is not None and holder.organisation_id not in scope):
        raise FinanceNotFound(
            tr("No {kind} {holder_id} in your network.", kind=kind, holder_id=holder_id)
        )
    return holder


def holder_names(db: Session, pairs: Iterable[tuple[str, int]]) -> dict[tuple[str, int], str]:
    """Display names of many holders in two queries (for lists)."""
    wanted = set(pairs)
    drivers = [i for kind, i in wanted if kind == HolderKind.DRIVER]
    groups = [i for kind, i in wanted if kind == HolderKind.GROUP]
    names: dict[tuple[str, int], str] = {}
    if drivers:
        for row_id, name in db.exec(
            select(Driver.id, Driver.name).where(col(Driver.id).in_(drivers))
        ).all():
            names[(HolderKind.DRIVER.value, int(row_id or 0))] = name
    if groups:
        for row_id, name in db.exec(
            select(UserGroup.id, UserGroup.name).where(col(UserGroup.id).in_(groups))
        ).all():
            names[(HolderKind.GROUP.value, int(row_id or 0))] = name
    return names


def organisation_currency(db: Session, organisation_id: int) -> str:
    """The currency of the organisation's billing profile (the default when it has none)."""
    profile = db.get(BillingProfile, organisation_id)
    return (profile or BillingProfile(organisation_id=organisation_id)).currency.upper()


def search_holders(
    scope: Collection[int], holder_kind: str, text: str, limit: int = 20
) -> list[tuple[int, str]]:
    """(id, label) of the drivers or group accounts in scope whose name or e-mail contains
    `text` (case-insensitive), by name: the holder picker of the top-up form."""
    kind = check_kind(holder_kind)
    pattern = f"%{text.strip().lower()}%"
    with read_session() as db:
        if kind == HolderKind.DRIVER:
            rows = db.exec(
                select(Driver.id, Driver.name, Driver.email)
                .where(col(Driver.organisation_id).in_(list(scope)))
                .where(
                    func.lower(Driver.name).like(pattern) | func.lower(Driver.email).like(pattern)
                )
                .order_by(col(Driver.name), col(Driver.id))
                .limit(limit)
            ).all()
        else:
            rows = db.exec(
                select(UserGroup.id, UserGroup.name, UserGroup.billing_email)
                .where(col(UserGroup.organisation_id).in_(list(scope)))
                .where(func.lower(UserGroup.name).like(pattern))
                .order_by(col(UserGroup.name), col(UserGroup.id))
                .limit(limit)
            ).all()
    return [(int(i or 0), f"{name} ({email})" if email else name) for i, name, email in rows]
