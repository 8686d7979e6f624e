"""Operator accounts as System's Accounts section manages them.

Every rule is enforced here, on the server, whatever the page shows:
- only a caller holding system:edit changes anything; accounts and organisations outside the
  caller's organisation scope are "not found";
- nobody grants a role with permissions beyond their own, nor manages (deactivates, resets,
  re-roles) an account whose role has permissions they lack: otherwise a lesser role could
  reset an administrator's password and log in as them;
- a custom role is given only within its organisation and that organisation's
  sub-operators, so a sub-operator never assigns a role of another organisation;
- nobody deactivates, resets or re-roles themselves here (their own password is changed on
  /account), and the root operator always keeps one active Administrator;
- a new or reset password is one the administrator chose: the holder must replace it at
  their next login (`must_change_password`). Deactivation and reset end the account's
  sessions, so every open tab of it is logged out at its next event.
Every change, and every refusal, is written to the audit log. Passwords are validated and
hashed before any transaction opens.
"""

from __future__ import annotations

from collections.abc import Callable, Collection
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import func
from sqlalchemy import select as sa_select
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, col, select

from ccms_app.accounts import audit, auth
from ccms_app.accounts.models import OperatorAccount, Organisation, Role
from ccms_app.accounts.organisations import root_organisation
from ccms_app.accounts.principals import role_permissions
from ccms_app.accounts.roles import (
    CHOICES_LIMIT,
    EDIT_PERMISSION,
    Caller,
    InputError,
    NotFoundError,
    not_found,
    refuse,
    require,
    role_applies_to,
    role_in_scope,
)
from ccms_app.accounts.rules.permissions import ADMINISTRATOR
from ccms_app.core import listing
from ccms_app.core.db import read_session, session_scope
from ccms_app.core.i18n import Message, _, tr
from ccms_app.core.listing import ListColumn, ListPage, ListQuery, ListSpec
from ccms_app.core.rows import stored_id

ACCOUNT_LIST = ListSpec(
    name="accounts",
    base=lambda: (
        sa_select(OperatorAccount)
        .join(Organisation, col(Organisation.id) == OperatorAccount.organisation_id)
        .join(Role, col(Role.id) == OperatorAccount.role_id)
    ),
    columns=(
        ListColumn("id", "ID", OperatorAccount.id),
        ListColumn("name", "Name", OperatorAccount.full_name, searchable=True),
        ListColumn("email", "E-mail", OperatorAccount.email, searchable=True),
        ListColumn("organisation", "Organisation", Organisation.name),
        ListColumn(
            "organisation_id", "Organisation", OperatorAccount.organisation_id, filterable=True
        ),
        ListColumn("role", "Role", Role.name),
        ListColumn("role_id", "Role", OperatorAccount.role_id, filterable=True),
        ListColumn("active", "Active", OperatorAccount.is_active, filterable=True),
        ListColumn(
            "must_change_password", "Must change password", OperatorAccount.must_change_password
        ),
        ListColumn("last_login", "Last login (UTC)", OperatorAccount.last_login_at),
    ),
    organisation_column=OperatorAccount.organisation_id,
    id_column=OperatorAccount.id,
    default_sort="email",
)


@dataclass(frozen=True)
class AccountInput:
    """The create form; `password` is the initial one the administrator passes on."""

    full_name: str
    email: str
    organisation_id: int
    role_id: int
    password: str


@dataclass(frozen=True)
class AccountView:
    id: int
    full_name: str
    email: str
    organisation_id: int
    organisation_name: str
    role_id: int
    role_name: str
    is_active: bool
    must_change_password: bool
    last_login_at: datetime | None


# --- reading ---------------------------------------------------------------------------------


def account_page(query: ListQuery, scope: Collection[int]) -> ListPage:
    """One page of the accounts of `scope` (search, filters by role / organisation / active)."""
    return listing.fetch_page(ACCOUNT_LIST, query, scope)


def get_account(caller: Caller, account_id: int) -> AccountView:
    scope = caller.scope()
    with read_session() as session:
        account = _account_in_scope(session, account_id, scope)
        if account is None:
            raise NotFoundError(tr("No such account."))
        return _view(session, account)


def organisation_choices(scope: Collection[int]) -> list[tuple[int, str]]:
    """(id, name) of the organisations of `scope`, at most CHOICES_LIMIT, by name."""
    with read_session() as session:
        rows = session.exec(
            select(Organisation.id, Organisation.name)
            .where(col(Organisation.id).in_(list(scope)))
            .order_by(col(Organisation.name))
            .limit(CHOICES_LIMIT)
        ).all()
    return [(stored_id(org_id), name) for org_id, name in rows]


