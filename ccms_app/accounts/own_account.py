"""The signed-in operator's own account: what it is, its language, and changing its password.

Changing the password needs the current one (a tab left open must not be enough to take
the account over), validates the new one like every password, ends the account's other
sessions (a browser logged in elsewhere, perhaps by someone who knew the old password) and
clears `must_change_password`. The Argon2 work runs with no transaction open.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlmodel import col, delete

from ccms_app.accounts import audit, auth
from ccms_app.accounts.models import LoginSession, OperatorAccount, Organisation, Role
from ccms_app.accounts.roles import InputError
from ccms_app.core import i18n
from ccms_app.core.db import read_session, session_scope

__all__ = [
    "InputError",
    "OwnAccount",
    "WrongPasswordError",
    "change_own_password",
    "own_account",
    "set_language",
]


class WrongPasswordError(ValueError):
    """The current password given is not the account's."""

    def __init__(self) -> None:
        super().__init__(i18n.tr("Your current password is not correct."))


@dataclass(frozen=True)
class OwnAccount:
    account_id: int
    full_name: str
    email: str
    role_name: str
    organisation_name: str
    must_change_password: bool
    last_login_at: datetime | None
    created_at: datetime
    language: str = ""  # "" follows the browser


def own_account(account_id: int) -> OwnAccount | None:
    """The account as its holder sees it; None when it no longer exists."""
    with read_session() as session:
        account = session.get(OperatorAccount, account_id)
        if account is None:
            return None
        role = session.get(Role, account.role_id) if account.role_id is not None else None
        organisation = session.get(Organisation, account.organisation_id)
        return OwnAccount(
            account_id=account_id,
            full_name=account.full_name,
            email=account.email,
            role_name=role.name if role is not None else "",
            organisation_name=organisation.name if organisation is not None else "",
            must_change_password=account.must_change_password,
            last_login_at=account.last_login_at,
            created_at=account.created_at,
            language=account.language,
        )


def set_language(account_id: int, code: str) -> None:
    """The language the account reads CCMS in from now on, in every browser ("" follows the
    browser). InputError for a language CCMS does not have."""
    if code and not i18n.is_language(code):
        raise InputError({"language": i18n.tr("Unknown language.")})
    with session_scope() as session:
        account = session.get(OperatorAccount, account_id)
        if account is not None and account.language != code:
            account.language = code
            session.add(account)


def change_own_password(
    account_id: int,
    session_hash: str,
    current_password: str,
    new_password: str,
    new_password_again: str,
    remote_address: str = "",
) -> None:
    """Replace the account's password; every session but `session_hash` (this tab's) ends.

    WrongPasswordError when `current_password` is wrong; InputError (by field) when the new
    one is not acceptable.
    """
    with read_session() as session:
        account = session.get(OperatorAccount, account_id)
    if account is None or not account.is_active:
        raise WrongPasswordError()
    if not auth.verify_password(account.password_hash, current_password):
        audit.record(
            _actor(account, remote_address),
            "account.change_own_password",
            object_type="account",
            object_id=account_id,
            detail="wrong current password",
            outcome="refused",
        )
        raise WrongPasswordError()
    problem = _new_password_problem(account, current_password, new_password, new_password_again)
    if problem:
        raise InputError(problem)
    new_hash = auth.hash_password(new_password)
    with session_scope() as session:
        stored = session.get(OperatorAccount, account_id)
        # Someone (an administrator's reset) changed it since it was checked: check again.
        if stored is None or stored.password_hash != account.password_hash:
            raise WrongPasswordError()
        stored.password_hash = new_hash
        stored.must_change_password = False
        session.add(stored)
        session.exec(
            delete(LoginSession).where(
                col(LoginSession.account_id) == account_id,
                col(LoginSession.token_hash) != session_hash,
            )
        )
    audit.record(
        _actor(account, remote_address),
        "account.change_own_password",
        object_type="account",
        object_id=account_id,
        detail="password changed; other sessions ended",
    )


def _new_password_problem(
    account: OperatorAccount, current: str, new: str, again: str
) -> dict[str, str]:
    try:
        auth.validate_password(new, (account.email, account.full_name))
    except ValueError as exc:
        return {"new_password": str(exc)}
    if new == current:
        return {"new_password": i18n.tr("Choose a password other than your current one.")}
    if new != again:
        return {"new_password_again": i18n.tr("The two new passwords differ.")}
    return {}


def _actor(account: OperatorAccount, remote_address: str) -> audit.Actor:
    return audit.Actor(account.id, account.organisation_id, account.email, remote_address)
