"""Driver app accounts: sign-in, verification and reset tokens, favourites.

A `DriverAccount` signs a driver (`drivers.Driver`) in to the driver app. It is separate from
operator logins by design: its own table, its own session table and cookie, and its own gate
check, so a driver session can never open an operator page or API and the reverse.
Each account has an app id tag (an `id_tag` row, `APP...`): CCMS starts charging for the
driver with it (RemoteStartTransaction), so sessions, prices and payments follow the usual
id-tag path.
"""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum

from sqlalchemy import UniqueConstraint
from sqlmodel import Field, SQLModel

from ccms_app.core.types import utc_column, utc_now


class DriverAccount(SQLModel, table=True):
    __tablename__ = "driver_account"

    id: int | None = Field(default=None, primary_key=True)
    organisation_id: int = Field(foreign_key="organisation.id", index=True)
    driver_id: int = Field(foreign_key="driver.id", unique=True, index=True)
    email: str = Field(max_length=320, unique=True, index=True)
    password_hash: str = Field(max_length=255)
    # The id tag the app starts sessions with (RemoteStartTransaction).
    app_id_tag_id: int | None = Field(default=None, foreign_key="id_tag.id")
    email_verified_at: datetime | None = Field(default=None, sa_column=utc_column())
    # The language the driver reads the app in (core/i18n codes); "" follows the browser.
    language: str = Field(default="", max_length=16)
    is_active: bool = True
    created_at: datetime = Field(default_factory=utc_now, sa_column=utc_column(nullable=False))
    last_login_at: datetime | None = Field(default=None, sa_column=utc_column())


class DriverLoginSession(SQLModel, table=True):
    """A driver's sign-in; the cookie holds the token, the table only its SHA-256."""

    __tablename__ = "driver_login_session"

    id: int | None = Field(default=None, primary_key=True)
    account_id: int = Field(foreign_key="driver_account.id", index=True)
    token_hash: str = Field(max_length=64, unique=True, index=True)
    remote_address: str = Field(default="", max_length=64)
    created_at: datetime = Field(default_factory=utc_now, sa_column=utc_column(nullable=False))
    expires_at: datetime = Field(sa_column=utc_column(nullable=False))


class TokenPurpose(StrEnum):
    VERIFY_EMAIL = "verify_email"
    RESET_PASSWORD = "reset_password"


class DriverAccountToken(SQLModel, table=True):
    """A link sent by e-mail (verify the address, reset the password): single use, expiring;
    only the SHA-256 of the token is stored."""

    __tablename__ = "driver_account_token"

    id: int | None = Field(default=None, primary_key=True)
    account_id: int = Field(foreign_key="driver_account.id", index=True)
    purpose: str = Field(max_length=24)
    token_hash: str = Field(max_length=64, unique=True, index=True)
    created_at: datetime = Field(default_factory=utc_now, sa_column=utc_column(nullable=False))
    expires_at: datetime = Field(sa_column=utc_column(nullable=False))
    used_at: datetime | None = Field(default=None, sa_column=utc_column())


class DriverFavourite(SQLModel, table=True):
    """A station the driver marked as a favourite; it goes when the station is deleted."""

    __tablename__ = "driver_favourite"
    __table_args__ = (UniqueConstraint("account_id", "station_id"),)

    id: int | None = Field(default=None, primary_key=True)
    account_id: int = Field(foreign_key="driver_account.id", index=True)
    station_id: int = Field(foreign_key="station.id", index=True, ondelete="CASCADE")
    created_at: datetime = Field(default_factory=utc_now, sa_column=utc_column(nullable=False))
