"""The building's own load at a site: what a dynamic strategy subtracts from the grid limit.

Readings come from an integration (`PUT /load-sites/{id}/building-load`: `put_reading`), from a
site meter over OCPP and from the demo building (both through `record_reading`). A reading is
per phase, in amperes. A negative reading is a building exporting (a PV roof producing more
than the building uses): it frees capacity at the grid connection, so it is kept as it is,
down to -10,000 A (`rules.reading_form`). Every reading tells the controller (a `load_site`
event with trigger "building_load"), which recomputes the site.

The controller reads the latest reading and, when that is stale, the highest load of the
last 24 h (`latest_reading`, `peak_since`: `rules.building.assumed_building` decides); the
live page draws `readings_since`.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from typing import Any

from sqlalchemy import func
from sqlmodel import col, select

from ccms_app.accounts.roles import Caller, InputError, require
from ccms_app.core.db import read_session, session_scope
from ccms_app.core.types import utc_now
from ccms_app.load_balancing.models import BuildingLoadReading
from ccms_app.load_balancing.rules.reading_form import check_reading
from ccms_app.load_balancing.rules.site_form import FormError
from ccms_app.load_balancing.site_rows import EDIT_PERMISSION, publish, scoped_site

Phases = tuple[float, float, float]
TRIGGER = "building_load"


def record_reading(
    site_id: int, measured_at: datetime, l1_a: float, l2_a: float, l3_a: float, source: str
) -> None:
    """Keep one reading (the caller checked access: use-case level) and tell the controller."""
    with session_scope() as session:
        session.add(
            BuildingLoadReading(
                site_id=site_id,
                measured_at=measured_at,
                l1_a=l1_a,
                l2_a=l2_a,
                l3_a=l3_a,
                source=source[:16],
            )
        )
    publish(site_id, trigger=TRIGGER)


def put_reading(caller: Caller, site_id: int, data: Mapping[str, Any]) -> dict[str, Any]:
    """A reading from the REST API: {"l1_a", "l2_a", "l3_a"}, {"current_a"} or {"power_kw"},
    optional "measured_at" (ISO 8601 with offset, at most 5 minutes ahead; default now).
    Answers the reading as stored (per phase, measured_at in UTC)."""
    action = "load_site.building_load"
    require(caller, EDIT_PERMISSION, action, "load_site", site_id)
    with scoped_site(caller, site_id, action, write=False):
        pass  # only the scope check: NotFoundError (audited) for a site the caller cannot see
    try:
        measured_at, (l1, l2, l3) = check_reading(data, utc_now())
    except FormError as exc:
        raise InputError(exc.errors) from None
    record_reading(site_id, measured_at, l1, l2, l3, "api")
    return {"site_id": site_id, "measured_at": measured_at, "l1_a": l1, "l2_a": l2, "l3_a": l3}


def latest_reading(site_id: int) -> tuple[datetime, Phases] | None:
    """The most recent reading by measurement time (a late-arriving older one does not win)."""
    with read_session() as session:
        row = session.exec(
            select(BuildingLoadReading)
            .where(col(BuildingLoadReading.site_id) == site_id)
            .order_by(
                col(BuildingLoadReading.measured_at).desc(), col(BuildingLoadReading.id).desc()
            )
            .limit(1)
        ).first()
    return None if row is None else (row.measured_at, (row.l1_a, row.l2_a, row.l3_a))


def peak_since(site_id: int, since: datetime) -> Phases | None:
    """The highest load per phase measured since `since` (each phase on its own); None
    without readings."""
    with read_session() as session:
        found = session.exec(
            select(
                func.max(BuildingLoadReading.l1_a),
                func.max(BuildingLoadReading.l2_a),
                func.max(BuildingLoadReading.l3_a),
            ).where(
                col(BuildingLoadReading.site_id) == site_id,
                col(BuildingLoadReading.measured_at) >= since,
            )
        ).one()
    l1, l2, l3 = found
    return None if l1 is None else (float(l1), float(l2), float(l3))


def readings_since(site_id: int, since: datetime) -> list[tuple[datetime, float, float, float]]:
    """(measured_at, l1, l2, l3) since `since`, oldest first."""
    with read_session() as session:
        rows = session.exec(
            select(
                BuildingLoadReading.measured_at,
                BuildingLoadReading.l1_a,
                BuildingLoadReading.l2_a,
                BuildingLoadReading.l3_a,
            )
            .where(
                col(BuildingLoadReading.site_id) == site_id,
                col(BuildingLoadReading.measured_at) >= since,
            )
            .order_by(col(BuildingLoadReading.measured_at), col(BuildingLoadReading.id))
        ).all()
    return [(at, l1, l2, l3) for at, l1, l2, l3 in rows]
