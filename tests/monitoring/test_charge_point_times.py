"""A charge point's page shows its times (commands, configuration, reservations) in its
station's time zone, each with the zone's abbreviation, not in UTC beside local times."""

from __future__ import annotations

from datetime import UTC, datetime

from sqlmodel import Session

from ccms_app.accounts.models import Organisation
from ccms_app.control.models import ChargePointCommand, ChargePointConfiguration
from ccms_app.monitoring.charge_point_view import load_configuration, load_history
from ccms_app.network.models import ChargePoint, Station

WINTER_NOON = datetime(2026, 1, 15, 12, 0, tzinfo=UTC)


def test_times_are_in_the_stations_zone(session: Session, organisation: Organisation) -> None:
    station = Station(name="Depot", organisation_id=organisation.id, timezone="Europe/Berlin")
    session.add(station)
    session.flush()
    cp = ChargePoint(identity="CP-TZ-1", organisation_id=organisation.id, station_id=station.id)
    session.add(cp)
    session.flush()
    session.add(
        ChargePointCommand(
            organisation_id=organisation.id or 0,
            charge_point_id=cp.id or 0,
            action="Reset",
            created_at=WINTER_NOON,
            updated_at=WINTER_NOON,
        )
    )
    session.add(
        ChargePointConfiguration(
            charge_point_id=cp.id or 0, key="HeartbeatInterval", value="300", updated_at=WINTER_NOON
        )
    )
    session.commit()

    (command,) = load_history(cp.id or 0)
    (entry,) = load_configuration(cp.id or 0)

    assert "13:00" in command.at and command.at.endswith("CET")
    assert "13:00" in entry.updated and entry.updated.endswith("CET")
