"""Operator login: password hashing, admin provisioning, sessions, against a real database."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlmodel import Session, select

from ccms_app.accounts import auth
from ccms_app.accounts.models import LoginSession, OperatorAccount, Organisation, Role
from ccms_app.accounts.principals import principal_for_session
from ccms_app.core.types import utc_now
from tests.fixtures.settings import SettingsEnv

PASSWORD = "correct horse battery"


def test_hash_is_argon2_and_verifies_only_the_right_password() -> None:
    hashed = auth.hash_password(PASSWORD)
    assert hashed.startswith("$argon2id$")
    assert PASSWORD not in hashed
    assert auth.verify_password(hashed, PASSWORD)
    assert not auth.verify_password(hashed, PASSWORD + "!")
    assert not auth.verify_password("not-a-hash", PASSWORD)


def test_passwords_are_hashed_at_the_configured_cost(settings_env: SettingsEnv) -> None:
    """The default is RFC 9106's 64 MiB and 3 passes; an operator may raise it, and a hash
    made at the old cost still verifies (it is redone at the next login)."""
    settings_env.delenv("CCMS_PASSWORD_HASH_PASSES")
    settings_env.delenv("CCMS_PASSWORD_HASH_MEMORY_KIB")
    default = auth.hash_password(PASSWORD)
    settings_env.setenv("CCMS_PASSWORD_HASH_PASSES", "4")
    settings_env.setenv("CCMS_PASSWORD_HASH_MEMORY_KIB", "16384")
    raised = auth.hash_password(PASSWORD)

    assert "$m=65536,t=3,p=1$" in default and "$m=16384,t=4,p=1$" in raised
    assert auth.verify_password(default, PASSWORD) and auth.verify_password(raised, PASSWORD)


def test_short_password_is_refused_with_a_clear_message() -> None:
    with pytest.raises(ValueError, match="at least 12 characters"):
        auth.validate_password("short")
    for common in ("password1234", "123456789012", "qwertyuiopas", "aaaaaaaaaaaa"):
        with pytest.raises(ValueError, match="too common"):
            auth.validate_password(common)
    with pytest.raises(ValueError, match="too common"):  # the email itself, padded
        auth.validate_password("ops@example.com1", ("ops@example.com",))
    auth.validate_password("charging-station-9")


def test_ensure_admin_creates_in_root_organisation(session: Session, engine) -> None:
    account, created = auth.ensure_admin("  Admin@Example.COM ", PASSWORD)
    assert created
    assert account.email == "admin@example.com"
    assert account.is_active and _role_name(session, account) == "Administrator"
    org = session.get(Organisation, account.organisation_id)
    assert org is not None and org.parent_id is None


def test_ensure_admin_resets_existing_password(session: Session, engine) -> None:
    first, _ = auth.ensure_admin("admin@example.com", PASSWORD)
    again, created = auth.ensure_admin("ADMIN@example.com", "a brand new password")
    assert not created
    assert again.id == first.id
    with pytest.raises(auth.AuthenticationError):
        auth.authenticate("admin@example.com", PASSWORD)
    assert auth.authenticate("admin@example.com", "a brand new password")
    assert len(session.exec(select(OperatorAccount)).all()) == 1


def test_ensure_admin_validates_email_and_password(engine) -> None:
    with pytest.raises(ValueError, match="email"):
        auth.ensure_admin("not-an-email", PASSWORD)
    with pytest.raises(ValueError, match="at least 12"):
        auth.ensure_admin("ops@example.com", "short")


def test_authenticate_stores_only_the_token_hash(session: Session, engine) -> None:
    account, _ = auth.ensure_admin("ops@example.com", PASSWORD)
    token = auth.authenticate("OPS@example.com", PASSWORD)
    stored = session.exec(select(LoginSession)).one()
    assert stored.account_id == account.id
    assert stored.token_hash != token and token not in stored.token_hash
    assert len(stored.token_hash) == 64
    assert stored.expires_at > utc_now() + timedelta(hours=11)
    found = principal_for_session(auth.token_hash(token))
    assert found is not None and found.account_id == account.id
    session.expire_all()
    stored_account = session.get(OperatorAccount, account.id)
    assert stored_account is not None and stored_account.last_login_at is not None


@pytest.mark.parametrize(
    ("email", "password"),
    [("nobody@example.com", PASSWORD), ("ops@example.com", "wrong password"), ("", "")],
)
def test_failed_logins_share_one_generic_message(engine, email: str, password: str) -> None:
    auth.ensure_admin("ops@example.com", PASSWORD)
    with pytest.raises(auth.AuthenticationError) as info:
        auth.authenticate(email, password)
    assert str(info.value) == auth.LOGIN_FAILED_MESSAGE


def test_inactive_account_cannot_log_in_nor_use_its_session(session: Session, engine) -> None:
    account, _ = auth.ensure_admin("ops@example.com", PASSWORD)
    token = auth.authenticate("ops@example.com", PASSWORD)
    stored = session.get(OperatorAccount, account.id)
    stored.is_active = False
    session.add(stored)
    session.commit()
    assert principal_for_session(auth.token_hash(token)) is None
    with pytest.raises(auth.AuthenticationError) as info:
        auth.authenticate("ops@example.com", PASSWORD)
    assert str(info.value) == auth.LOGIN_FAILED_MESSAGE


def test_expired_and_unknown_tokens_give_no_account(session: Session, engine) -> None:
    auth.ensure_admin("ops@example.com", PASSWORD)
    token = auth.authenticate("ops@example.com", PASSWORD)
    stored = session.exec(select(LoginSession)).one()
    stored.expires_at = utc_now() - timedelta(seconds=1)
    session.add(stored)
    session.commit()
    assert principal_for_session(auth.token_hash(token)) is None
    assert principal_for_session(auth.token_hash("made-up-token")) is None
    assert principal_for_session("") is None


def test_end_session_logs_out_that_token_only(engine) -> None:
    auth.ensure_admin("ops@example.com", PASSWORD)
    first = auth.authenticate("ops@example.com", PASSWORD)
    second = auth.authenticate("ops@example.com", PASSWORD)
    auth.end_session(first)
    assert principal_for_session(auth.token_hash(first)) is None
    assert principal_for_session(auth.token_hash(second)) is not None
    auth.end_session("made-up-token")


def _role_name(session: Session, account: OperatorAccount) -> str:
    role = session.get(Role, account.role_id)
    assert role is not None
    return role.name
