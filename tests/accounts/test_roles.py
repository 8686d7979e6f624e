"""Roles (System > Roles) against the real database: what each operator sees, the permission
matrix it may save, and a role change that reaches its holders at their next event."""

from __future__ import annotations

from dataclasses import dataclass

import pytest
from sqlmodel import Session, col, select

from ccms_app.accounts import auth, roles
from ccms_app.accounts.models import AuditEntry, OperatorAccount, Organisation, Role
from ccms_app.accounts.principals import principal_for_session
from ccms_app.accounts.roles import Caller, InputError, NotFoundError, RefusedError
from ccms_app.accounts.rules.permissions import (
    ADMINISTRATOR,
    BUILT_IN_ROLES,
    OPERATOR,
    VIEWER,
    Action,
    Module,
    permission,
)
from ccms_app.core import listing
from ccms_app.core.db import session_scope
from ccms_app.core.listing import ListQuery

PASSWORD = "correct horse battery"
HOME_VIEW = permission(Module.HOME, Action.VIEW)
ASSETS_VIEW = permission(Module.ASSETS, Action.VIEW)
ASSETS_EDIT = permission(Module.ASSETS, Action.EDIT)


@dataclass
class Person:
    account_id: int
    session_hash: str

    def caller(self) -> Caller:
        principal = principal_for_session(self.session_hash)
        assert principal is not None
        return Caller.of(principal, "198.51.100.4")


def sign_up(email: str, organisation_id: int, role_id: int) -> Person:
    with session_scope() as s:
        account = OperatorAccount(
            organisation_id=organisation_id,
            email=email,
            password_hash=auth.hash_password(PASSWORD),
            role_id=role_id,
        )
        s.add(account)
        s.flush()
        assert account.id is not None
        account_id = account.id
    token = auth.open_session(auth.check_credentials(email, PASSWORD))
    return Person(account_id, auth.token_hash(token))


def built_in(name: str) -> int:
    with session_scope() as s:
        return auth.built_in_role_id(s, name)


@dataclass
class Network:
    root: int
    sub: int
    admin: Person
    sub_admin: Person


@pytest.fixture
def network(organisation: Organisation) -> Network:
    assert organisation.id is not None
    with session_scope() as s:
        sub = Organisation(name="Sub One", parent_id=organisation.id)
        s.add(sub)
        s.flush()
        assert sub.id is not None
        sub_id = sub.id
    return Network(
        organisation.id,
        sub_id,
        sign_up("admin@root.example", organisation.id, built_in(ADMINISTRATOR)),
        sign_up("admin@sub.example", sub_id, built_in(ADMINISTRATOR)),
    )


def audit_entries(session: Session, action: str) -> list[AuditEntry]:
    session.rollback()
    statement = select(AuditEntry).where(AuditEntry.action == action)
    return list(session.exec(statement.order_by(col(AuditEntry.id))).all())


def test_each_operator_sees_built_in_roles_and_its_scope_s_custom_ones(network: Network) -> None:
    root_role = roles.create_role(network.admin.caller(), "Night shift", {HOME_VIEW})
    sub_role = roles.create_role(network.sub_admin.caller(), "Sub staff", {HOME_VIEW})
    sign_up("viewer@sub.example", network.sub, built_in(VIEWER))

    sub_scope = network.sub_admin.caller().scope()
    sub_names = [r.name for r in roles.visible_roles(sub_scope)]
    assert sub_names == [*BUILT_IN_ROLES, "Sub staff"]
    root_scope = network.admin.caller().scope()
    root_names = [r.name for r in roles.visible_roles(root_scope)]
    assert root_names == [*BUILT_IN_ROLES, "Night shift", "Sub staff"]

    page = listing.fetch_page(roles.CUSTOM_ROLE_LIST, ListQuery(), sub_scope)
    assert [(r["name"], r["owner"], r["accounts"]) for r in page.rows] == [
        ("Sub staff", "Sub One", 0)
    ]
    assert page.rows[0]["permissions"] == HOME_VIEW
    root_page = listing.fetch_page(roles.CUSTOM_ROLE_LIST, ListQuery(), root_scope)
    assert [r["name"] for r in root_page.rows] == ["Night shift", "Sub staff"]
    # Built-in roles count the accounts of the scope only: the root's administrator is not
    # the sub-operator's.
    sub_built_in = {r.name: r for r in roles.built_in_roles(sub_scope)}
    assert list(sub_built_in) == list(BUILT_IN_ROLES)
    assert sub_built_in[ADMINISTRATOR].accounts == 1 and sub_built_in[VIEWER].accounts == 1
    assert sub_built_in[VIEWER].permissions == tuple(sorted(BUILT_IN_ROLES[VIEWER]))
    assert {r.name: r.accounts for r in roles.built_in_roles(root_scope)}[ADMINISTRATOR] == 2

    with pytest.raises(NotFoundError):
        roles.get_role(network.sub_admin.caller(), root_role.id)
    assert roles.get_role(network.admin.caller(), sub_role.id).organisation_name == "Sub One"


