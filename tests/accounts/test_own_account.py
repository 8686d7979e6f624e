"""Changing one's own password against the real database: the current password is needed,
the new one is validated, other sessions end, this one stays, must_change_password clears."""

from __future__ import annotations

import pytest
from sqlmodel import Session, col, select

from ccms_app.accounts import auth, own_account
from ccms_app.accounts.models import AuditEntry, OperatorAccount, Organisation
from ccms_app.accounts.own_account import InputError, WrongPasswordError
from ccms_app.accounts.principals import principal_for_session
from ccms_app.accounts.rules.permissions import VIEWER
from ccms_app.core.db import session_scope

PASSWORD = "correct horse battery"
NEW_PASSWORD = "violet tram under snow"


@pytest.fixture
def account_id(organisation: Organisation) -> int:
    """A Viewer whose administrator set the password: it must be changed."""
    assert organisation.id is not None
    with session_scope() as s:
        account = OperatorAccount(
            organisation_id=organisation.id,
            email="ada@example.com",
            full_name="Ada Lovelace",
            password_hash=auth.hash_password(PASSWORD),
            role_id=auth.built_in_role_id(s, VIEWER),
            must_change_password=True,
        )
        s.add(account)
        s.flush()
        assert account.id is not None
        return account.id


def login() -> str:
    return auth.token_hash(auth.open_session(auth.check_credentials("ada@example.com", PASSWORD)))


def test_own_account_shows_who_and_what(account_id: int) -> None:
    login()
    mine = own_account.own_account(account_id)
    assert mine is not None
    assert (mine.full_name, mine.email, mine.role_name) == (
        "Ada Lovelace",
        "ada@example.com",
        VIEWER,
    )
    assert mine.organisation_name == "Test Operator" and mine.must_change_password
    assert mine.last_login_at is not None
    assert own_account.own_account(9999) is None


def test_change_password_keeps_this_session_and_ends_the_others(
    account_id: int, session: Session
) -> None:
    here, elsewhere = login(), login()
    own_account.change_own_password(
        account_id, here, PASSWORD, NEW_PASSWORD, NEW_PASSWORD, "203.0.113.9"
    )
    still = principal_for_session(here)
    assert still is not None and not still.must_change_password
    assert principal_for_session(elsewhere) is None
    with pytest.raises(auth.AuthenticationError):
        auth.check_credentials("ada@example.com", PASSWORD)
    assert auth.check_credentials("ada@example.com", NEW_PASSWORD).id == account_id
    session.rollback()
    [entry] = session.exec(
        select(AuditEntry).where(AuditEntry.action == "account.change_own_password")
    ).all()
    assert (entry.object_type, entry.object_id, entry.outcome) == (
        "account",
        str(account_id),
        "ok",
    )
    assert entry.remote_address == "203.0.113.9" and NEW_PASSWORD not in entry.detail


def test_wrong_current_password_changes_nothing(account_id: int, session: Session) -> None:
    here, elsewhere = login(), login()
    with pytest.raises(WrongPasswordError, match="current password is not correct"):
        own_account.change_own_password(
            account_id, here, "not my password", NEW_PASSWORD, NEW_PASSWORD
        )
    assert principal_for_session(elsewhere) is not None
    assert auth.check_credentials("ada@example.com", PASSWORD).must_change_password
    session.rollback()
    outcomes = session.exec(
        select(AuditEntry.outcome)
        .where(AuditEntry.action == "account.change_own_password")
        .order_by(col(AuditEntry.id))
    ).all()
    assert outcomes == ["refused"]


@pytest.mark.parametrize(
    ("new", "again", "field", "message"),
    [
        ("short", "short", "new_password", "at least 12"),
        ("password1234", "password1234", "new_password", "too common"),
        ("ada lovelace1", "ada lovelace1", "new_password", "too common"),
        (PASSWORD, PASSWORD, "new_password", "other than your current"),
        (NEW_PASSWORD, NEW_PASSWORD + "!", "new_password_again", "differ"),
    ],
)
def test_the_new_password_is_validated(
    account_id: int, new: str, again: str, field: str, message: str
) -> None:
    here = login()
    with pytest.raises(InputError) as info:
        own_account.change_own_password(account_id, here, PASSWORD, new, again)
    assert message in info.value.errors[field]
    assert auth.check_credentials("ada@example.com", PASSWORD).must_change_password


def test_a_deactivated_account_cannot_change_its_password(account_id: int) -> None:
    here = login()
    with session_scope() as s:
        account = s.get(OperatorAccount, account_id)
        assert account is not None
        account.is_active = False
        s.add(account)
    with pytest.raises(WrongPasswordError):
        own_account.change_own_password(account_id, here, PASSWORD, NEW_PASSWORD, NEW_PASSWORD)
