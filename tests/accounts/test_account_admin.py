"""Account administration (System > Accounts) against the real database: scope, the grant
rules, the last administrator, sessions that end, and the audit entry of every change."""

from __future__ import annotations

import inspect
from dataclasses import dataclass

import pytest
from sqlmodel import Session, col, select

from ccms_app.accounts import account_admin, auth
from ccms_app.accounts.account_admin import AccountInput
from ccms_app.accounts.models import AuditEntry, OperatorAccount, Organisation, Role
from ccms_app.accounts.principals import principal_for_session
from ccms_app.accounts.roles import Caller, InputError, NotFoundError, RefusedError
from ccms_app.accounts.rules.permissions import (
    ADMINISTRATOR,
    ALL_PERMISSIONS,
    OPERATOR,
    VIEWER,
    Action,
    Module,
    format_permissions,
    permission,
)
from ccms_app.accounts.state import gate
from ccms_app.accounts.state.own_account import OwnAccountState
from ccms_app.core.db import session_scope
from ccms_app.core.listing import ListQuery
from ccms_app.system.state.accounts import AccountActionsState, AccountFormState

PASSWORD = "correct horse battery"
NEW_PASSWORD = "violet tram under snow"


@dataclass
class Person:
    account_id: int
    email: str
    session_hash: str

    def caller(self) -> Caller:
        principal = principal_for_session(self.session_hash)
        assert principal is not None, f"{self.email} is not signed in"
        return Caller.of(principal, "192.0.2.7")


def add_org(name: str, parent_id: int | None) -> int:
    with session_scope() as s:
        org = Organisation(name=name, parent_id=parent_id)
        s.add(org)
        s.flush()
        assert org.id is not None
        return org.id


def add_role(name: str, organisation_id: int, permissions: set[str]) -> int:
    with session_scope() as s:
        role = Role(
            name=name, organisation_id=organisation_id, permissions=format_permissions(permissions)
        )
        s.add(role)
        s.flush()
        assert role.id is not None
        return role.id


def role_id(name: str) -> int:
    with session_scope() as s:
        return auth.built_in_role_id(s, name)


def sign_up(email: str, organisation_id: int, role: int) -> Person:
    """An active account with a live session, as if it had logged in."""
    with session_scope() as s:
        account = OperatorAccount(
            organisation_id=organisation_id,
            email=email,
            full_name=email.split("@")[0].title(),
            password_hash=auth.hash_password(PASSWORD),
            role_id=role,
        )
        s.add(account)
        s.flush()
        account_id = account.id
    stored = auth.check_credentials(email, PASSWORD)
    token = auth.open_session(stored)
    assert account_id is not None
    return Person(account_id, email, auth.token_hash(token))


@dataclass
class Network:
    root: int
    sub: int
    sibling: int
    admin: Person
    sub_admin: Person


@pytest.fixture
def network(organisation: Organisation) -> Network:
    """The root operator with an administrator; two sub-operators, one with its own."""
    assert organisation.id is not None
    sub = add_org("Sub One", organisation.id)
    sibling = add_org("Sub Two", organisation.id)
    admin = sign_up("admin@root.example", organisation.id, role_id(ADMINISTRATOR))
    sub_admin = sign_up("admin@sub.example", sub, role_id(ADMINISTRATOR))
    return Network(organisation.id, sub, sibling, admin, sub_admin)


def audit_entries(session: Session, action: str) -> list[AuditEntry]:
    session.rollback()
    return list(
        session.exec(
            select(AuditEntry).where(AuditEntry.action == action).order_by(col(AuditEntry.id))
        ).all()
    )


def new_account(org: int, role: int, email: str = "new@example.com") -> AccountInput:
    return AccountInput("New Person", email, org, role, PASSWORD)


# --- listing ---------------------------------------------------------------------------------


def test_list_shows_the_scope_with_role_organisation_and_last_login(network: Network) -> None:
    sign_up("viewer@sibling.example", network.sibling, role_id(VIEWER))
    root_view = account_admin.account_page(ListQuery(), network.admin.caller().scope())
    assert {r["email"] for r in root_view.rows} == {
        "admin@root.example",
        "admin@sub.example",
        "viewer@sibling.example",
    }
    row = next(r for r in root_view.rows if r["email"] == "viewer@sibling.example")
    assert (row["organisation"], row["role"], row["active"]) == ("Sub Two", VIEWER, True)
    assert row["last_login"] is not None

    sub_view = account_admin.account_page(ListQuery(), network.sub_admin.caller().scope())
    assert [r["email"] for r in sub_view.rows] == ["admin@sub.example"]


