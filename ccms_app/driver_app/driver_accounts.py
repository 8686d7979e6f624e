"""Driver app accounts: sign up, verify the e-mail address, sign in, reset the password.

A sign-up creates, in one transaction, the driver (`drivers.Driver`, in the network
operator's organisation), the app's id tag, a wallet payment account and the sign-in
account; then mails a verification link. Until the address is verified the driver can sign
in and look around, but not start charging, top up or reserve (`require_verified`). When
e-mail is off (CCMS_SMTP_HOST empty) nothing can be verified: accounts count as verified at
sign-up, and the log says so.

Passwords follow the operators' rules (`accounts.rules.passwords`) and are hashed with the
same Argon2id parameters; the sign-in goes through the same back-off and bounded hashing
(`accounts.login_guard`). Session and link tokens are random; only their SHA-256 is stored.
"""

from __future__ import annotations

import logging
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlmodel import Session, col, delete, select

from ccms_app.accounts import auth
from ccms_app.accounts.organisations import root_organisation
from ccms_app.accounts.rules.passwords import MAX_PASSWORD_LENGTH, password_problem
from ccms_app.core.config import get_settings
from ccms_app.core.db import read_session, session_scope
from ccms_app.core.i18n import is_language, tr
from ccms_app.core.rows import stored_id
from ccms_app.core.types import utc_now
from ccms_app.driver_app.errors import DriverAppError
from ccms_app.driver_app.models import (
    DriverAccount,
    DriverAccountToken,
    DriverLoginSession,
    TokenPurpose,
)
from ccms_app.driver_app.rules.accounts import LINK_LIFETIME, clean_name, new_app_id_tag
from ccms_app.drivers.models import Driver, DriverStatus, IdTag, IdTagStatus
from ccms_app.finance.payments.models import PaymentAccount, PaymentMethod
from ccms_app.finance.wallets.models import HolderKind

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class SignUp:
    name: str
    email: str
    password: str
    language: str = ""


@dataclass(frozen=True)
class DriverPrincipal:
    """A signed-in driver as the server sees them for one request."""

    account_id: int
    driver_id: int
    organisation_id: int
    email: str
    name: str
    verified: bool
    language: str
    app_id_tag: str
    session_hash: str


@dataclass(frozen=True)
class Link:
    """A token for an e-mail link, and the account it was made for."""

    token: str
    account_id: int
    email: str
    language: str
    organisation_id: int


def _email(value: str) -> str:
    try:
        return auth.normalise_email(value)
    except ValueError as exc:
        raise DriverAppError(str(exc), {"email": str(exc)}, code="email") from None


def sign_up(data: SignUp) -> Link:
    """Create the driver and everything the app needs; return the verification link's token.
    DriverAppError (per field) for a missing name, a bad or taken e-mail, a weak password."""
    name, email = clean_name(data.name), _email(data.email)
    errors: dict[str, str] = {}
    if not name:
        errors["name"] = tr("Enter your name.")
    problem = password_problem(data.password, (email, name))
    if problem:
        errors["password"] = problem
    if errors:
        raise DriverAppError(next(iter(errors.values())), errors, code=next(iter(errors)))
    password_hash = auth.hash_password(data.password)  # before the transaction: Argon2 is slow
    language = data.language if is_language(data.language) else ""
    with session_scope() as db:
        if _account_by_email(db, email) is not None:
            message = tr("An account with this e-mail address exists already. Sign in instead.")
            raise DriverAppError(message, {"email": message}, code="taken")
        organisation_id = stored_id(root_organisation(db).id)
        driver = Driver(organisation_id=organisation_id, name=name, email=email)
        db.add(driver)
        db.flush()
        tag = IdTag(
            organisation_id=organisation_id,
            id_tag=_unused_app_tag(db),
            driver_id=driver.id,
            description="Driver app",
        )
        db.add(tag)
        db.add(
            PaymentAccount(
                organisation_id=organisation_id,
                holder_kind=HolderKind.DRIVER.value,
                holder_id=stored_id(driver.id),
                method=PaymentMethod.WALLET,
            )
        )
        db.flush()
        verified = None if get_settings().smtp_host else utc_now()
        account = DriverAccount(
            organisation_id=organisation_id,
            driver_id=stored_id(driver.id),
            email=email,
            password_hash=password_hash,
            app_id_tag_id=tag.id,
            email_verified_at=verified,
            language=language,
        )
        db.add(account)
        db.flush()
        link = _new_link(db, account, TokenPurpose.VERIFY_EMAIL)
    if verified is not None:
        log.warning("driver account verified at sign-up: e-mail is off", extra={"email": email})
    log.info("driver signed up", extra={"account_id": link.account_id})
    return link


