"""The principal behind a session: read from the database every time, so an ended session,
a deactivated account, a changed role or an ended licence count at once."""

from __future__ import annotations

from datetime import timedelta

from sqlmodel import Session, select

from ccms_app.accounts import auth
from ccms_app.accounts.models import LoginSession, OperatorAccount, Organisation, Role
from ccms_app.accounts.principals import principal_for_session
from ccms_app.accounts.rules.permissions import VIEWER, Action, Module
from ccms_app.core.types import utc_now

PASSWORD = "correct horse battery"


def _login(email: str = "ops@example.com") -> str:
    account, _ = auth.ensure_admin(email, PASSWORD)
    return auth.token_hash(auth.open_session(account, "192.0.2.7"))


def test_a_live_session_is_its_account_with_the_role_permissions(engine) -> None:
    principal = principal_for_session(_login())
    assert principal is not None
    assert principal.email == "ops@example.com" and principal.role_name == "Administrator"
    assert principal.can(Module.SYSTEM, Action.EDIT) and not principal.read_only_reason


def test_ended_expired_and_deactivated_sessions_are_nobody(engine, session: Session) -> None:
    ended, expired = _login("a@example.com"), _login("b@example.com")
    deactivated = _login("c@example.com")
    auth.end_session_by_hash(ended)
    row = session.exec(select(LoginSession).where(LoginSession.token_hash == expired)).one()
    row.expires_at = utc_now() - timedelta(seconds=1)
    session.add(row)
    account = session.exec(
        select(OperatorAccount).where(OperatorAccount.email == "c@example.com")
    ).one()
    account.is_active = False
    session.add(account)
    session.commit()
    assert principal_for_session(ended) is None
    assert principal_for_session(expired) is None
    assert principal_for_session(deactivated) is None
    assert principal_for_session("") is None
    assert principal_for_session("f" * 64) is None


def test_a_role_change_counts_at_the_next_lookup(engine, session: Session) -> None:
    session_hash = _login()
    account = session.exec(select(OperatorAccount)).one()
    viewer = session.exec(select(Role).where(Role.name == VIEWER)).one()
    account.role_id = viewer.id or 0
    session.add(account)
    session.commit()
    principal = principal_for_session(session_hash)
    assert principal is not None and principal.role_name == VIEWER
    assert not principal.can(Module.ASSETS, Action.EDIT)
    assert principal.can(Module.ASSETS, Action.VIEW)


def test_a_custom_role_grants_its_stored_permissions_only(engine, session: Session) -> None:
    session_hash = _login()
    role = Role(name="Cards desk", permissions="users:edit,users:view,bogus:do")
    session.add(role)
    session.flush()
    account = session.exec(select(OperatorAccount)).one()
    account.role_id = role.id or 0
    session.add(account)
    session.commit()
    principal = principal_for_session(session_hash)
    assert principal is not None
    assert principal.permissions == {"users:edit", "users:view"}


def test_an_ended_licence_makes_the_login_read_only(engine, session: Session) -> None:
    session_hash = _login()
    org = session.exec(select(Organisation)).one()
    org.licence_valid_to = (utc_now() - timedelta(days=1)).date()
    session.add(org)
    session.commit()
    principal = principal_for_session(session_hash)
    assert principal is not None and "licence ended" in principal.read_only_reason
    assert principal.can(Module.ASSETS, Action.VIEW)
    assert principal.can(Module.ASSETS, Action.EXPORT)
    assert not principal.can(Module.ASSETS, Action.EDIT)
    assert not principal.can(Module.LIVE_MONITORING, Action.CONTROL)