def test_list_searches_and_filters_by_role_organisation_and_active(network: Network) -> None:
    viewer = sign_up("viewer@sub.example", network.sub, role_id(VIEWER))
    account_admin.deactivate_account(network.admin.caller(), viewer.account_id)
    scope = network.admin.caller().scope()

    def emails(**filters: object) -> list[str]:
        page = account_admin.account_page(ListQuery(filters=filters), scope)
        return sorted(r["email"] for r in page.rows)

    assert emails(role_id=role_id(VIEWER)) == ["viewer@sub.example"]
    assert emails(organisation_id=network.sub) == ["admin@sub.example", "viewer@sub.example"]
    assert emails(active=False) == ["viewer@sub.example"]
    searched = account_admin.account_page(ListQuery(search="ROOT.exa"), scope)
    assert [r["email"] for r in searched.rows] == ["admin@root.example"]


def test_organisation_choices_are_the_scope(network: Network) -> None:
    assert account_admin.organisation_choices(network.sub_admin.caller().scope()) == [
        (network.sub, "Sub One")
    ]
    root_choices = account_admin.organisation_choices(network.admin.caller().scope())
    assert [name for _, name in root_choices] == ["Sub One", "Sub Two", "Test Operator"]


# --- creating --------------------------------------------------------------------------------


def test_create_makes_an_account_that_must_change_its_password(
    network: Network, session: Session
) -> None:
    created = account_admin.create_account(
        network.admin.caller(),
        AccountInput(
            "  Ada   Lovelace ", " Ada@Example.com ", network.sub, role_id(VIEWER), PASSWORD
        ),
    )
    assert (created.full_name, created.email) == ("Ada Lovelace", "ada@example.com")
    assert (created.organisation_name, created.role_name) == ("Sub One", VIEWER)
    assert created.is_active and created.must_change_password and created.last_login_at is None
    account = auth.check_credentials("ada@example.com", PASSWORD)
    principal = principal_for_session(auth.token_hash(auth.open_session(account)))
    assert principal is not None and principal.must_change_password
    assert principal.role_name == VIEWER and not principal.can(Module.SYSTEM, Action.EDIT)
    [entry] = audit_entries(session, "account.create")
    assert (entry.object_type, entry.object_id, entry.outcome) == ("account", str(created.id), "ok")
    assert entry.actor == "admin@root.example" and entry.remote_address == "192.0.2.7"
    assert "ada@example.com" in entry.detail and VIEWER in entry.detail
    assert PASSWORD not in entry.detail


def test_create_refuses_bad_input_field_by_field(network: Network) -> None:
    caller = network.admin.caller()
    with pytest.raises(InputError) as info:
        account_admin.create_account(
            caller, AccountInput(" ", "not-an-email", network.root, role_id(VIEWER), "short")
        )
    assert set(info.value.errors) == {"full_name", "email", "password"}
    assert "at least 12" in info.value.errors["password"]
    with pytest.raises(InputError, match="too common"):
        account_admin.create_account(
            caller,
            AccountInput("Bo", "bo@example.com", network.root, role_id(VIEWER), "password1234"),
        )
    with pytest.raises(InputError) as taken:
        account_admin.create_account(
            caller, new_account(network.root, role_id(VIEWER), "ADMIN@sub.example")
        )
    assert "exists" in taken.value.errors["email"]


def test_create_needs_system_edit(network: Network, session: Session) -> None:
    operator = sign_up("ops@root.example", network.root, role_id(OPERATOR))
    with pytest.raises(RefusedError, match="does not allow"):
        account_admin.create_account(operator.caller(), new_account(network.root, role_id(VIEWER)))
    [entry] = audit_entries(session, "account.create")
    assert entry.outcome == "refused" and entry.actor == "ops@root.example"
    assert _emails(session) == {"admin@root.example", "admin@sub.example", "ops@root.example"}


def test_create_outside_the_scope_is_not_found(network: Network, session: Session) -> None:
    sub = network.sub_admin.caller()
    for org in (network.root, network.sibling, 9999):
        with pytest.raises(NotFoundError, match="No such organisation"):
            account_admin.create_account(sub, new_account(org, role_id(VIEWER)))
    parent_role = add_role("Night shift", network.root, {permission(Module.HOME, Action.VIEW)})
    with pytest.raises(NotFoundError, match="No such role"):
        account_admin.create_account(sub, new_account(network.sub, parent_role))
    assert {e.outcome for e in audit_entries(session, "account.create")} == {"refused"}
    assert "new@example.com" not in _emails(session)


def test_nobody_grants_more_than_they_hold(network: Network) -> None:
    # An account manager: may edit accounts, but is no administrator.
    managers = add_role(
        "Account managers",
        network.root,
        {permission(Module.SYSTEM, Action.VIEW), permission(Module.SYSTEM, Action.EDIT)},
    )
    manager = sign_up("manager@root.example", network.root, managers)
    with pytest.raises(RefusedError, match="permissions you do not have"):
        account_admin.create_account(
            manager.caller(), new_account(network.root, role_id(ADMINISTRATOR))
        )
    created = account_admin.create_account(manager.caller(), new_account(network.root, managers))
    assert created.role_name == "Account managers"


