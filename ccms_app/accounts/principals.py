"""Who is behind a login session, checked against the database on every request.

One query joins the session, its account, role and organisation: an expired or ended
session, a deactivated account, a changed role or an ended licence take effect on the very
next event of every open tab. The gate (`accounts/state/gate.py`) and the HTTP routes
(`accounts/routes.py`) both ask here.
"""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass, field

from sqlmodel import col, select

from ccms_app.accounts.models import LoginSession, OperatorAccount, Organisation, Role
from ccms_app.accounts.rules.licence import LicenceTerms, licence_problem
from ccms_app.accounts.rules.permissions import (
    BUILT_IN_ROLES,
    Action,
    Module,
    effective_permissions,
    parse_permissions,
    permission,
)
from ccms_app.core.db import read_session
from ccms_app.core.rows import stored_id
from ccms_app.core.types import utc_now


@dataclass(frozen=True)
class Principal:
    """A logged-in operator as the server sees them for this one request."""

    account_id: int
    organisation_id: int
    organisation_name: str
    email: str
    full_name: str
    role_name: str
    permissions: frozenset[str]
    session_hash: str
    read_only_reason: str = ""  # the licence's words when it allows no changes
    must_change_password: bool = False
    granted: frozenset[str] = field(default_factory=frozenset)  # the role's, before the licence
    api_key_id: int | None = None  # set when an API key, not a login, is behind the request
    language: str = ""  # the account's chosen language; "" follows the browser
    licence: LicenceTerms = field(default_factory=LicenceTerms)  # read_only_reason's source

    def can(self, module: Module, action: Action = Action.VIEW) -> bool:
        return permission(module, action) in self.permissions

    def read_only_text(self) -> str:
        """`read_only_reason` worded now, in the reader's language ("" when none): the
        reason is worded when the principal is read, before the gate knows the reader."""
        if not self.read_only_reason:
            return ""
        return licence_problem(self.licence, utc_now().date()) or self.read_only_reason


def principal_for_session(session_hash: str) -> Principal | None:
    """The principal of a live session, or None (unknown, ended, expired, deactivated)."""
    if not session_hash:
        return None
    with read_session() as session:
        row = session.exec(
            select(OperatorAccount, Role, Organisation, LoginSession.expires_at)
            .join(LoginSession, col(LoginSession.account_id) == OperatorAccount.id)
            .join(Role, col(Role.id) == OperatorAccount.role_id)
            .join(Organisation, col(Organisation.id) == OperatorAccount.organisation_id)
            .where(LoginSession.token_hash == session_hash)
        ).first()
    if row is None:
        return None
    account, role, organisation, expires_at = row
    if expires_at <= utc_now() or not account.is_active:
        return None
    granted = role_permissions(role)
    terms = licence_terms(organisation)
    reason = licence_problem(terms, utc_now().date()) or ""
    return Principal(
        account_id=stored_id(account.id),
        organisation_id=account.organisation_id,
        organisation_name=organisation.name,
        email=account.email,
        full_name=account.full_name,
        role_name=role.name,
        permissions=effective_permissions(granted, read_only=bool(reason)),
        session_hash=session_hash,
        read_only_reason=reason,
        must_change_password=account.must_change_password,
        granted=granted,
        language=account.language,
        licence=terms,
    )


def live_sessions(session_hashes: Collection[str]) -> frozenset[str]:
    """Which of these sessions are still live (not ended, expired or deactivated)."""
    if not session_hashes:
        return frozenset()
    with read_session() as session:
        rows = session.exec(
            select(LoginSession.token_hash)
            .join(OperatorAccount, col(OperatorAccount.id) == LoginSession.account_id)
            .where(
                col(LoginSession.token_hash).in_(list(session_hashes)),
                col(LoginSession.expires_at) > utc_now(),
                col(OperatorAccount.is_active),
            )
        ).all()
    return frozenset(rows)


def role_permissions(role: Role) -> frozenset[str]:
    """A role's grant: the code's for a built-in role, the stored list for a custom one."""
    if role.built_in:
        return BUILT_IN_ROLES.get(role.name, frozenset())
    return parse_permissions(role.permissions)


def licence_terms(organisation: Organisation) -> LicenceTerms:
    return LicenceTerms(
        max_charge_points=organisation.licence_max_charge_points,
        max_connectors=organisation.licence_max_connectors,
        valid_from=organisation.licence_valid_from,
        valid_to=organisation.licence_valid_to,
    )
