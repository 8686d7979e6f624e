"""Load balancing: a site's electrical tree, its plans and priorities, building load readings,
the controller's decisions and what each connector was last given.

A site is one station's grid connection. Its tree: a root node (the grid connection) with
panels / circuits below; every node has a per-phase current limit (A, the same on L1..L3, as a
fuse is rated) and/or a power limit (kW, three-phase at the nominal voltage) less a safety
margin. Charge points hang under a node (`LoadMember`) with their phase wiring: which supply
phase their L1 (L2, L3) is connected to, so single-phase chargers spread over the phases.

Currents are physical measurements in amperes (floats; the pure rules work in whole 0.1 A
steps). Times are UTC; plans are read in the station's time zone.
"""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum

from sqlalchemy import Column, Index, Text, UniqueConstraint
from sqlmodel import Field, SQLModel

from ccms_app.core.types import utc_column, utc_now


class Strategy(StrEnum):
    STATIC = "static"  # a fixed total shared between the cars
    DYNAMIC = "dynamic"  # the limit less the measured building load (and the margin)


class NodeKind(StrEnum):
    GRID = "grid"  # the root: the site's grid connection
    PANEL = "panel"
    CIRCUIT = "circuit"


class PriorityKind(StrEnum):
    """What a priority rule matches a charging session by."""

    USER_GROUP = "user_group"  # the driver of the id tag is in this user group (ref: group id)
    MEMBERSHIP_PLAN = "membership_plan"  # the driver holds this membership plan (ref: plan id)
    ID_TAG = "id_tag"  # this id tag (ref: the id tag, e.g. a fleet card)
    CHARGE_POINT = "charge_point"  # sessions on this charge point (ref: charge point id)


class LoadSite(SQLModel, table=True):
    __tablename__ = "load_site"

    id: int | None = Field(default=None, primary_key=True)
    organisation_id: int = Field(foreign_key="organisation.id", index=True)
    station_id: int = Field(foreign_key="station.id", unique=True)
    name: str = Field(max_length=200)
    strategy: str = Field(default=Strategy.STATIC, max_length=16)
    enabled: bool = True
    min_current_a: float = 6.0  # AC: a car gets 0 or at least this per phase (IEC 61851)
    change_threshold_a: float = 1.0  # a new limit is sent only when it moves more than this
    profile_validity_s: int = 600  # live profiles expire after this; refreshed at half of it
    # Dynamic: where the building load comes from besides PUT /load-sites/{id}/building-load:
    # a meter connected over OCPP (MeterValues without a transaction on this connector).
    meter_charge_point_id: int | None = Field(default=None, foreign_key="charge_point.id")
    meter_connector_id: int = 0
    building_load_max_age_s: int = 300  # older: the 24 h peak is assumed instead
    created_at: datetime = Field(default_factory=utc_now, sa_column=utc_column(nullable=False))
    updated_at: datetime = Field(default_factory=utc_now, sa_column=utc_column(nullable=False))


class LoadNode(SQLModel, table=True):
    __tablename__ = "load_node"

    id: int | None = Field(default=None, primary_key=True)
    site_id: int = Field(foreign_key="load_site.id", index=True)
    parent_id: int | None = Field(default=None, foreign_key="load_node.id")  # None: the root
    kind: str = Field(default=NodeKind.CIRCUIT, max_length=16)
    name: str = Field(max_length=200)
    limit_a: float | None = None  # per phase
    limit_kw: float | None = None  # three-phase total at the nominal voltage
    margin_a: float = 0.0  # kept free on every phase
    position: int = 0  # order among siblings in the editor


class LoadMember(SQLModel, table=True):
    """A charge point in a site's tree: under which node, wired how, allowed what."""

    __tablename__ = "load_member"

    id: int | None = Field(default=None, primary_key=True)
    site_id: int = Field(foreign_key="load_site.id", index=True)
    node_id: int = Field(foreign_key="load_node.id", index=True)
    charge_point_id: int = Field(foreign_key="charge_point.id", unique=True)
    # Supply phase of the charger's L1, L2, L3 in order: "L1L2L3", "L2L3L1", "L3L1L2";
    # a single-phase charger names one: "L1" | "L2" | "L3".
    phase_rotation: str = Field(default="L1L2L3", max_length=8)
    current_type: str = Field(default="AC", max_length=2)  # AC | DC
    min_current_a: float | None = None  # None: the site's minimum
    max_current_a: float = 32.0  # per phase, per connector
    fallback_current_a: float = 6.0  # the safe default (TxDefaultProfile) when CCMS is away
    priority: int = 0  # base priority of sessions here (a fleet depot bay, ...)