def _unused_app_tag(db: Session) -> str:
    while True:
        candidate = new_app_id_tag()
        if db.exec(select(IdTag.id).where(IdTag.id_tag == candidate)).first() is None:
            return candidate


def _new_link(db: Session, account: DriverAccount, purpose: TokenPurpose) -> Link:
    """A new e-mail link; the account's expired ones go (as expired sign-ins go at the next
    sign-in), so neither table grows with an account's age."""
    token = secrets.token_urlsafe(32)
    now = utc_now()
    db.exec(
        delete(DriverAccountToken).where(
            col(DriverAccountToken.account_id) == account.id,
            col(DriverAccountToken.expires_at) <= now,
        )
    )
    db.add(
        DriverAccountToken(
            account_id=stored_id(account.id),
            purpose=purpose.value,
            token_hash=auth.token_hash(token),
            created_at=now,
            expires_at=now + LINK_LIFETIME[purpose],
        )
    )
    return Link(
        token, stored_id(account.id), account.email, account.language, account.organisation_id
    )


def _account_by_email(db: Session, email: str) -> DriverAccount | None:
    return db.exec(select(DriverAccount).where(DriverAccount.email == email)).first()


def _use_link(db: Session, token: str, purpose: TokenPurpose) -> DriverAccount:
    row = db.exec(
        select(DriverAccountToken).where(
            DriverAccountToken.token_hash == auth.token_hash(token),
            DriverAccountToken.purpose == purpose.value,
        )
    ).first()
    if row is None or row.used_at is not None or row.expires_at <= utc_now():
        raise DriverAppError(tr("This link is not valid any more. Ask for a new one."))
    account = db.get(DriverAccount, row.account_id)
    if account is None or not account.is_active:
        raise DriverAppError(tr("This link is not valid any more. Ask for a new one."))
    row.used_at = utc_now()
    db.add(row)
    return account


def verify_email(token: str) -> int:
    """Mark the address of the link's account verified; return the account id."""
    with session_scope() as db:
        account = _use_link(db, token, TokenPurpose.VERIFY_EMAIL)
        if account.email_verified_at is None:
            account.email_verified_at = utc_now()
            db.add(account)
        log.info("driver e-mail verified", extra={"account_id": account.id})
        return stored_id(account.id)


def new_verification_link(account_id: int) -> Link | None:
    """Another verification link (the driver asked again); None when already verified."""
    with session_scope() as db:
        account = db.get(DriverAccount, account_id)
        if account is None or account.email_verified_at is not None:
            return None
        return _new_link(db, account, TokenPurpose.VERIFY_EMAIL)


def password_reset_link(email: str) -> Link | None:
    """A reset link for the account behind `email`; None for an unknown address (the page
    says the same either way, so it tells nobody which addresses have accounts)."""
    try:
        address = auth.normalise_email(email)
    except ValueError:
        return None
    with session_scope() as db:
        account = _account_by_email(db, address)
        if account is None or not account.is_active:
            return None
        return _new_link(db, account, TokenPurpose.RESET_PASSWORD)


def reset_password(token: str, password: str) -> int:
    """Set a new password with a reset link; every open sign-in of the account ends."""
    with read_session() as db:
        row = db.exec(
            select(DriverAccountToken).where(
                DriverAccountToken.token_hash == auth.token_hash(token)
            )
        ).first()
        account = db.get(DriverAccount, row.account_id) if row is not None else None
        related = (account.email,) if account is not None else ()
    problem = password_problem(password, related)
    if problem:
        raise DriverAppError(problem, {"password": problem})
    password_hash = auth.hash_password(password)
    with session_scope() as db:
        account = _use_link(db, token, TokenPurpose.RESET_PASSWORD)
        account.password_hash = password_hash
        if account.email_verified_at is None:  # the link reached the mailbox: it is theirs
            account.email_verified_at = utc_now()
        db.add(account)
        db.exec(delete(DriverLoginSession).where(col(DriverLoginSession.account_id) == account.id))
        log.info("driver password reset", extra={"account_id": account.id})
        return stored_id(account.id)


