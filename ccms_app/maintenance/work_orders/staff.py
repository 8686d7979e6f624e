"""Maintenance staff: the people with the Maintenance staff role as maintenance sees them
(phone, on duty, operation areas covered), who may be assigned a work order, and whom an
alarm rule's work order goes to.

A profile (MaintenanceStaff) is optional: an account of the scope can be assigned without
one. Automatic assignment (alarm rules) only picks people with a profile who are on duty and
cover the station's operation area: the one with the fewest active work orders.
"""

from __future__ import annotations

from collections.abc import Collection, Sequence
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import delete, func
from sqlmodel import Session, col, select

from ccms_app.accounts.models import OperatorAccount, Organisation, Role
from ccms_app.accounts.roles import Caller, InputError, not_found
from ccms_app.accounts.rules.permissions import MAINTENANCE_STAFF
from ccms_app.core.db import read_session, session_scope
from ccms_app.core.i18n import tr
from ccms_app.core.rows import stored_id
from ccms_app.core.types import utc_now
from ccms_app.maintenance.rules.work_order_status import ACTIVE_STATUSES
from ccms_app.maintenance.work_orders.common import require_edit
from ccms_app.maintenance.work_orders.models import (
    MaintenanceStaff,
    MaintenanceStaffArea,
    WorkOrder,
)
from ccms_app.network.models import OperationArea

OBJECT = "maintenance_staff"
CHOICES_LIMIT = 200
PHONE_CHARS = set("0123456789+-() /.")


@dataclass(frozen=True)
class StaffView:
    account_id: int
    organisation_id: int
    name: str
    email: str
    role: str
    active: bool
    has_profile: bool
    phone: str
    on_duty: bool
    notes: str
    area_ids: tuple[int, ...]
    areas: tuple[str, ...]
    open_work_orders: int
    updated_at: datetime | None


def account_label(session: Session, account_id: int) -> str:
    account = session.get(OperatorAccount, account_id)
    if account is None:
        return f"account {account_id}"
    return account.full_name or account.email


def assignable(session: Session, scope: Collection[int], account_id: int) -> bool:
    """May a work order of this scope go to this account? An active account of the scope."""
    account = session.get(OperatorAccount, account_id)
    return account is not None and account.is_active and account.organisation_id in scope


def assignee_choices(scope: Collection[int]) -> list[tuple[int, str]]:
    """Active accounts of the scope, Maintenance staff first, then by name."""
    with read_session() as session:
        rows = session.exec(
            select(OperatorAccount, Role.name)
            .join(Role, col(Role.id) == OperatorAccount.role_id, isouter=True)
            .where(
                col(OperatorAccount.organisation_id).in_(list(scope)),
                col(OperatorAccount.is_active),
            )
            .limit(CHOICES_LIMIT)
        ).all()
    ordered = sorted(
        rows, key=lambda r: (r[1] != MAINTENANCE_STAFF, (r[0].full_name or r[0].email).lower())
    )
    return [(stored_id(a.id), a.full_name or a.email) for a, _role in ordered]


def _open_counts(session: Session, account_ids: Sequence[int]) -> dict[int, int]:
    if not account_ids:
        return {}
    rows = session.exec(
        select(WorkOrder.assignee_account_id, func.count(col(WorkOrder.id)))
        .where(
            col(WorkOrder.assignee_account_id).in_(list(account_ids)),
            col(WorkOrder.status).in_(list(ACTIVE_STATUSES)),
        )
        .group_by(col(WorkOrder.assignee_account_id))
    ).all()
    return {int(a or 0): int(n) for a, n in rows}


def _ancestors(session: Session, organisation_id: int) -> set[int]:
    """The organisation and its parents: whose staff may work on its charge points."""
    found: set[int] = set()
    current: int | None = organisation_id
    while current is not None and current not in found:
        found.add(current)
        org = session.get(Organisation, current)
        current = org.parent_id if org is not None else None
    return found


def pick_assignee(session: Session, organisation_id: int, area_id: int | None) -> int | None:
    """The on-duty staff member covering `area_id` with the fewest active work orders (ties:
    the lowest account id, so the choice is repeatable); None when nobody covers it."""
    if area_id is None:
        return None
    candidates = session.exec(
        select(MaintenanceStaff.account_id)
        .join(
            MaintenanceStaffArea,
            col(MaintenanceStaffArea.account_id) == MaintenanceStaff.account_id,
        )
        .join(OperatorAccount, col(OperatorAccount.id) == MaintenanceStaff.account_id)
        .where(
            col(MaintenanceStaffArea.area_id) == area_id,
            col(MaintenanceStaff.on_duty),
            col(OperatorAccount.is_active),
            col(OperatorAccount.organisation_id).in_(list(_ancestors(session, organisation_id))),
        )
    ).all()
    ids = sorted(set(candidates))
    if not ids:
        return None
    counts = _open_counts(session, ids)
    return min(ids, key=lambda a: (counts.get(a, 0), a))


# --- the staff page ---------------------------------------------------------------------


