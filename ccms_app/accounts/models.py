"""Organisations (operators and their sub-operators) and the operator accounts that log in."""

from __future__ import annotations

from datetime import date, datetime

from sqlmodel import Field, SQLModel

from ccms_app.core.types import utc_column, utc_now


class Organisation(SQLModel, table=True):
    """An operator; a sub-operator has the operator as parent."""

    id: int | None = Field(default=None, primary_key=True)
    name: str = Field(max_length=200, unique=True)
    parent_id: int | None = Field(default=None, foreign_key="organisation.id", index=True)
    # What an operator's network does with a charge point identity it does not know:
    # "pending" (record it for registration, answer Pending) or "reject" (refuse the connection).
    unknown_charge_points: str = Field(default="pending", max_length=16)
    # Every known charge point must present its password (Basic auth, Security Profile 1/2).
    charger_auth_required: bool = False
    # A second connection for an identity whose socket is alive, without a password proving
    # it: "refuse" (the default: it may be an impostor) or "replace" (the old socket goes).
    duplicate_connections: str = Field(default="refuse", max_length=16)
    # A sub-operator's licence (the operator sets it; None = no bound). See rules/licence.py.
    licence_max_charge_points: int | None = None
    licence_max_connectors: int | None = None
    licence_valid_from: date | None = None
    licence_valid_to: date | None = None
    created_at: datetime = Field(default_factory=utc_now, sa_column=utc_column(nullable=False))


class Role(SQLModel, table=True):
    """A named set of permissions ("assets:edit", ...; rules/permissions.py).

    Built-in roles (organisation_id None) take their permissions from the code, so an upgrade
    that refines them reaches every account; custom roles belong to the organisation whose
    administrators made them and are offered there and in its sub-operators.
    """

    id: int | None = Field(default=None, primary_key=True)
    organisation_id: int | None = Field(default=None, foreign_key="organisation.id", index=True)
    name: str = Field(max_length=80)
    built_in: bool = False
    permissions: str = Field(default="", max_length=4000)  # comma-separated, sorted
    created_at: datetime = Field(default_factory=utc_now, sa_column=utc_column(nullable=False))


class OperatorAccount(SQLModel, table=True):
    """A person who logs in to the operator UI."""

    __tablename__ = "operator_account"

    id: int | None = Field(default=None, primary_key=True)
    organisation_id: int = Field(foreign_key="organisation.id", index=True)
    email: str = Field(max_length=320, unique=True, index=True)
    full_name: str = Field(default="", max_length=200)
    password_hash: str = Field(max_length=255)
    # NULL-able in the database only: SQLite cannot tighten a column of a table others refer
    # to without copying it (revision 0015 fills it for every account).
    role_id: int = Field(foreign_key="role.id", index=True, nullable=True)
    is_active: bool = True
    # Set when an administrator reset the password: the holder must choose a new one.
    must_change_password: bool = False
    # The language the account reads CCMS in (core/i18n.py codes); "" follows the browser.
    language: str = Field(default="", max_length=16)
    created_at: datetime = Field(default_factory=utc_now, sa_column=utc_column(nullable=False))
    last_login_at: datetime | None = Field(default=None, sa_column=utc_column())


class LoginSession(SQLModel, table=True):
    """A browser login; the cookie holds the token, the table holds only its hash."""

    __tablename__ = "login_session"

    id: int | None = Field(default=None, primary_key=True)
    account_id: int = Field(foreign_key="operator_account.id", index=True)
    token_hash: str = Field(max_length=64, unique=True, index=True)
    remote_address: str = Field(default="", max_length=64)
    created_at: datetime = Field(default_factory=utc_now, sa_column=utc_column(nullable=False))
    expires_at: datetime = Field(sa_column=utc_column(nullable=False))


class AuditEntry(SQLModel, table=True):
    """One operator action: who, when, what, on which object, from where, and how it ended.

    The actor's email is copied so the entry keeps its meaning after the account is gone.
    """

    __tablename__ = "audit_entry"

    id: int | None = Field(default=None, primary_key=True)
    occurred_at: datetime = Field(
        default_factory=utc_now, sa_column=utc_column(nullable=False, index=True)
    )
    organisation_id: int | None = Field(default=None, index=True)
    account_id: int | None = Field(default=None, index=True)
    actor: str = Field(default="", max_length=320)
    remote_address: str = Field(default="", max_length=64)
    action: str = Field(max_length=120, index=True)
    object_type: str = Field(default="", max_length=60)
    object_id: str = Field(default="", max_length=120)
    detail: str = Field(default="", max_length=1000)
    outcome: str = Field(default="ok", max_length=16)  # ok | refused | failed


class ApiKey(SQLModel, table=True):
    """A key an integration (ERP, CRM, billing, an app) sends as `Authorization: Bearer`.

    Only the SHA-256 of the key is kept (a key is 256 random bits: a slow hash adds nothing);
    `prefix` is its first characters, what the list shows so an operator can tell keys apart.
    A key acts with its role's permissions inside its organisation's scope, like a login.
    """

    __tablename__ = "api_key"

    id: int | None = Field(default=None, primary_key=True)
    organisation_id: int = Field(foreign_key="organisation.id", index=True)
    role_id: int = Field(foreign_key="role.id", index=True)
    name: str = Field(max_length=120)
    prefix: str = Field(max_length=16)
    key_hash: str = Field(max_length=64, unique=True, index=True)
    created_by: str = Field(default="", max_length=320)  # who made it: an e-mail or "cli"
    created_at: datetime = Field(default_factory=utc_now, sa_column=utc_column(nullable=False))
    revoked_at: datetime | None = Field(default=None, sa_column=utc_column())
    last_used_at: datetime | None = Field(default=None, sa_column=utc_column())
    last_used_address: str = Field(default="", max_length=64)
