"""Operator accounts and browser login sessions.

Passwords are hashed with Argon2id (argon2-cffi). A login hands the browser a random token
(an HttpOnly cookie); the database keeps only its SHA-256, so a leaked table cannot be
replayed as a cookie. Hashing never runs inside a database transaction: a login is three
steps, `find_login_account` (a short read; the connection goes back to the pool),
`verify_login` (Argon2 only, no database: the login route runs it on the bounded hashing
threads of `login_guard`) and `store_upgraded_hash` (a short write, only when the stored hash
used older Argon2 parameters). `check_credentials` runs the three in a row.
"""

from __future__ import annotations

import hashlib
import logging
import re
import secrets
from dataclasses import dataclass
from datetime import timedelta
from functools import cache

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from sqlmodel import Session, col, delete, select

from ccms_app.accounts.models import LoginSession, OperatorAccount, Role
from ccms_app.accounts.organisations import root_organisation
from ccms_app.accounts.rules.passwords import password_problem
from ccms_app.accounts.rules.permissions import ADMINISTRATOR
from ccms_app.core import i18n
from ccms_app.core.config import get_settings
from ccms_app.core.db import read_session, session_scope
from ccms_app.core.rows import stored_id
from ccms_app.core.types import utc_now

log = logging.getLogger(__name__)

SESSION_COOKIE = "ccms_session"  # the browser cookie that holds a login session's token
LOGIN_FAILED_MESSAGE = i18n.N_("Unknown email or wrong password.")
_EMAIL_RE = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")


def _hasher() -> PasswordHasher:
    """Argon2id at the configured cost (CCMS_PASSWORD_HASH_PASSES / _MEMORY_KIB; by default
    64 MiB and 3 passes, RFC 9106's second recommended setting) on ONE lane: a check then
    keeps to one thread, so `login_guard`'s HASH_SLOTS bounds the cores logins can take
    (several lanes would each get a thread of their own). Hashes made with other parameters
    (argon2-cffi's default of 4 lanes, an older cost) are upgraded at the next login. Built
    per use (it is a few attributes): importing reads no settings."""
    settings = get_settings()
    return PasswordHasher(
        time_cost=settings.password_hash_passes,
        memory_cost=settings.password_hash_memory_kib,
        parallelism=1,
    )


class AuthenticationError(Exception):
    """Login refused. The message never says whether the email exists."""

    def __init__(self, message: str = LOGIN_FAILED_MESSAGE) -> None:
        super().__init__(message)


def hash_password(password: str) -> str:
    """An Argon2id hash of `password` (salted, self-describing)."""
    return _hasher().hash(password)


def verify_password(password_hash: str, password: str) -> bool:
    """Whether `password` matches `password_hash`; a malformed hash never matches."""
    try:
        return _hasher().verify(password_hash, password)
    except (VerificationError, InvalidHashError):
        return False


def validate_password(password: str, related: tuple[str, ...] = ()) -> None:
    """Raise ValueError when `password` is too weak to accept (rules/passwords.py)."""
    problem = password_problem(password, related)
    if problem:
        raise ValueError(problem)


def built_in_role_id(session: Session, name: str) -> int:
    """The id of the built-in role `name` (created if a database somehow lacks it)."""
    role = session.exec(select(Role).where(Role.name == name, col(Role.built_in))).first()
    if role is None:
        role = Role(name=name, built_in=True)
        session.add(role)
        session.flush()
    return stored_id(role.id)


def normalise_email(email: str) -> str:
    """The lower-cased, trimmed email; ValueError when it does not look like an address."""
    cleaned = email.strip().lower()
    if not _EMAIL_RE.match(cleaned) or len(cleaned) > 320:
        raise ValueError(i18n.tr("Not a valid email address: {email}.", email=repr(email)))
    return cleaned


def ensure_admin(email: str, password: str) -> tuple[OperatorAccount, bool]:
    """Create an admin in the root organisation, or reset an existing account's password.

    Returns the account and whether it was created. An existing account is also made
    active and admin, so this is the way back in for a locked-out operator.
    """
    address = normalise_email(email)
    validate_password(password, (address,))
    password_hash = hash_password(password)
    with session_scope() as session:
        account = _account_by_email(session, address)
        created = account is None
        admin_role = built_in_role_id(session, ADMINISTRATOR)
        if account is None:
            org = root_organisation(session)
            account = OperatorAccount(
                organisation_id=stored_id(org.id),
                email=address,
                password_hash="",
                role_id=admin_role,
            )
        account.password_hash = password_hash
        account.role_id = admin_role
        account.is_active = True
        account.must_change_password = False
        session.add(account)
        session.flush()
        session.refresh(account)
    log.info("admin ensured", extra={"email": address, "account_created": created})
    return account, created


