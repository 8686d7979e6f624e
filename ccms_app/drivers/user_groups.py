"""User groups (a fleet, a housing association ...): the group account and its members.

A group has no price of its own: members are billed with the tariff assigned to the group in
Finance (finance.tariff_assignments resolves it). Finance imports this package's models, so
the Users pages link to Finance by URL only and never import it.

Members are drivers; an authorised member may charge on the group account. Group cards (id tags
assigned to the group) answer Blocked while no authorised, active member is left (see
drivers.rules.authorization), so changing members marks those cards for local list sync.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from sqlalchemy import Select
from sqlalchemy import select as sa_select
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, col, func, select

from ccms_app.accounts.models import Organisation
from ccms_app.core.db import read_session, session_scope
from ccms_app.core.i18n import tr
from ccms_app.core.listing import ListColumn, ListSpec
from ccms_app.drivers.common import (
    Errors,
    NotFoundError,
    RefusedError,
    Scope,
    UserInputError,
    email,
    id_tags_changed,
    text,
    visible,
)
from ccms_app.drivers.models import Driver, IdTag, UserGroup, UserGroupMember

log = logging.getLogger(__name__)

NAME_MAX_LENGTH = 200


@dataclass(frozen=True)
class GroupInput:
    name: str
    account_name: str = ""
    billing_email: str = ""


@dataclass(frozen=True)
class GroupView:
    id: int
    organisation_id: int
    name: str
    account_name: str
    billing_email: str
    created_at: datetime


@dataclass(frozen=True)
class MemberView:
    driver_id: int
    name: str
    email: str
    driver_status: str
    authorised: bool


@dataclass(frozen=True)
class GroupCard:
    id: int
    id_tag: str
    status: str


@dataclass(frozen=True)
class GroupDetail:
    group: GroupView
    members: list[MemberView] = field(default_factory=list)
    cards: list[GroupCard] = field(default_factory=list)


def _view(group: UserGroup) -> GroupView:
    assert group.id is not None
    return GroupView(
        id=group.id,
        organisation_id=group.organisation_id,
        name=group.name,
        account_name=group.account_name,
        billing_email=group.billing_email,
        created_at=group.created_at,
    )


def _get(session: Session, scope: Scope, group_id: int) -> UserGroup:
    group = session.get(UserGroup, group_id)
    visible(scope, group.organisation_id if group else None, "group", group_id)
    assert group is not None
    return group


def _validated(
    session: Session, data: GroupInput, organisation_id: int, own_id: int | None
) -> dict[str, Any]:
    errors = Errors()
    name = text(errors, "name", data.name, NAME_MAX_LENGTH, required=True)
    account = text(errors, "account_name", data.account_name, NAME_MAX_LENGTH)
    billing = email(errors, "billing_email", data.billing_email)
    if name and "name" not in errors:
        clash = session.exec(
            select(UserGroup.id).where(
                UserGroup.organisation_id == organisation_id,
                func.lower(UserGroup.name) == name.lower(),
                UserGroup.id != (own_id or 0),
            )
        ).first()
        if clash is not None:
            errors.add("name", _name_taken(name).errors["name"])
    errors.raise_if_any()
    return {
        "name": name,
        "account_name": account,
        "billing_email": billing,
    }


# --- groups ---------------------------------------------------------------------------------


def get_group(scope: Scope, group_id: int) -> GroupView:
    with read_session() as session:
        return _view(_get(session, scope, group_id))


def _name_taken(name: str) -> UserInputError:
    return UserInputError({"name": tr("A group named {name} already exists", name=repr(name))})


def create_group(scope: Scope, data: GroupInput) -> GroupView:
    try:
        with session_scope() as session:
            fields = _validated(session, data, scope.organisation_id, None)
            group = UserGroup(organisation_id=scope.organisation_id, **fields)
            session.add(group)
            session.flush()
            view = _view(group)
    except IntegrityError as exc:  # a name SQLite's lower() does not fold, or two saves at once
        raise _name_taken(data.name.strip()) from exc
    log.info("user group created", extra={"group_id": view.id})
    return view


def update_group(scope: Scope, group_id: int, data: GroupInput) -> GroupView:
    try:
        with session_scope() as session:
            group = _get(session, scope, group_id)
            for name, value in _validated(session, data, group.organisation_id, group.id).items():
                setattr(group, name, value)
            session.add(group)
            session.flush()
            return _view(group)
    except IntegrityError as exc:  # a name SQLite's lower() does not fold, or two saves at once
        raise _name_taken(data.name.strip()) from exc


def delete_group(scope: Scope, group_id: int) -> str:
    """Delete a group without cards; its memberships go with it. Returns the group's name."""
    with session_scope() as session:
        group = _get(session, scope, group_id)
        cards = session.exec(
            select(IdTag.id_tag).where(IdTag.group_id == group_id).order_by(IdTag.id_tag)
        ).all()
        if cards:
            shown = ", ".join(cards[:3]) + (" ..." if len(cards) > 3 else "")
            raise RefusedError(
                tr(
                    "{group} has {count} group card(s) ({shown}); assign "
                    "them to someone else or delete them first",
                    group=group.name,
                    count=len(cards),
                    shown=shown,
                )
            )
        for member in session.exec(
            select(UserGroupMember).where(UserGroupMember.group_id == group_id)
        ).all():
            session.delete(member)
        session.flush()
        session.delete(group)
    log.info("user group deleted", extra={"group_id": group_id})
    return group.name


