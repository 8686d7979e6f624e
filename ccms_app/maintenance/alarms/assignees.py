"""Who an alarm can be given to: an active operator account that can see the alarm (its
organisation is the alarm's or a parent of it), that the assigning operator can see (its
organisation is in the operator's scope), and whose role opens Maintenance.

A sub-operator's operator can thus give its alarms to its own people or to the
sub-operator's; a sub-operator never to the parent's people (it does not see them).
"""

from __future__ import annotations

from collections.abc import Collection

from sqlmodel import Session, col, select

from ccms_app.accounts.models import OperatorAccount, Organisation, Role
from ccms_app.accounts.principals import role_permissions
from ccms_app.accounts.rules.permissions import Action, Module, permission
from ccms_app.core.db import read_session
from ccms_app.core.i18n import tr

VIEW_PERMISSION = permission(Module.MAINTENANCE, Action.VIEW)
CHOICES_LIMIT = 200


def assignee_problem(
    session: Session,
    account: OperatorAccount | None,
    alarm_organisation_id: int,
    caller_scope: Collection[int],
) -> str:
    """Why `account` cannot take an alarm of `alarm_organisation_id` ("" when it can)."""
    if account is None or account.organisation_id not in caller_scope:
        return tr("No such operator account in your organisation.")
    if not account.is_active:
        return tr("{email} is deactivated.", email=account.email)
    if account.organisation_id not in _ancestors(session, alarm_organisation_id):
        return tr(
            "{email} belongs to another organisation and cannot see this alarm.",
            email=account.email,
        )
    role = session.get(Role, account.role_id) if account.role_id is not None else None
    if role is None or VIEW_PERMISSION not in role_permissions(role):
        return tr(
            "{email}'s role cannot open Maintenance: give it maintenance:view first.",
            email=account.email,
        )
    return ""


def _ancestors(session: Session, organisation_id: int) -> set[int]:
    """The organisation and its parents: whose accounts see its alarms."""
    found: set[int] = set()
    current: int | None = organisation_id
    while current is not None and current not in found:
        found.add(current)
        organisation = session.get(Organisation, current)
        current = organisation.parent_id if organisation is not None else None
    return found


def assignable_accounts(
    alarm_organisation_id: int, caller_scope: Collection[int]
) -> list[tuple[int, str]]:
    """(account id, "Name <email>") of everyone the alarm can be given to, by name."""
    with read_session() as session:
        rows = session.exec(
            select(OperatorAccount)
            .where(
                col(OperatorAccount.organisation_id).in_(list(caller_scope)),
                col(OperatorAccount.is_active),
            )
            .order_by(col(OperatorAccount.full_name), col(OperatorAccount.email))
            .limit(CHOICES_LIMIT * 2)
        ).all()
        chosen = [
            (account.id or 0, label(account))
            for account in rows
            if not assignee_problem(session, account, alarm_organisation_id, caller_scope)
        ]
    return chosen[:CHOICES_LIMIT]


def label(account: OperatorAccount) -> str:
    return f"{account.full_name} <{account.email}>" if account.full_name else account.email
