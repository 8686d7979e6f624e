"""Drivers and their id tags (RFID cards).

Local authorization lists (OCPP 1.6 Local Auth List Management).

What CCMS wants on the charge points: named lists of id tags (`LocalAuthList` +
`LocalAuthListEntry`), each assigned to any number of charge points
(`LocalAuthListAssignment`). A charge point's desired local list is the union of the id tags
of every list assigned to it, each sent with the IdTagInfo the id tag table gives (status,
expiry, parent).

What the charge points have: per charge point the sync state (`LocalListSyncState`: the
version it accepted last, the version it reports, when and how the last sync went) and the
entries as last sent and accepted (`LocalListSentEntry`), so a differential update can send
only what changed.
"""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum

from sqlalchemy import Index, UniqueConstraint, func, text
from sqlmodel import Field, SQLModel

from ccms_app.core.types import utc_column, utc_now


class IdTagStatus(StrEnum):
    """What the operator set on a card; Expired is derived from the expiry date."""

    ACTIVE = "active"
    BLOCKED = "blocked"


class DriverStatus(StrEnum):
    ACTIVE = "active"
    SUSPENDED = "suspended"


class Driver(SQLModel, table=True):
    id: int | None = Field(default=None, primary_key=True)
    organisation_id: int = Field(foreign_key="organisation.id", index=True)
    name: str = Field(max_length=200, index=True)
    email: str = Field(default="", max_length=320, index=True)
    phone: str = Field(default="", max_length=40)
    status: str = Field(default=DriverStatus.ACTIVE, max_length=16)
    created_at: datetime = Field(default_factory=utc_now, sa_column=utc_column(nullable=False))


class IdTag(SQLModel, table=True):
    """An OCPP idTag (RFID card UID or app token), at most 20 characters."""

    __tablename__ = "id_tag"
    # Authorize, StartTransaction and the payer look a tag up case-insensitively (OCPP
    # IdTokens are): without this index each lookup read every card of the network.
    __table_args__ = (Index("ix_id_tag_id_tag_lower", func.lower(text("id_tag"))),)

    id: int | None = Field(default=None, primary_key=True)
    organisation_id: int = Field(foreign_key="organisation.id", index=True)
    id_tag: str = Field(max_length=20, unique=True, index=True)
    status: str = Field(default=IdTagStatus.ACTIVE, max_length=16)
    expiry_date: datetime | None = Field(default=None, sa_column=utc_column())
    parent_id_tag: str | None = Field(default=None, max_length=20)
    driver_id: int | None = Field(default=None, foreign_key="driver.id", index=True)
    # A card may belong to a group instead (a fleet card charging on the group account).
    group_id: int | None = Field(default=None, foreign_key="user_group.id", index=True)
    description: str = Field(default="", max_length=200)
    # A fleet card may run several transactions at once (one per vehicle): StartTransaction
    # then never answers ConcurrentTx for it.
    concurrent_transactions: bool = False
    created_at: datetime = Field(default_factory=utc_now, sa_column=utc_column(nullable=False))


class UserGroup(SQLModel, table=True):
    """Drivers charging on one account (a company fleet, a housing association ...).

    Members are billed with the tariff assigned to the group in Finance
    (finance.models.TariffAssignment, target "group"). `price_per_kwh_minor` and `currency`
    are the group price of before tariffs: revision 0018 turned each into a tariff assigned to
    its group and keeps the columns only so a downgrade loses nothing; nothing reads them.
    """

    __tablename__ = "user_group"
    __table_args__ = (UniqueConstraint("organisation_id", "name"),)

    id: int | None = Field(default=None, primary_key=True)
    organisation_id: int = Field(foreign_key="organisation.id", index=True)
    name: str = Field(max_length=200, index=True)
    account_name: str = Field(default="", max_length=200)
    billing_email: str = Field(default="", max_length=320)
    price_per_kwh_minor: int | None = None
    currency: str = Field(default="EUR", max_length=3)
    created_at: datetime = Field(default_factory=utc_now, sa_column=utc_column(nullable=False))


class UserGroupMember(SQLModel, table=True):
    """A driver in a group; only authorised members may charge on the group account."""

    __tablename__ = "user_group_member"
    __table_args__ = (UniqueConstraint("group_id", "driver_id"),)

    id: int | None = Field(default=None, primary_key=True)
    group_id: int = Field(foreign_key="user_group.id", index=True)
    driver_id: int = Field(foreign_key="driver.id", index=True)
    authorised: bool = True
    created_at: datetime = Field(default_factory=utc_now, sa_column=utc_column(nullable=False))