def test_create_role_checks_name_and_permissions(network: Network, session: Session) -> None:
    admin = network.admin.caller()
    created = roles.create_role(admin, "  Night   shift ", {HOME_VIEW, ASSETS_VIEW})
    assert created.name == "Night shift" and created.permissions == (ASSETS_VIEW, HOME_VIEW)
    assert created.organisation_id == network.root and not created.built_in
    [entry] = audit_entries(session, "role.create")
    assert (entry.object_type, entry.object_id) == ("role", str(created.id))
    assert "Night shift" in entry.detail and HOME_VIEW in entry.detail

    for name, field, message in [
        ("", "name", "Give the role a name"),
        ("viewer", "name", "built-in role"),
        ("night SHIFT", "name", "already has a role"),
    ]:
        with pytest.raises(InputError) as info:
            roles.create_role(admin, name, {HOME_VIEW})
        assert message in info.value.errors[field]
    with pytest.raises(InputError) as unknown:
        roles.create_role(admin, "Odd", {"home:fly"})
    assert "Unknown permissions" in unknown.value.errors["permissions"]
    # Another organisation may use the same name.
    assert roles.create_role(network.sub_admin.caller(), "Night shift", {HOME_VIEW}).id


def test_nobody_saves_a_role_beyond_their_own_permissions(
    network: Network, session: Session
) -> None:
    managers = roles.create_role(
        network.admin.caller(),
        "Role managers",
        {permission(Module.SYSTEM, Action.VIEW), permission(Module.SYSTEM, Action.EDIT)},
    )
    manager = sign_up("manager@root.example", network.root, managers.id).caller()
    with pytest.raises(RefusedError, match="cannot grant"):
        roles.create_role(manager, "Sneaky", {ASSETS_EDIT})
    [refused] = [e for e in audit_entries(session, "role.create") if e.outcome == "refused"]
    assert ASSETS_EDIT in refused.detail
    strong = roles.create_role(network.admin.caller(), "Asset editors", {ASSETS_EDIT})
    with pytest.raises(RefusedError, match="permissions you do not have"):
        roles.update_role(manager, strong.id, "Asset editors", set())
    with pytest.raises(RefusedError, match="permissions you do not have"):
        roles.delete_role(manager, strong.id)
    with pytest.raises(RefusedError, match="does not allow"):
        roles.create_role(
            sign_up("ops@root.example", network.root, built_in(OPERATOR)).caller(), "X", set()
        )


def test_a_role_edit_reaches_its_holders_at_once(network: Network, session: Session) -> None:
    crew = roles.create_role(network.sub_admin.caller(), "Crew", {HOME_VIEW})
    member = sign_up("crew@sub.example", network.sub, crew.id)
    before = principal_for_session(member.session_hash)
    assert before is not None and before.permissions == {HOME_VIEW}

    page = listing.fetch_page(roles.CUSTOM_ROLE_LIST, ListQuery(), {network.sub})
    assert [r["accounts"] for r in page.rows] == [1]
    saved = roles.update_role(
        network.sub_admin.caller(), crew.id, "Field crew", {HOME_VIEW, ASSETS_VIEW, ASSETS_EDIT}
    )
    assert saved.name == "Field crew" and saved.accounts == 1
    after = principal_for_session(member.session_hash)
    assert after is not None and after.role_name == "Field crew"
    assert after.permissions == {HOME_VIEW, ASSETS_VIEW, ASSETS_EDIT}
    [entry] = audit_entries(session, "role.update")
    assert entry.object_id == str(crew.id) and entry.outcome == "ok"
    assert entry.detail.startswith("Crew -> Field crew; ") and ASSETS_EDIT in entry.detail

    roles.update_role(network.sub_admin.caller(), crew.id, "Field crew", set())
    emptied = principal_for_session(member.session_hash)
    assert emptied is not None and emptied.permissions == frozenset()


def test_built_in_and_foreign_roles_cannot_be_changed(network: Network, session: Session) -> None:
    root_role = roles.create_role(network.admin.caller(), "Night shift", {HOME_VIEW})
    sub = network.sub_admin.caller()
    with pytest.raises(RefusedError, match="built-in"):
        roles.update_role(sub, built_in(VIEWER), "Viewers", {HOME_VIEW})
    with pytest.raises(RefusedError, match="built-in"):
        roles.delete_role(sub, built_in(VIEWER))
    with pytest.raises(NotFoundError):
        roles.update_role(sub, root_role.id, "Mine now", {HOME_VIEW})
    with pytest.raises(NotFoundError):
        roles.delete_role(sub, root_role.id)
    with pytest.raises(NotFoundError):
        roles.delete_role(sub, 9999)
    session.rollback()
    assert session.get(Role, root_role.id) is not None
    outcomes = [e.outcome for e in audit_entries(session, "role.update")]
    assert outcomes == ["refused", "refused"]


def test_a_role_in_use_is_not_deleted(network: Network, session: Session) -> None:
    admin = network.admin.caller()
    crew = roles.create_role(admin, "Crew", {HOME_VIEW})
    first = sign_up("one@root.example", network.root, crew.id)
    sign_up("two@sub.example", network.sub, crew.id)
    with pytest.raises(RefusedError, match="held by 2 accounts"):
        roles.delete_role(admin, crew.id)
    viewer = built_in(VIEWER)
    with session_scope() as s:
        for account in s.exec(select(OperatorAccount).where(OperatorAccount.role_id == crew.id)):
            account.role_id = viewer
            s.add(account)
    assert roles.delete_role(admin, crew.id) == "Crew"
    session.rollback()
    assert session.get(Role, crew.id) is None
    assert principal_for_session(first.session_hash) is not None
    entries = audit_entries(session, "role.delete")
    assert [(e.outcome, e.object_id) for e in entries] == [
        ("refused", str(crew.id)),
        ("ok", str(crew.id)),
    ]
    assert "held by 2 accounts" in entries[0].detail
