"""A charge point's one status: connector 0 where it speaks for the whole charger, else the
most telling of its connectors (chargers keep connector 0 Available while they charge)."""

from __future__ import annotations

import pytest

from ccms_app.monitoring.rules.charge_point_status import charge_point_status


@pytest.mark.parametrize(
    ("connector_zero", "connectors", "shown"),
    [
        ("Available", ["Charging", "Charging"], "Charging"),
        ("Available", ["Charging", "Faulted"], "Faulted"),
        ("Available", ["Available", "SuspendedEV"], "SuspendedEV"),
        ("Available", ["Preparing", "Available"], "Preparing"),
        ("Available", ["Available", "Available"], "Available"),
        ("Available", ["Unavailable", "Unavailable"], "Unavailable"),
        ("Faulted", ["Available", "Available"], "Faulted"),  # the whole charger is down
        ("Unavailable", ["Charging"], "Unavailable"),
        ("Available", [], "Available"),  # no connector known yet
        ("Unknown", ["Unknown"], "Unknown"),
    ],
)
def test_the_charge_point_status(connector_zero: str, connectors: list[str], shown: str) -> None:
    assert charge_point_status(connector_zero, connectors) == shown