def _account_in_scope(
    session: Session, account_id: int, scope: Collection[int]
) -> OperatorAccount | None:
    account = session.get(OperatorAccount, account_id)
    if account is None or account.organisation_id not in scope:
        return None
    return account


def _view(session: Session, account: OperatorAccount) -> AccountView:
    organisation = session.get(Organisation, account.organisation_id)
    role = session.get(Role, account.role_id) if account.role_id is not None else None
    return AccountView(
        id=stored_id(account.id),
        full_name=account.full_name,
        email=account.email,
        organisation_id=account.organisation_id,
        organisation_name=organisation.name if organisation is not None else "",
        role_id=account.role_id,
        role_name=role.name if role is not None else "",
        is_active=account.is_active,
        must_change_password=account.must_change_password,
        last_login_at=account.last_login_at,
    )


# --- creating --------------------------------------------------------------------------------


def create_account(caller: Caller, data: AccountInput) -> AccountView:
    """A new active account that must replace its initial password at first login."""
    action = "account.create"
    require(caller, EDIT_PERMISSION, action, "account", "")
    errors: dict[str, str] = {}
    full_name = " ".join(data.full_name.split())
    if not full_name:
        errors["full_name"] = tr("Give the person's name.")
    elif len(full_name) > 200:
        errors["full_name"] = tr("A name has at most 200 characters.")
    try:
        email = auth.normalise_email(data.email)
    except ValueError as exc:
        errors["email"], email = str(exc), ""
    try:
        auth.validate_password(data.password, (email, full_name))
    except ValueError as exc:
        errors["password"] = str(exc)
    if errors:
        raise InputError(errors)
    scope = caller.scope()
    password_hash = auth.hash_password(data.password)
    view: AccountView | None = None
    problem: Message | None = None
    missing = ""
    try:
        with session_scope() as session:
            role = role_in_scope(session, data.role_id, scope)
            if (
                data.organisation_id not in scope
                or session.get(Organisation, data.organisation_id) is None
            ):
                missing = "organisation"
            elif role is None:
                missing = "role"
            else:
                problem = grant_problem(session, caller, role, data.organisation_id)
            if not missing and not problem:
                if _email_taken(session, email):
                    raise InputError({"email": _email_exists(email)})
                account = OperatorAccount(
                    organisation_id=data.organisation_id,
                    email=email,
                    full_name=full_name,
                    password_hash=password_hash,
                    role_id=data.role_id,
                    must_change_password=True,
                )
                session.add(account)
                session.flush()
                view = _view(session, account)
    except IntegrityError as exc:  # the same e-mail saved at the same moment
        raise InputError({"email": _email_exists(email)}) from exc
    if missing:
        not_found(caller, action, "account", "", missing)
    if view is None:
        refuse(caller, action, "account", "", problem or "")
    audit.record(
        caller.actor(),
        action,
        object_type="account",
        object_id=view.id,
        detail=f"{view.email} in {view.organisation_name} as {view.role_name}",
    )
    return view


def _email_exists(email: str) -> str:
    return tr("An account with e-mail {email} exists.", email=email)


def _email_taken(session: Session, email: str) -> bool:
    found = session.exec(select(OperatorAccount.id).where(OperatorAccount.email == email))
    return found.first() is not None


def grant_problem(
    session: Session, caller: Caller, role: Role, organisation_id: int
) -> Message | None:
    """Why the caller may not give `role` to an account of `organisation_id` (None if it
    may)."""
    beyond = role_permissions(role) - caller.permissions
    if beyond:
        return _(
            "You cannot grant the role {role}: it has permissions you do not have ({permissions}).",
            role=role.name,
            permissions=", ".join(sorted(beyond)),
        )
    if not role_applies_to(session, role, organisation_id):
        return _("The role {role} belongs to another organisation.", role=role.name)
    return None


# --- changing --------------------------------------------------------------------------------

# A change applied to the loaded account inside the transaction; returns the audit detail.
_Apply = Callable[[Session, OperatorAccount], str]


def deactivate_account(caller: Caller, account_id: int) -> AccountView:
    """The account can no longer log in; its open sessions end now."""
    view = _change(caller, account_id, "account.deactivate", _deactivate)
    auth.end_all_sessions(account_id)
    return view


def reactivate_account(caller: Caller, account_id: int) -> AccountView:
    return _change(caller, account_id, "account.reactivate", _reactivate)


def reset_password(caller: Caller, account_id: int, new_password: str) -> AccountView:
    """Set the password the administrator chose; the holder must replace it at the next
    login, and every session of the account ends now."""
    action = "account.reset_password"
    _precheck(caller, account_id, action)
    with read_session() as session:
        target = _account_in_scope(session, account_id, caller.scope())
        related = (target.email, target.full_name) if target is not None else ()
    if target is None:
        not_found(caller, action, "account", account_id, "account")
    try:
        auth.validate_password(new_password, related)
    except ValueError as exc:
        raise InputError({"password": str(exc)}) from exc
    password_hash = auth.hash_password(new_password)

    def apply(session: Session, account: OperatorAccount) -> str:
        account.password_hash = password_hash
        account.must_change_password = True
        return "password reset; must be changed at next login; sessions ended"

    view = _change(caller, account_id, action, apply)
    auth.end_all_sessions(account_id)
    return view


