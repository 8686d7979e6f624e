"""Roles an administrator sees, creates, edits and deletes; who acts on accounts and roles.

Built-in roles (organisation_id None) are visible everywhere and never change here: their
permissions come from the code. A custom role belongs to the organisation whose operator
made it and applies to accounts of that organisation and its sub-operators; an operator sees
the custom roles of its organisation scope only, so a sub-operator never sees (or assigns) a
role of its parent or a sibling. Nobody saves a role with permissions they do not hold
themselves. A role change reaches every account holding it at its next event: the gate
reads the role from the database on each one (`principals.principal_for_session`).

`Caller` and the refusals live here because account administration (`account_admin`) builds
on the same rules: it imports this module, never the other way round.
"""

from __future__ import annotations

from collections.abc import Collection, Iterable
from dataclasses import dataclass
from typing import NoReturn

from sqlalchemy import func, or_
from sqlalchemy import select as sa_select
from sqlalchemy.sql.elements import ColumnElement
from sqlmodel import Session, col, select

from ccms_app.accounts import audit
from ccms_app.accounts.models import OperatorAccount, Organisation, Role
from ccms_app.accounts.organisations import organisation_scope
from ccms_app.accounts.principals import Principal, role_permissions
from ccms_app.accounts.rules.permissions import (
    GRANT,
    Action,
    Module,
    RoleProblem,
    format_permissions,
    permission,
    validate_role,
)
from ccms_app.core.db import read_session, session_scope
from ccms_app.core.i18n import Message, _, tr
from ccms_app.core.listing import ListColumn, ListSpec
from ccms_app.core.rows import stored_id

CHOICES_LIMIT = 200  # role / organisation choices offered in one select
EDIT_PERMISSION = permission(Module.SYSTEM, Action.EDIT)
VIEW_PERMISSION = permission(Module.SYSTEM, Action.VIEW)


class NotFoundError(LookupError):
    """No such row in the caller's organisation scope (other organisations' rows included)."""


class RefusedError(PermissionError):
    """The caller may not do this; the message says why."""


class InputError(ValueError):
    """The form has errors: `errors` maps each field to what is wrong with it."""

    def __init__(self, errors: dict[str, str]) -> None:
        super().__init__(" ".join(errors.values()))
        self.errors = dict(errors)


@dataclass(frozen=True)
class Caller:
    """Who asks, as the gate confirmed it for this event: whose scope, what permissions."""

    account_id: int
    organisation_id: int
    email: str
    permissions: frozenset[str]
    remote_address: str = ""

    @classmethod
    def of(cls, principal: Principal, remote_address: str = "") -> Caller:
        return cls(
            principal.account_id,
            principal.organisation_id,
            principal.email,
            principal.permissions,
            remote_address,
        )

    def actor(self) -> audit.Actor:
        account_id = self.account_id or None  # 0: an API key acts, not an account
        return audit.Actor(account_id, self.organisation_id, self.email, self.remote_address)

    def scope(self) -> frozenset[int]:
        return organisation_scope(self.organisation_id)


@dataclass(frozen=True)
class RoleView:
    id: int
    name: str
    built_in: bool
    organisation_id: int | None
    organisation_name: str  # "" for a built-in role
    permissions: tuple[str, ...]
    accounts: int  # accounts in the caller's scope holding it


# Why something is refused: a Message is audited in English and raised in the reader's
# language (`str`); a str is both as given.
Reason = str | Message


def english(why: Reason) -> str:
    """The reason as the audit log keeps it."""
    return why.text() if isinstance(why, Message) else why


def require(caller: Caller, needed: str, action: str, object_type: str, object_id: object) -> None:
    """RefusedError (and a refused audit entry) unless the caller holds `needed`."""
    if needed not in caller.permissions:
        refuse(caller, action, object_type, object_id, _("Your role does not allow this change."))


def refuse(
    caller: Caller, action: str, object_type: str, object_id: object, why: Reason
) -> NoReturn:
    """Record the refusal (in English), then raise it (in the reader's language): refused
    changes are part of the audit log."""
    audit.record(
        caller.actor(),
        action,
        object_type=object_type,
        object_id=str(object_id),
        detail=english(why),
        outcome="refused",
    )
    raise RefusedError(str(why))


# "No such {what}." as whole sentences for the rows use cases name (`not_found`'s `what`).
_NO_SUCH: dict[str, Message] = {
    "account": _("No such account."),
    "role": _("No such role."),
    "organisation": _("No such organisation."),
    "API key": _("No such API key."),
    "webhook": _("No such webhook."),
    "delivery": _("No such delivery."),
    "work order": _("No such work order."),
    "person": _("No such person."),
    "maintenance plan": _("No such maintenance plan."),
    "alarm": _("No such alarm."),
    "alarm rule": _("No such alarm rule."),
    "load site": _("No such load site."),
    "load node": _("No such load node."),
    "load plan": _("No such load plan."),
}


def no_such(what: str) -> Message:
    """ "No such role." for the row `what` names."""
    return _NO_SUCH.get(what) or _("No such {what}.", what=what)