def group_detail(scope: Scope, group_id: int) -> GroupDetail:
    with read_session() as session:
        group = _get(session, scope, group_id)
        members = session.exec(
            select(Driver, UserGroupMember.authorised)
            .join(UserGroupMember, col(UserGroupMember.driver_id) == Driver.id)
            .where(UserGroupMember.group_id == group_id)
            .order_by(col(Driver.name), col(Driver.id))
        ).all()
        cards = session.exec(
            select(IdTag).where(IdTag.group_id == group_id).order_by(IdTag.id_tag)
        ).all()
        return GroupDetail(
            group=_view(group),
            members=[
                MemberView(d.id or 0, d.name, d.email, d.status, bool(authorised))
                for d, authorised in members
            ],
            cards=[GroupCard(c.id or 0, c.id_tag, c.status) for c in cards],
        )


def group_choices(scope: Scope) -> list[tuple[int, str]]:
    """(id, name) of every group in scope, for pickers."""
    with read_session() as session:
        rows = session.exec(
            select(UserGroup.id, UserGroup.name)
            .where(col(UserGroup.organisation_id).in_(list(scope.organisation_ids)))
            .order_by(UserGroup.name)
        ).all()
    return [(i, n) for i, n in rows if i is not None]


def count_groups(scope: Scope) -> int:
    with read_session() as session:
        return session.exec(
            select(func.count(col(UserGroup.id))).where(
                col(UserGroup.organisation_id).in_(list(scope.organisation_ids))
            )
        ).one()


# --- members --------------------------------------------------------------------------------


def _group_cards_changed(session: Session, group_id: int) -> None:
    id_tags_changed(session, session.exec(select(IdTag.id).where(IdTag.group_id == group_id)).all())


def _member(session: Session, group_id: int, driver_id: int) -> UserGroupMember | None:
    return session.exec(
        select(UserGroupMember).where(
            UserGroupMember.group_id == group_id, UserGroupMember.driver_id == driver_id
        )
    ).first()


def add_member(scope: Scope, group_id: int, driver_id: int, authorised: bool = True) -> None:
    """Put a driver (of the operator's scope) in the group."""
    with session_scope() as session:
        group = _get(session, scope, group_id)
        driver = session.get(Driver, driver_id) if driver_id else None
        if driver is None or not scope.covers(driver.organisation_id):
            raise UserInputError({"driver": "Choose a driver"})
        if _member(session, group_id, driver_id) is not None:
            raise UserInputError(
                {
                    "driver": tr(
                        "{driver} is already in {group}", driver=driver.name, group=group.name
                    )
                }
            )
        session.add(UserGroupMember(group_id=group_id, driver_id=driver_id, authorised=authorised))
        session.flush()
        _group_cards_changed(session, group_id)
    log.info("group member added", extra={"group_id": group_id, "driver_id": driver_id})


def remove_member(scope: Scope, group_id: int, driver_id: int) -> None:
    with session_scope() as session:
        _get(session, scope, group_id)
        member = _member(session, group_id, driver_id)
        if member is None:
            raise NotFoundError(
                tr(
                    "driver {driver_id} is not in group {group_id}",
                    driver_id=driver_id,
                    group_id=group_id,
                )
            )
        session.delete(member)
        session.flush()
        _group_cards_changed(session, group_id)
    log.info("group member removed", extra={"group_id": group_id, "driver_id": driver_id})


def set_member_authorised(scope: Scope, group_id: int, driver_id: int, authorised: bool) -> None:
    """Allow or stop a member charging on the group account."""
    with session_scope() as session:
        _get(session, scope, group_id)
        member = _member(session, group_id, driver_id)
        if member is None:
            raise NotFoundError(
                tr(
                    "driver {driver_id} is not in group {group_id}",
                    driver_id=driver_id,
                    group_id=group_id,
                )
            )
        if member.authorised != authorised:
            member.authorised = authorised
            session.add(member)
            session.flush()
            _group_cards_changed(session, group_id)


# --- the list -------------------------------------------------------------------------------


def _member_count() -> Any:
    return (
        sa_select(func.count(col(UserGroupMember.id)))
        .where(col(UserGroupMember.group_id) == UserGroup.id)
        .correlate(UserGroup)
        .scalar_subquery()
    )


def _group_base() -> Select[Any]:
    return sa_select(UserGroup).join(
        Organisation, col(Organisation.id) == UserGroup.organisation_id
    )


GROUP_LIST = ListSpec(
    name="user groups",
    base=_group_base,
    columns=(
        ListColumn("id", "ID", UserGroup.id),
        ListColumn("name", "Name", UserGroup.name, searchable=True),
        ListColumn("account_name", "Account", UserGroup.account_name, searchable=True),
        ListColumn("billing_email", "Billing email", UserGroup.billing_email, searchable=True),
        ListColumn("members", "Members", _member_count()),
        ListColumn("organisation", "Organisation", Organisation.name, filterable=True),
    ),
    organisation_column=UserGroup.organisation_id,
    id_column=UserGroup.id,
    default_sort="name",
)