def _staff_accounts(session: Session, scope: Collection[int]) -> list[tuple[OperatorAccount, str]]:
    rows = session.exec(
        select(OperatorAccount, Role.name)
        .join(Role, col(Role.id) == OperatorAccount.role_id)
        .where(col(OperatorAccount.organisation_id).in_(list(scope)))
    ).all()
    profiled = set(
        session.exec(
            select(MaintenanceStaff.account_id).where(
                col(MaintenanceStaff.organisation_id).in_(list(scope))
            )
        ).all()
    )
    return [(a, role) for a, role in rows if role == MAINTENANCE_STAFF or a.id in profiled]


def _view(session: Session, account: OperatorAccount, role: str, open_count: int) -> StaffView:
    account_id = stored_id(account.id)
    profile = session.get(MaintenanceStaff, account_id)
    areas = session.exec(
        select(OperationArea.id, OperationArea.name)
        .join(MaintenanceStaffArea, col(MaintenanceStaffArea.area_id) == OperationArea.id)
        .where(col(MaintenanceStaffArea.account_id) == account_id)
        .order_by(col(OperationArea.name))
    ).all()
    return StaffView(
        account_id=account_id,
        organisation_id=account.organisation_id,
        name=account.full_name or account.email,
        email=account.email,
        role=role,
        active=account.is_active,
        has_profile=profile is not None,
        phone=profile.phone if profile else "",
        on_duty=profile.on_duty if profile else False,
        notes=profile.notes if profile else "",
        area_ids=tuple(stored_id(i) for i, _n in areas),
        areas=tuple(n for _i, n in areas),
        open_work_orders=open_count,
        updated_at=profile.updated_at if profile else None,
    )


def list_staff(caller: Caller) -> list[StaffView]:
    """People with the Maintenance staff role (or a staff profile) in the caller's scope,
    on duty first, then by name."""
    with read_session() as session:
        accounts = _staff_accounts(session, caller.scope())
        counts = _open_counts(session, [stored_id(a.id) for a, _r in accounts])
        views = [_view(session, a, r, counts.get(stored_id(a.id), 0)) for a, r in accounts]
    return sorted(views, key=lambda v: (not v.on_duty, v.name.lower()))


def get_staff(caller: Caller, account_id: int) -> StaffView:
    with read_session() as session:
        account = session.get(OperatorAccount, account_id) if account_id > 0 else None
        role = session.get(Role, account.role_id) if account is not None else None
        if account is None or account.organisation_id not in caller.scope():
            view = None
        else:
            counts = _open_counts(session, [account_id])
            view = _view(session, account, role.name if role else "", counts.get(account_id, 0))
    if view is None:
        not_found(caller, "maintenance_staff.view", OBJECT, account_id, "person")
    return view


def area_choices(scope: Collection[int]) -> list[tuple[int, str]]:
    with read_session() as session:
        rows = session.exec(
            select(OperationArea.id, OperationArea.name)
            .where(col(OperationArea.organisation_id).in_(list(scope)))
            .order_by(col(OperationArea.name))
            .limit(CHOICES_LIMIT)
        ).all()
    return [(stored_id(i), n) for i, n in rows]


def update_staff(
    caller: Caller,
    account_id: int,
    *,
    phone: str,
    on_duty: bool,
    notes: str,
    area_ids: Collection[int],
) -> StaffView:
    """Create or change the person's profile and the areas they cover (replaced whole)."""
    action = "maintenance_staff.update"
    require_edit(caller, action, account_id)
    errors: dict[str, str] = {}
    phone = phone.strip()
    if len(phone) > 40 or not set(phone) <= PHONE_CHARS:
        errors["phone"] = tr("Phone: digits, spaces and + - ( ) / . only, at most 40 characters.")
    if len(notes) > 500:
        errors["notes"] = tr("The notes are longer than 500 characters.")
    scope = caller.scope()
    with session_scope() as session:
        account = session.get(OperatorAccount, account_id) if account_id > 0 else None
        if account is None or account.organisation_id not in scope:
            account = None
        else:
            known = {i for i, _n in area_choices(scope)}
            if not set(area_ids) <= known:
                errors["area_ids"] = tr("Choose operation areas of your network.")
            if errors:
                raise InputError(errors)
            _save(session, account, phone, on_duty, notes.strip(), sorted(set(area_ids)))
    if account is None:
        not_found(caller, action, OBJECT, account_id, "person")
    return get_staff(caller, account_id)


def _save(
    session: Session,
    account: OperatorAccount,
    phone: str,
    on_duty: bool,
    notes: str,
    area_ids: list[int],
) -> None:
    account_id = stored_id(account.id)
    profile = session.get(MaintenanceStaff, account_id) or MaintenanceStaff(
        account_id=account_id, organisation_id=account.organisation_id
    )
    profile.phone, profile.on_duty, profile.notes = phone, on_duty, notes
    profile.updated_at = utc_now()
    session.add(profile)
    session.flush()
    session.execute(
        delete(MaintenanceStaffArea).where(col(MaintenanceStaffArea.account_id) == account_id)
    )
    for area_id in area_ids:
        session.add(MaintenanceStaffArea(account_id=account_id, area_id=area_id))