def not_found(
    caller: Caller, action: str, object_type: str, object_id: object, what: str
) -> NoReturn:
    """Record the attempt on a row outside the scope (in English), then raise NotFoundError
    (in the reader's language)."""
    message = no_such(what)
    audit.record(
        caller.actor(),
        action,
        object_type=object_type,
        object_id=str(object_id),
        detail=message.text(),
        outcome="refused",
    )
    raise NotFoundError(str(message))


# --- reading ---------------------------------------------------------------------------------


def _visible(scope: Collection[int]) -> ColumnElement[bool]:
    return or_(col(Role.built_in), col(Role.organisation_id).in_(list(scope)))


# Accounts holding the row's role. A custom role is held only in its organisation and that
# organisation's sub-operators, all inside the scope of anyone who sees the role.
_HOLDERS = (
    sa_select(func.count(col(OperatorAccount.id)))
    .where(col(OperatorAccount.role_id) == Role.id)
    .correlate(Role)
    .scalar_subquery()
)

CUSTOM_ROLE_LIST = ListSpec(
    name="roles",
    base=lambda: (
        sa_select(Role)
        .join(Organisation, col(Organisation.id) == Role.organisation_id)
        .where(~col(Role.built_in))
    ),
    columns=(
        ListColumn("id", "ID", Role.id),
        ListColumn("name", "Name", Role.name, searchable=True),
        ListColumn("owner", "Organisation", Organisation.name, searchable=True),
        ListColumn("accounts", "Accounts", _HOLDERS),
        ListColumn("permissions", "Permissions", Role.permissions, sortable=False),
    ),
    organisation_column=Role.organisation_id,
    id_column=Role.id,
    default_sort="name",
)


def built_in_roles(scope: Collection[int]) -> list[RoleView]:
    """The built-in roles (a fixed handful, listed apart from the custom ones) with how many
    accounts of `scope` hold each."""
    holders = (
        select(OperatorAccount.role_id, func.count(col(OperatorAccount.id)))
        .where(col(OperatorAccount.organisation_id).in_(list(scope)))
        .group_by(col(OperatorAccount.role_id))
    )
    with read_session() as session:
        counts = {role_id: int(n) for role_id, n in session.exec(holders).all()}
        found = session.exec(select(Role).where(col(Role.built_in)).order_by(col(Role.id))).all()
    return [_view(role, "", counts.get(stored_id(role.id), 0)) for role in found]


def visible_roles(scope: Collection[int]) -> list[RoleView]:
    """Roles offered in `scope` (built-in first), at most CHOICES_LIMIT: the selects' choices."""
    with read_session() as session:
        rows = session.exec(
            select(Role, Organisation.name)
            .outerjoin(Organisation, col(Organisation.id) == Role.organisation_id)
            .where(_visible(scope))
            .order_by(col(Role.built_in).desc(), col(Role.id))
            .limit(CHOICES_LIMIT)
        ).all()
    return [_view(role, org_name or "", 0) for role, org_name in rows]


def get_role(caller: Caller, role_id: int) -> RoleView:
    """One role the caller may see (and how many accounts of its scope hold it)."""
    scope = caller.scope()
    with read_session() as session:
        role = role_in_scope(session, role_id, scope)
        if role is None:
            raise NotFoundError(tr("No such role."))
        return _view(role, _organisation_name(session, role), _count_holders(session, role, scope))


def role_applies_to(session: Session, role: Role, organisation_id: int) -> bool:
    """Whether accounts of `organisation_id` may hold `role`: built-in roles apply anywhere;
    a custom role to its organisation and that organisation's sub-operators."""
    if role.built_in:
        return True
    current: int | None = organisation_id
    seen: set[int] = set()
    while current is not None and current not in seen:
        if current == role.organisation_id:
            return True
        seen.add(current)
        current = session.exec(
            select(Organisation.parent_id).where(Organisation.id == current)
        ).first()
    return False


def role_in_scope(session: Session, role_id: int, scope: Collection[int]) -> Role | None:
    """The role if the scope sees it: built-in, or a custom role of an organisation in it."""
    role = session.get(Role, role_id)
    if role is None or not (role.built_in or role.organisation_id in scope):
        return None
    return role


def _count_holders(session: Session, role: Role, scope: Collection[int] | None) -> int:
    statement = select(func.count(col(OperatorAccount.id))).where(
        OperatorAccount.role_id == role.id
    )
    if scope is not None:
        statement = statement.where(col(OperatorAccount.organisation_id).in_(list(scope)))
    return int(session.exec(statement).one())


def _organisation_name(session: Session, role: Role) -> str:
    if role.organisation_id is None:
        return ""
    organisation = session.get(Organisation, role.organisation_id)
    return organisation.name if organisation is not None else ""


def _view(role: Role, organisation_name: str, accounts: int) -> RoleView:
    return RoleView(
        id=stored_id(role.id),
        name=role.name,
        built_in=role.built_in,
        organisation_id=role.organisation_id,
        organisation_name=organisation_name,
        permissions=tuple(sorted(role_permissions(role))),
        accounts=accounts,
    )