def find_account(email: str) -> DriverAccount | None:
    """The active account `email` names (None for unknown or malformed): one short read."""
    try:
        address = auth.normalise_email(email)
    except ValueError:
        return None
    with read_session() as db:
        return _account_by_email(db, address)


def check_password(account: DriverAccount | None, password: str) -> DriverAccount:
    """Argon2 only (no database): auth.AuthenticationError unless `password` opens the
    active account. An unknown account costs the same time."""
    if account is None or len(password) > MAX_PASSWORD_LENGTH:
        auth.verify_password(auth.hash_password("timing"), password[:MAX_PASSWORD_LENGTH])
        raise auth.AuthenticationError()
    if not auth.verify_password(account.password_hash, password) or not account.is_active:
        raise auth.AuthenticationError()
    return account


def open_session(account_id: int, remote_address: str = "") -> str:
    """A sign-in for the account; the token for the cookie."""
    token = secrets.token_urlsafe(32)
    now = utc_now()
    with session_scope() as db:
        db.add(
            DriverLoginSession(
                account_id=account_id,
                token_hash=auth.token_hash(token),
                remote_address=remote_address[:64],
                created_at=now,
                expires_at=now + timedelta(hours=get_settings().driver_session_hours),
            )
        )
        account = db.get(DriverAccount, account_id)
        if account is not None:
            account.last_login_at = now
            db.add(account)
        db.exec(
            delete(DriverLoginSession).where(
                col(DriverLoginSession.account_id) == account_id,
                col(DriverLoginSession.expires_at) <= now,
            )
        )
    log.info("driver signed in", extra={"account_id": account_id})
    return token


def end_session(session_hash: str) -> None:
    if session_hash:
        with session_scope() as db:
            db.exec(
                delete(DriverLoginSession).where(col(DriverLoginSession.token_hash) == session_hash)
            )


def principal_for_session(session_hash: str) -> DriverPrincipal | None:
    """Who a driver session hash names, read now (one query): None for an unknown or expired
    session, a deactivated account or a suspended driver."""
    if not session_hash:
        return None
    with read_session() as db:
        row = db.exec(
            select(DriverLoginSession, DriverAccount, Driver, IdTag)
            .join(DriverAccount, col(DriverAccount.id) == DriverLoginSession.account_id)
            .join(Driver, col(Driver.id) == DriverAccount.driver_id)
            .join(IdTag, col(IdTag.id) == DriverAccount.app_id_tag_id, isouter=True)
            .where(DriverLoginSession.token_hash == session_hash)
        ).first()
    if row is None:
        return None
    login, account, driver, tag = row
    if login.expires_at <= utc_now() or not account.is_active:
        return None
    if driver.status != DriverStatus.ACTIVE:
        return None
    return DriverPrincipal(
        account_id=stored_id(account.id),
        driver_id=stored_id(driver.id),
        organisation_id=account.organisation_id,
        email=account.email,
        name=driver.name,
        verified=account.email_verified_at is not None,
        language=account.language,
        app_id_tag=tag.id_tag if tag is not None and tag.status == IdTagStatus.ACTIVE else "",
        session_hash=session_hash,
    )


def set_language(account_id: int, language: str) -> None:
    if language and not is_language(language):
        raise DriverAppError(tr("Unknown language {code}.", code=repr(language)))
    with session_scope() as db:
        account = db.get(DriverAccount, account_id)
        if account is not None:
            account.language = language
            db.add(account)


def require_verified(principal: DriverPrincipal) -> None:
    """Paying, charging and reserving need a verified address."""
    if not principal.verified:
        raise DriverAppError(
            tr(
                "Confirm your e-mail address first: open the link we sent to {email}.",
                email=principal.email,
            ),
            code="unverified",
        )


def verified_at(account_id: int) -> datetime | None:
    with read_session() as db:
        account = db.get(DriverAccount, account_id)
        return account.email_verified_at if account is not None else None