class Vehicle(SQLModel, table=True):
    id: int | None = Field(default=None, primary_key=True)
    organisation_id: int = Field(foreign_key="organisation.id", index=True)
    driver_id: int | None = Field(default=None, foreign_key="driver.id", index=True)
    make: str = Field(max_length=100, index=True)
    model: str = Field(max_length=100)
    battery_capacity_wh: int | None = None
    licence_plate: str = Field(default="", max_length=20)
    created_at: datetime = Field(default_factory=utc_now, sa_column=utc_column(nullable=False))


class LocalAuthList(SQLModel, table=True):
    """A named set of id tags an operator wants on some charge points (e.g. "Fleet cards")."""

    __tablename__ = "local_auth_list"
    __table_args__ = (UniqueConstraint("organisation_id", "name"),)

    id: int | None = Field(default=None, primary_key=True)
    organisation_id: int = Field(foreign_key="organisation.id", index=True)
    name: str = Field(max_length=200)
    description: str = Field(default="", max_length=500)
    created_at: datetime = Field(default_factory=utc_now, sa_column=utc_column(nullable=False))
    updated_at: datetime = Field(default_factory=utc_now, sa_column=utc_column(nullable=False))


class LocalAuthListEntry(SQLModel, table=True):
    """One id tag in a list; its IdTagInfo comes from the id tag row when the list is sent."""

    __tablename__ = "local_auth_list_entry"
    __table_args__ = (UniqueConstraint("list_id", "id_tag_id"),)

    id: int | None = Field(default=None, primary_key=True)
    list_id: int = Field(foreign_key="local_auth_list.id", index=True)
    id_tag_id: int = Field(foreign_key="id_tag.id", index=True)
    added_at: datetime = Field(default_factory=utc_now, sa_column=utc_column(nullable=False))


class LocalAuthListAssignment(SQLModel, table=True):
    """A list that goes to a charge point."""

    __tablename__ = "local_auth_list_assignment"
    __table_args__ = (UniqueConstraint("list_id", "charge_point_id"),)

    id: int | None = Field(default=None, primary_key=True)
    list_id: int = Field(foreign_key="local_auth_list.id", index=True)
    charge_point_id: int = Field(foreign_key="charge_point.id", index=True)
    assigned_at: datetime = Field(default_factory=utc_now, sa_column=utc_column(nullable=False))


class LocalListSyncState(SQLModel, table=True):
    """How one charge point's local list stands against what CCMS wants there.

    `change_count` goes up whenever something that may change the desired list happens (an
    id tag blocked, a list edited or assigned); a sync that started at count N sets
    `synced_change_count` to N, so a change made during a sync is not lost.
    """

    __tablename__ = "local_list_sync_state"

    id: int | None = Field(default=None, primary_key=True)
    charge_point_id: int = Field(foreign_key="charge_point.id", unique=True, index=True)
    # Version of the last SendLocalList the charge point accepted (0: none yet).
    accepted_version: int = 0
    # The version the charge point last said it has: GetLocalListVersion's answer, or the
    # version of a SendLocalList it accepted since. -1: it does not support local lists.
    reported_version: int | None = None
    reported_at: datetime | None = Field(default=None, sa_column=utc_column())
    change_count: int = 1
    synced_change_count: int = 0
    # The charge point's last_boot_at when it was last synced: a newer boot triggers a sync.
    synced_boot_at: datetime | None = Field(default=None, sa_column=utc_column())
    # accepted | up_to_date | failed | not_supported | version_mismatch | too_long |
    # offline | timed_out | "" (never tried)
    last_result: str = Field(default="", max_length=32)
    last_detail: str = Field(default="", max_length=500)
    last_update_type: str = Field(default="", max_length=16)  # Full | Differential
    last_attempt_at: datetime | None = Field(default=None, sa_column=utc_column())
    last_success_at: datetime | None = Field(default=None, sa_column=utc_column())
    full_fallbacks: int = 0  # VersionMismatch answers that were followed by a full update
    updated_at: datetime = Field(default_factory=utc_now, sa_column=utc_column(nullable=False))


class LocalListSentEntry(SQLModel, table=True):
    """One entry of a charge point's local list as CCMS last sent it and the charge point
    accepted it (the base of the next differential update)."""

    __tablename__ = "local_list_sent_entry"
    __table_args__ = (UniqueConstraint("charge_point_id", "id_tag"),)

    id: int | None = Field(default=None, primary_key=True)
    charge_point_id: int = Field(foreign_key="charge_point.id", index=True)
    id_tag: str = Field(max_length=20, index=True)  # spelled as in the id tag table
    status: str = Field(max_length=16)  # OCPP AuthorizationStatus as sent
    expiry_date: datetime | None = Field(default=None, sa_column=utc_column(index=True))
    parent_id_tag: str | None = Field(default=None, max_length=20)
    version: int  # the list version this entry was last sent in
    sent_at: datetime = Field(default_factory=utc_now, sa_column=utc_column(nullable=False))