def change_role(caller: Caller, account_id: int, role_id: int) -> AccountView:
    """Give the account another role; it counts from the account's next event."""
    scope = caller.scope()

    def apply(session: Session, account: OperatorAccount) -> str:
        role = role_in_scope(session, role_id, scope)
        if role is None:
            raise _Missing("role")
        problem = grant_problem(session, caller, role, account.organisation_id)
        if not problem and _is_last_root_admin(session, account) and not _is_admin(role):
            problem = _LAST_ADMIN
        if problem:
            raise _Refused(problem)
        before = session.get(Role, account.role_id)
        account.role_id = stored_id(role.id)
        return f"role {before.name if before else '?'} -> {role.name}"

    return _change(caller, account_id, "account.change_role", apply)


_LAST_ADMIN = _(
    "This is the network operator's last active Administrator: make another one first, "
    "so the network is never left without one."
)


class _Missing(Exception):
    """Inside a change: a row it names is not in scope."""


class _Refused(Exception):
    """Inside a change: the rules refuse it (`why` says why)."""

    def __init__(self, why: Message) -> None:
        super().__init__(why.text())
        self.why = why


def _deactivate(session: Session, account: OperatorAccount) -> str:
    if _is_last_root_admin(session, account):
        raise _Refused(_LAST_ADMIN)
    account.is_active = False
    return "deactivated; sessions ended"


def _reactivate(session: Session, account: OperatorAccount) -> str:
    account.is_active = True
    return "reactivated"


def _change(caller: Caller, account_id: int, action: str, apply: _Apply) -> AccountView:
    """Check the caller may act on this account, apply the change in one transaction, then
    audit it (or the refusal)."""
    _precheck(caller, account_id, action)
    scope = caller.scope()
    view: AccountView | None = None
    problem: Message | None = None
    detail, missing = "", ""
    with session_scope() as session:
        account = _account_in_scope(session, account_id, scope)
        if account is None:
            missing = "account"
        else:
            problem = _manage_problem(session, caller, account)
        if not missing and not problem and account is not None:
            try:
                detail = apply(session, account)
            except _Missing as exc:
                missing = str(exc)
            except _Refused as exc:
                problem = exc.why
            else:
                session.add(account)
                session.flush()
                view = _view(session, account)
        if view is None:
            session.rollback()
    if missing:
        not_found(caller, action, "account", account_id, missing)
    if view is None:
        refuse(caller, action, "account", account_id, problem or "")
    audit.record(
        caller.actor(),
        action,
        object_type="account",
        object_id=account_id,
        detail=f"{view.email}: {detail}",
    )
    return view


def _precheck(caller: Caller, account_id: int, action: str) -> None:
    """What is refused before anything is read: no system:edit, or the caller's own account."""
    require(caller, EDIT_PERMISSION, action, "account", account_id)
    if account_id == caller.account_id:
        refuse(
            caller,
            action,
            "account",
            account_id,
            _(
                "You cannot do this to your own account: ask another administrator "
                "(change your own password on your account page)."
            ),
        )


def _manage_problem(session: Session, caller: Caller, account: OperatorAccount) -> Message | None:
    """Nobody manages an account whose role can do more than they can."""
    role = session.get(Role, account.role_id) if account.role_id is not None else None
    beyond = (role_permissions(role) if role is not None else frozenset()) - caller.permissions
    if beyond:
        return _(
            "{email} has permissions you do not have ({permissions}): only someone who "
            "holds them may change it.",
            email=account.email,
            permissions=", ".join(sorted(beyond)),
        )
    return None


def _is_admin(role: Role | None) -> bool:
    return role is not None and role.built_in and role.name == ADMINISTRATOR


def _is_last_root_admin(session: Session, account: OperatorAccount) -> bool:
    """Whether `account` is the root operator's only active Administrator."""
    if not account.is_active or not _is_admin(session.get(Role, account.role_id)):
        return False
    root = root_organisation(session)
    if account.organisation_id != root.id:
        return False
    admins = session.exec(
        select(func.count(col(OperatorAccount.id)))
        .join(Role, col(Role.id) == OperatorAccount.role_id)
        .where(
            OperatorAccount.organisation_id == root.id,
            col(OperatorAccount.is_active),
            col(Role.built_in),
            Role.name == ADMINISTRATOR,
        )
    ).one()
    return int(admins) <= 1
