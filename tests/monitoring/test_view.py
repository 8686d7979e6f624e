"""Snapshot rows as the live pages print them: units, missing values, station time zones."""

from __future__ import annotations

from datetime import UTC, datetime

from ccms_app.monitoring.snapshot import (
    ActiveSessionView,
    ChargePointView,
    ConnectorView,
    HomeCounts,
    NetworkSnapshot,
)
from ccms_app.monitoring.view import build_view, format_number, format_time

NOW = datetime(2025, 6, 1, 12, 0, tzinfo=UTC)


def test_times_are_shown_in_the_station_time_zone() -> None:
    assert format_time(datetime(2025, 6, 1, 10, 30, tzinfo=UTC), "Europe/Paris", NOW) == (
        "12:30:00 CEST"
    )
    assert format_time(datetime(2025, 5, 30, 10, 30, tzinfo=UTC), "UTC", NOW) == (
        "2025-05-30 10:30 UTC"
    )
    assert format_time(NOW, "Not/AZone", NOW) == "12:00:00 UTC"
    assert format_time(None, "UTC", NOW) == "—"


def test_numbers_carry_units_and_missing_readings_show_a_dash() -> None:
    assert format_number(11.04, "kW") == "11.0 kW"
    assert format_number(1234.5, "kWh", 2) == "1,234.50 kWh"
    assert format_number(None, "A") == "—"


def test_view_of_a_snapshot() -> None:
    snapshot = NetworkSnapshot(
        generated_at=NOW,
        charge_points=(
            ChargePointView(
                id=1,
                identity="CP-1",
                station_name="",
                station_timezone="Europe/Oslo",
                online=True,
                registration_state="registered",
                status="Available",
                error_code="NoError",
                last_seen_at=NOW,
                connectors=(
                    ConnectorView(1, "Charging", "NoError"),
                    ConnectorView(2, "Faulted", "WeakSignal"),
                ),
            ),
        ),
        sessions=(
            ActiveSessionView(
                transaction_id=5,
                charge_point_id=1,
                identity="CP-1",
                connector_id=1,
                id_tag="TAG",
                start_time=NOW,
                energy_kwh=3.5,
                power_kw=7.36,
                current_a=None,
                voltage_v=None,
                soc_percent=80.0,
            ),
        ),
        counts=HomeCounts(connectors_by_status={"Charging": 1, "Faulted": 1}, live_power_kw=7.36),
    )
    view = build_view(snapshot)
    (row,) = view.charge_points
    assert row.station == "—" and row.last_seen == "14:00:00 CEST"
    # Connector 0 says Available; the row says what its connectors do (one faulted).
    assert row.status == "Faulted"
    assert [c.label for c in row.connectors] == ["1: Charging", "2: Faulted (WeakSignal)"]
    (session,) = view.sessions
    assert (session.energy, session.power, session.current, session.soc) == (
        "3.50 kWh",
        "7.4 kW",
        "—",
        "80 %",
    )
    assert session.started == "14:00:00 CEST"
    assert [(c.status, c.count) for c in view.connector_counts] == [("Charging", 1), ("Faulted", 1)]
    assert view.counts.live_power == "7.4 kW"
    assert view.updated_at == "12:00:00 UTC"
