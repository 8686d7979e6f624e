"""Organisations (operators and their sub-operators) and the operator accounts that log in."""

from __future__ import annotations

from datetime import datetime

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
    created_at: datetime = Field(default_factory=utc_now, sa_column=utc_column(nullable=False))


class OperatorAccount(SQLModel, table=True):
    """A person who logs in to the operator UI."""

    __tablename__ = "operator_account"

    id: int | None = Field(default=None, primary_key=True)
    organisation_id: int = Field(foreign_key="organisation.id", index=True)
    email: str = Field(max_length=320, unique=True, index=True)
    full_name: str = Field(default="", max_length=200)
    password_hash: str = Field(max_length=255)
    is_admin: bool = False
    is_active: bool = True
    created_at: datetime = Field(default_factory=utc_now, sa_column=utc_column(nullable=False))
    last_login_at: datetime | None = Field(default=None, sa_column=utc_column())


class LoginSession(SQLModel, table=True):
    """A browser login; the cookie holds the token, the table holds only its hash."""

    __tablename__ = "login_session"

    id: int | None = Field(default=None, primary_key=True)
    account_id: int = Field(foreign_key="operator_account.id", index=True)
    token_hash: str = Field(max_length=64, unique=True, index=True)
    created_at: datetime = Field(default_factory=utc_now, sa_column=utc_column(nullable=False))
    expires_at: datetime = Field(sa_column=utc_column(nullable=False))