@dataclass(frozen=True)
class VerifiedLogin:
    """What the hashing step decided: the account opened, and a hash to store instead of the
    old one when that one used older Argon2 parameters (computed on the hashing thread too)."""

    account: OperatorAccount
    upgraded_hash: str = ""


def find_login_account(email: str) -> OperatorAccount | None:
    """The account `email` names (None for an unknown or malformed one): one short read."""
    try:
        address = normalise_email(email)
    except ValueError:
        return None
    with read_session() as session:
        return _account_by_email(session, address)


def verify_login(account: OperatorAccount | None, password: str) -> VerifiedLogin:
    """Argon2 only, no database: AuthenticationError unless `password` opens the active
    `account`. An unknown account costs the same hashing time, so timing tells nothing."""
    if account is None:
        verify_password(_dummy_hash(), password)
        raise AuthenticationError()
    if not verify_password(account.password_hash, password) or not account.is_active:
        log.info("login refused", extra={"account_id": account.id})
        raise AuthenticationError()
    upgraded = ""
    if _hasher().check_needs_rehash(account.password_hash):
        upgraded = hash_password(password)
    return VerifiedLogin(account, upgraded)


def store_upgraded_hash(login: VerifiedLogin) -> None:
    """Keep the upgraded hash, if the check made one (a short write, no hashing inside)."""
    if login.upgraded_hash:
        _store_rehash(stored_id(login.account.id), login.account.password_hash, login.upgraded_hash)


def check_credentials(email: str, password: str) -> OperatorAccount:
    """The active account these credentials open; AuthenticationError otherwise.

    Read, then Argon2 with no database connection held, then (only for a hash made with
    older parameters) a short write of the upgraded hash.
    """
    login = verify_login(find_login_account(email), password)
    store_upgraded_hash(login)
    return login.account


def open_session(account: OperatorAccount, remote_address: str = "") -> str:
    """Open a login session for `account`; return its token for the cookie."""
    token = secrets.token_urlsafe(32)
    now = utc_now()
    with session_scope() as session:
        session.add(
            LoginSession(
                account_id=stored_id(account.id),
                token_hash=token_hash(token),
                remote_address=remote_address[:64],
                created_at=now,
                expires_at=now + timedelta(hours=get_settings().session_hours),
            )
        )
        stored = session.get(OperatorAccount, account.id)
        if stored is not None:
            stored.last_login_at = now
            session.add(stored)
        _delete_expired_sessions(session, account.id)
    log.info("login", extra={"account_id": account.id})
    return token


def authenticate(email: str, password: str, remote_address: str = "") -> str:
    """Check the credentials and open a login session; return its token for the cookie."""
    return open_session(check_credentials(email, password), remote_address)


def _store_rehash(account_id: int, old_hash: str, new_hash: str) -> None:
    """Replace an outdated hash (only if nobody changed the password meanwhile)."""
    with session_scope() as session:
        account = session.get(OperatorAccount, account_id)
        if account is not None and account.password_hash == old_hash:
            account.password_hash = new_hash
            session.add(account)
    log.info("password hash upgraded", extra={"account_id": account_id})


def end_session(token: str) -> None:
    """Log out: forget the login session behind `token` (unknown tokens are ignored)."""
    if token:
        end_session_by_hash(token_hash(token))


def end_session_by_hash(session_hash: str) -> None:
    """Log out the session whose token hashes to `session_hash` (what a tab knows of it)."""
    if not session_hash:
        return
    with session_scope() as session:
        session.exec(delete(LoginSession).where(col(LoginSession.token_hash) == session_hash))


def end_all_sessions(account_id: int) -> None:
    """Every open tab and browser of this account is logged out at its next event."""
    with session_scope() as session:
        session.exec(delete(LoginSession).where(col(LoginSession.account_id) == account_id))


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
    return _hasher().hash(secrets.token_urlsafe(16))


def token_hash(token: str) -> str:
    """The SHA-256 of a session token: what the database (and a tab's state) holds."""
    return hashlib.sha256(token.encode()).hexdigest()
