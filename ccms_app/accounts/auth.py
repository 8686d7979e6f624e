"""Operator accounts and browser login sessions.

Passwords are hashed with Argon2id (argon2-cffi). A login hands the browser a random token;
the database keeps only its SHA-256, so a leaked table cannot be replayed as a cookie.
"""

from __future__ import annotations

import hashlib
import logging
import re
import secrets
from datetime import timedelta
from functools import cache

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from sqlmodel import Session, col, delete, select

from ccms_app.accounts.models import LoginSession, OperatorAccount
from ccms_app.accounts.organisations import root_organisation
from ccms_app.core.config import get_settings
from ccms_app.core.db import read_session, session_scope
from ccms_app.core.rows import stored_id
from ccms_app.core.types import utc_now

log = logging.getLogger(__name__)

SESSION_COOKIE = "ccms_session"  # the browser cookie that holds a login session's token
MIN_PASSWORD_LENGTH = 8
LOGIN_FAILED_MESSAGE = "Unknown email or wrong password."
_EMAIL_RE = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")

_hasher = PasswordHasher()


class AuthenticationError(Exception):
    """Login refused. The message never says whether the email exists."""

    def __init__(self, message: str = LOGIN_FAILED_MESSAGE) -> None:
        super().__init__(message)


def hash_password(password: str) -> str:
    """An Argon2id hash of `password` (salted, self-describing)."""
    return _hasher.hash(password)


def verify_password(password_hash: str, password: str) -> bool:
    """Whether `password` matches `password_hash`; a malformed hash never matches."""
    try:
        return _hasher.verify(password_hash, password)
    except (VerificationError, InvalidHashError):
        return False


def validate_password(password: str) -> None:
    """Raise ValueError when `password` is too weak to accept."""
    if len(password) < MIN_PASSWORD_LENGTH:
        raise ValueError(f"The password must have at least {MIN_PASSWORD_LENGTH} characters.")


def normalise_email(email: str) -> str:
    """The lower-cased, trimmed email; ValueError when it does not look like an address."""
    cleaned = email.strip().lower()
    if not _EMAIL_RE.match(cleaned) or len(cleaned) > 320:
        raise ValueError(f"Not a valid email address: {email!r}.")
    return cleaned


def ensure_admin(email: str, password: str) -> tuple[OperatorAccount, bool]:
    """Create an admin in the root organisation, or reset an existing account's password.

    Returns the account and whether it was created. An existing account is also made
    active and admin, so this is the way back in for a locked-out operator.
    """
    address = normalise_email(email)
    validate_password(password)
    with session_scope() as session:
        account = _account_by_email(session, address)
        created = account is None
        if account is None:
            org = root_organisation(session)
            account = OperatorAccount(
                organisation_id=stored_id(org.id), email=address, password_hash=""
            )
        account.password_hash = hash_password(password)
        account.is_admin = True
        account.is_active = True
        session.add(account)
        session.flush()
        session.refresh(account)
    log.info("admin ensured", extra={"email": address, "account_created": created})
    return account, created


def authenticate(email: str, password: str) -> str:
    """Check the credentials and open a login session; return its token for the cookie."""
    try:
        address = normalise_email(email)
    except ValueError:
        address = ""
    with session_scope() as session:
        account = _account_by_email(session, address) if address else None
        if account is None:
            # Spend the same time as a wrong password, so timing does not reveal the email.
            verify_password(_dummy_hash(), password)
            raise AuthenticationError()
        if not verify_password(account.password_hash, password) or not account.is_active:
            log.info("login refused", extra={"account_id": account.id})
            raise AuthenticationError()
        token = secrets.token_urlsafe(32)
        now = utc_now()
        session.add(
            LoginSession(
                account_id=stored_id(account.id),
                token_hash=_token_hash(token),
                created_at=now,
                expires_at=now + timedelta(hours=get_settings().session_hours),
            )
        )
        account.last_login_at = now
        session.add(account)
        _delete_expired_sessions(session, account.id)
    log.info("login", extra={"account_id": account.id})
    return token


def account_for_token(token: str) -> OperatorAccount | None:
    """The active account behind a live login token, or None (unknown, expired, inactive)."""
    if not token:
        return None
    with read_session() as session:
        row = session.exec(
            select(OperatorAccount, LoginSession.expires_at)
            .join(LoginSession, col(LoginSession.account_id) == OperatorAccount.id)
            .where(LoginSession.token_hash == _token_hash(token))
        ).first()
    if row is None:
        return None
    account, expires_at = row
    if expires_at <= utc_now() or not account.is_active:
        return None
    return account


def end_session(token: str) -> None:
    """Log out: forget the login session behind `token` (unknown tokens are ignored)."""
    if not token:
        return
    with session_scope() as session:
        session.exec(delete(LoginSession).where(col(LoginSession.token_hash) == _token_hash(token)))


def _account_by_email(session: Session, address: str) -> OperatorAccount | None:
    return session.exec(select(OperatorAccount).where(OperatorAccount.email == address)).first()


def _delete_expired_sessions(session: Session, account_id: int | None) -> None:
    session.exec(
        delete(LoginSession).where(
            col(LoginSession.account_id) == account_id, col(LoginSession.expires_at) <= utc_now()
        )
    )


@cache
def _dummy_hash() -> str:
    return _hasher.hash(secrets.token_urlsafe(16))


def _token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()