class LoadPriority(SQLModel, table=True):
    """Sessions matching this rule are served before lower ones (the highest match counts)."""

    __tablename__ = "load_priority"

    id: int | None = Field(default=None, primary_key=True)
    site_id: int = Field(foreign_key="load_site.id", index=True)
    kind: str = Field(max_length=20)  # PriorityKind
    ref: str = Field(max_length=64)  # group id, plan id, id tag or charge point id
    priority: int = 1
    label: str = Field(default="", max_length=200)


class LoadPlan(SQLModel, table=True):
    """A time plan: a different site limit on some weekdays between two local times."""

    __tablename__ = "load_plan"

    id: int | None = Field(default=None, primary_key=True)
    site_id: int = Field(foreign_key="load_site.id", index=True)
    name: str = Field(max_length=200)
    priority: int = 0  # of two plans active at once, the higher wins
    weekdays: str = Field(default="1234567", max_length=7)  # ISO weekday digits, Monday = 1
    start_time: str = Field(default="00:00", max_length=5)  # local HH:MM
    end_time: str = Field(default="00:00", max_length=5)  # before start: over midnight
    limit_a: float | None = None  # per phase
    limit_kw: float | None = None
    enabled: bool = True


class BuildingLoadReading(SQLModel, table=True):
    __tablename__ = "building_load_reading"
    __table_args__ = (Index("ix_building_load_site_time", "site_id", "measured_at"),)

    id: int | None = Field(default=None, primary_key=True)
    site_id: int = Field(foreign_key="load_site.id")
    measured_at: datetime = Field(sa_column=utc_column(nullable=False))
    received_at: datetime = Field(default_factory=utc_now, sa_column=utc_column(nullable=False))
    l1_a: float
    l2_a: float
    l3_a: float
    source: str = Field(default="api", max_length=16)  # api | ocpp | demo


class LoadDecision(SQLModel, table=True):
    """One recomputation: its trigger, the totals per phase and (as JSON) inputs and results."""

    __tablename__ = "load_decision"
    __table_args__ = (Index("ix_load_decision_site_time", "site_id", "decided_at"),)

    id: int | None = Field(default=None, primary_key=True)
    site_id: int = Field(foreign_key="load_site.id")
    decided_at: datetime = Field(sa_column=utc_column(nullable=False))
    trigger: str = Field(max_length=48)
    plan_id: int | None = None
    limit_l1_a: float = 0.0  # capacity for charging: site or plan limit less margin + building
    limit_l2_a: float = 0.0
    limit_l3_a: float = 0.0
    building_l1_a: float = 0.0
    building_l2_a: float = 0.0
    building_l3_a: float = 0.0
    allocated_l1_a: float = 0.0  # planned: what the cars were given
    allocated_l2_a: float = 0.0
    allocated_l3_a: float = 0.0
    measured_l1_a: float = 0.0  # what the cars drew at the time (meter values)
    measured_l2_a: float = 0.0
    measured_l3_a: float = 0.0
    cars: int = 0
    capped: int = 0
    duration_ms: float = 0.0
    detail: str = Field(default="", sa_column=Column(Text, nullable=False))  # JSON


class LoadAllocation(SQLModel, table=True):
    """What one connector was given last and what was sent to the charge point."""

    __tablename__ = "load_allocation"
    __table_args__ = (UniqueConstraint("charge_point_id", "connector_id"),)

    id: int | None = Field(default=None, primary_key=True)
    site_id: int = Field(foreign_key="load_site.id", index=True)
    charge_point_id: int = Field(foreign_key="charge_point.id")
    connector_id: int
    transaction_id: int | None = None
    priority: int = 0
    allocated_a: float = 0.0  # per phase, the last decision
    reason: str = Field(default="", max_length=200)  # why it is capped (empty: not capped)
    sent_a: float | None = None  # the limit in the profile the charger accepted last
    sent_transaction_id: int | None = None
    sent_at: datetime | None = Field(default=None, sa_column=utc_column())
    valid_until: datetime | None = Field(default=None, sa_column=utc_column())
    profile_status: str = Field(default="", max_length=16)  # accepted | rejected | offline ...
    measured_a: float | None = None  # per phase (the highest), from the session's meter values
    # What the car itself takes: learnt when it draws well below a limit it has had for a
    # while (a car whose on-board charger is smaller); forgotten after a while to probe again.
    demand_a: float | None = None
    demand_at: datetime | None = Field(default=None, sa_column=utc_column())
    updated_at: datetime = Field(default_factory=utc_now, sa_column=utc_column(nullable=False))