# --- changing --------------------------------------------------------------------------------


def create_role(caller: Caller, name: str, permissions: Iterable[str]) -> RoleView:
    """A custom role of the caller's organisation (offered there and in its sub-operators)."""
    require(caller, EDIT_PERMISSION, "role.create", "role", "")
    chosen = frozenset(permissions)
    cleaned = _validated(caller, name, chosen, "role.create", "")
    with session_scope() as session:
        _check_name_free(session, caller.organisation_id, cleaned, None)
        role = Role(
            organisation_id=caller.organisation_id,
            name=cleaned,
            permissions=format_permissions(chosen),
        )
        session.add(role)
        session.flush()
        view = _view(role, _organisation_name(session, role), 0)
    audit.record(
        caller.actor(),
        "role.create",
        object_type="role",
        object_id=view.id,
        detail=f"{view.name}: {format_permissions(chosen) or 'no permissions'}",
    )
    return view


def update_role(caller: Caller, role_id: int, name: str, permissions: Iterable[str]) -> RoleView:
    """Rename a custom role and set its permissions; its holders have them at their next
    event. A built-in role, or one granting more than the caller holds, is refused."""
    action = "role.update"
    require(caller, EDIT_PERMISSION, action, "role", role_id)
    scope = caller.scope()
    chosen = frozenset(permissions)
    cleaned = _validated(caller, name, chosen, action, role_id)
    view, problem, before, old_name = None, None, "", ""
    with session_scope() as session:
        role = role_in_scope(session, role_id, scope)
        problem = _unchangeable(caller, role)
        if role is not None and not problem:
            before = format_permissions(role_permissions(role))
            _check_name_free(session, stored_id(role.organisation_id), cleaned, role.id)
            old_name = role.name
            role.name = cleaned
            role.permissions = format_permissions(chosen)
            session.add(role)
            session.flush()
            holders = _count_holders(session, role, None)
            view = _view(role, _organisation_name(session, role), holders)
    if view is None:
        _refuse_or_not_found(caller, action, role_id, problem)
    renamed = f"{old_name} -> {cleaned}; " if old_name != cleaned else f"{cleaned}: "
    after = ",".join(view.permissions)
    audit.record(
        caller.actor(),
        action,
        object_type="role",
        object_id=role_id,
        detail=f"{renamed}{before or 'none'} -> {after or 'none'}",
    )
    return view


def delete_role(caller: Caller, role_id: int) -> str:
    """Delete a custom role nobody holds; returns its name."""
    action = "role.delete"
    require(caller, EDIT_PERMISSION, action, "role", role_id)
    scope = caller.scope()
    name, problem = "", None
    with session_scope() as session:
        role = role_in_scope(session, role_id, scope)
        problem = _unchangeable(caller, role)
        holders = _count_holders(session, role, None) if role is not None else 0
        if role is not None and not problem and holders:
            problem = (
                _("{role} is held by 1 account: give them another role first.", role=role.name)
                if holders == 1
                else _(
                    "{role} is held by {count} accounts: give them another role first.",
                    role=role.name,
                    count=holders,
                )
            )
        if role is not None and not problem:
            name = role.name
            session.delete(role)
    if not name:
        _refuse_or_not_found(caller, action, role_id, problem)
    audit.record(caller.actor(), action, object_type="role", object_id=role_id, detail=name)
    return name


def _refuse_or_not_found(
    caller: Caller, action: str, role_id: int, problem: Message | None
) -> NoReturn:
    if problem is not None:
        refuse(caller, action, "role", role_id, problem)
    not_found(caller, action, "role", role_id, "role")


def _unchangeable(caller: Caller, role: Role | None) -> Message | None:
    """Why the caller may not change `role` (None when it may, or when there is no role)."""
    if role is None:
        return None
    if role.built_in:
        return _("{role} is a built-in role: it cannot be changed or deleted.", role=role.name)
    beyond = role_permissions(role) - caller.permissions
    if beyond:
        return _(
            "{role} has permissions you do not have ({permissions}): only someone who holds "
            "them may change it.",
            role=role.name,
            permissions=", ".join(sorted(beyond)),
        )
    return None


def _validated(
    caller: Caller, name: str, chosen: frozenset[str], action: str, object_id: object
) -> str:
    """The cleaned name; InputError for a bad name, RefusedError for an over-grant."""
    try:
        return validate_role(name, chosen, caller.permissions)
    except RoleProblem as exc:
        if exc.field == GRANT:
            refuse(caller, action, "role", object_id, exc.message)
        raise InputError({exc.field: str(exc)}) from exc


def _check_name_free(session: Session, organisation_id: int, name: str, own_id: int | None) -> None:
    clash = session.exec(
        select(Role.id).where(
            Role.organisation_id == organisation_id,
            func.lower(Role.name) == name.lower(),
            col(Role.id) != (own_id or 0),
        )
    ).first()
    if clash is not None:
        raise InputError(
            {"name": tr("Your organisation already has a role named {name}.", name=repr(name))}
        )