def test_a_custom_role_stays_in_its_organisation_tree(network: Network) -> None:
    sub_role = add_role("Sub staff", network.sub, {permission(Module.HOME, Action.VIEW)})
    root_role = add_role("Root staff", network.root, {permission(Module.HOME, Action.VIEW)})
    admin = network.admin.caller()
    with pytest.raises(RefusedError, match="belongs to another organisation"):
        account_admin.create_account(admin, new_account(network.root, sub_role))
    with pytest.raises(RefusedError, match="belongs to another organisation"):
        account_admin.create_account(admin, new_account(network.sibling, sub_role))
    # The operator's own role may be given in its sub-operators.
    assert account_admin.create_account(admin, new_account(network.sub, root_role)).role_name
    mine = account_admin.create_account(
        network.sub_admin.caller(), new_account(network.sub, sub_role, "staff@sub.example")
    )
    assert mine.role_name == "Sub staff"


# --- deactivating ----------------------------------------------------------------------------


def test_deactivation_ends_every_session_and_login(network: Network, session: Session) -> None:
    viewer = sign_up("viewer@sub.example", network.sub, role_id(VIEWER))
    second = auth.token_hash(auth.open_session(auth.check_credentials(viewer.email, PASSWORD)))
    view = account_admin.deactivate_account(network.sub_admin.caller(), viewer.account_id)
    assert not view.is_active
    assert principal_for_session(viewer.session_hash) is None
    assert principal_for_session(second) is None
    with pytest.raises(auth.AuthenticationError):
        auth.check_credentials(viewer.email, PASSWORD)
    [entry] = audit_entries(session, "account.deactivate")
    assert (entry.object_type, entry.object_id) == ("account", str(viewer.account_id))
    assert entry.actor == "admin@sub.example" and "viewer@sub.example" in entry.detail

    back = account_admin.reactivate_account(network.sub_admin.caller(), viewer.account_id)
    assert back.is_active
    assert auth.check_credentials(viewer.email, PASSWORD).id == viewer.account_id
    [again] = audit_entries(session, "account.reactivate")
    assert again.outcome == "ok" and again.object_id == str(viewer.account_id)


def test_nobody_deactivates_themselves(network: Network, session: Session) -> None:
    with pytest.raises(RefusedError, match="your own account"):
        account_admin.deactivate_account(network.admin.caller(), network.admin.account_id)
    assert principal_for_session(network.admin.session_hash) is not None
    [entry] = audit_entries(session, "account.deactivate")
    assert entry.outcome == "refused"


def test_the_root_operator_keeps_one_active_administrator(network: Network) -> None:
    everything = add_role("Everything", network.root, set(ALL_PERMISSIONS))
    deputy = sign_up("deputy@root.example", network.root, everything)
    with pytest.raises(RefusedError, match="last active Administrator"):
        account_admin.deactivate_account(deputy.caller(), network.admin.account_id)
    with pytest.raises(RefusedError, match="last active Administrator"):
        account_admin.change_role(deputy.caller(), network.admin.account_id, role_id(VIEWER))
    # With a second administrator, the first may go.
    account_admin.change_role(network.admin.caller(), deputy.account_id, role_id(ADMINISTRATOR))
    account_admin.deactivate_account(deputy.caller(), network.admin.account_id)
    assert principal_for_session(network.admin.session_hash) is None
    # A sub-operator's administrators are not the root operator's: the last one may go.
    account_admin.deactivate_account(deputy.caller(), network.sub_admin.account_id)


def test_changes_to_accounts_outside_the_scope_are_not_found(network: Network) -> None:
    sibling = sign_up("viewer@sibling.example", network.sibling, role_id(VIEWER))
    sub = network.sub_admin.caller()
    for target in (network.admin.account_id, sibling.account_id, 9999):
        with pytest.raises(NotFoundError, match="No such account"):
            account_admin.deactivate_account(sub, target)
        with pytest.raises(NotFoundError, match="No such account"):
            account_admin.reactivate_account(sub, target)
        with pytest.raises(NotFoundError, match="No such account"):
            account_admin.reset_password(sub, target, NEW_PASSWORD)
        with pytest.raises(NotFoundError, match="No such account"):
            account_admin.change_role(sub, target, role_id(VIEWER))
        with pytest.raises(NotFoundError):
            account_admin.get_account(sub, target)
    assert principal_for_session(sibling.session_hash) is not None


def test_a_role_without_system_edit_changes_no_account(network: Network, session: Session) -> None:
    viewer = sign_up("viewer@root.example", network.root, role_id(VIEWER))
    operator = sign_up("ops@root.example", network.root, role_id(OPERATOR)).caller()
    with pytest.raises(RefusedError):
        account_admin.deactivate_account(operator, viewer.account_id)
    with pytest.raises(RefusedError):
        account_admin.reset_password(operator, viewer.account_id, NEW_PASSWORD)
    with pytest.raises(RefusedError):
        account_admin.change_role(operator, viewer.account_id, role_id(OPERATOR))
    assert principal_for_session(viewer.session_hash) is not None
    refused = [
        e.outcome
        for action in ("deactivate", "reset_password", "change_role")
        for e in audit_entries(session, f"account.{action}")
    ]
    assert refused == ["refused"] * 3


def test_nobody_manages_an_account_stronger_than_themselves(network: Network) -> None:
    managers = add_role(
        "Account managers",
        network.root,
        {permission(Module.SYSTEM, Action.VIEW), permission(Module.SYSTEM, Action.EDIT)},
    )
    manager = sign_up("manager@root.example", network.root, managers).caller()
    for attempt in (
        lambda: account_admin.reset_password(manager, network.admin.account_id, NEW_PASSWORD),
        lambda: account_admin.deactivate_account(manager, network.sub_admin.account_id),
        lambda: account_admin.change_role(manager, network.sub_admin.account_id, managers),
    ):
        with pytest.raises(RefusedError, match="permissions you do not have"):
            attempt()
    assert auth.check_credentials("admin@root.example", PASSWORD)


# --- passwords and roles ---------------------------------------------------------------------


def test_reset_password_sets_the_new_one_and_ends_sessions(
    network: Network, session: Session
) -> None:
    viewer = sign_up("viewer@sub.example", network.sub, role_id(VIEWER))
    with pytest.raises(InputError) as weak:
        account_admin.reset_password(network.sub_admin.caller(), viewer.account_id, "short")
    assert "password" in weak.value.errors
    assert principal_for_session(viewer.session_hash) is not None

    view = account_admin.reset_password(network.sub_admin.caller(), viewer.account_id, NEW_PASSWORD)
    assert view.must_change_password
    assert principal_for_session(viewer.session_hash) is None
    with pytest.raises(auth.AuthenticationError):
        auth.check_credentials(viewer.email, PASSWORD)
    account = auth.check_credentials(viewer.email, NEW_PASSWORD)
    assert account.must_change_password
    [entry] = audit_entries(session, "account.reset_password")
    assert entry.outcome == "ok" and entry.object_id == str(viewer.account_id)
    assert NEW_PASSWORD not in entry.detail
    with pytest.raises(RefusedError, match="your own account"):
        account_admin.reset_password(network.admin.caller(), network.admin.account_id, NEW_PASSWORD)


def test_change_role_counts_from_the_next_event(network: Network, session: Session) -> None:
    viewer = sign_up("viewer@sub.example", network.sub, role_id(VIEWER))
    before = principal_for_session(viewer.session_hash)
    assert before is not None and not before.can(Module.ASSETS, Action.EDIT)
    view = account_admin.change_role(
        network.sub_admin.caller(), viewer.account_id, role_id(OPERATOR)
    )
    assert view.role_name == OPERATOR
    after = principal_for_session(viewer.session_hash)
    assert after is not None and after.role_name == OPERATOR
    assert after.can(Module.ASSETS, Action.EDIT)
    [entry] = audit_entries(session, "account.change_role")
    assert entry.detail == f"viewer@sub.example: role {VIEWER} -> {OPERATOR}"
    with pytest.raises(RefusedError, match="your own account"):
        account_admin.change_role(
            network.sub_admin.caller(), network.sub_admin.account_id, role_id(VIEWER)
        )
    with pytest.raises(NotFoundError, match="No such role"):
        account_admin.change_role(network.sub_admin.caller(), viewer.account_id, 9999)


def _emails(session: Session) -> set[str]:
    session.rollback()
    return set(session.exec(select(OperatorAccount.email)).all())


def test_no_password_form_reaches_the_gate_s_audit_entry() -> None:
    """The gate audits an edit event with its payload; a form travels as [name, value] pairs
    under the handler's argument, whose name must make the gate blank it whole."""
    for handler in (
        AccountFormState.create,
        AccountActionsState.reset_password,
        OwnAccountState.change_password,
    ):
        [argument] = list(inspect.signature(handler.fn).parameters)[1:]
        wire = {argument: {"__reflex_form_data__": [["password", NEW_PASSWORD]]}}
        assert NEW_PASSWORD not in gate._payload_summary(wire), handler.fn.__name__
