"""Station availability for the map: the best of the station's charge points."""

from __future__ import annotations

import pytest

from ccms_app.network.rules.station_availability import (
    ChargePointState,
    charge_point_availability,
    station_availability,
    summary,
)


def cp(*connectors: str, online: bool = True, in_service: bool = True, status: str = "Available"):
    return ChargePointState(online, in_service, status, tuple(connectors))


@pytest.mark.parametrize(
    ("state", "expected"),
    [
        (cp("Available", "Charging"), "free"),
        (cp("Charging", "SuspendedEV"), "busy"),
        (cp("Reserved"), "busy"),
        (cp("Faulted", "Unavailable"), "faulted"),
        (cp("Faulted", "Charging"), "busy"),
        (cp("Available", status="Faulted"), "faulted"),  # the whole charge point is down
        (cp("Available", in_service=False), "faulted"),  # disabled by the operator
        (cp("Available", online=False), "offline"),
        (cp(status="Unknown"), "offline"),  # connected, nothing reported yet
        (cp(), "free"),  # no connectors known: connector 0 speaks for it
    ],
)
def test_charge_point_availability(state: ChargePointState, expected: str) -> None:
    assert charge_point_availability(state) == expected


def test_a_station_is_as_available_as_its_best_charge_point() -> None:
    assert station_availability([cp("Faulted"), cp("Charging"), cp(online=False)]) == "busy"
    assert station_availability([cp("Faulted"), cp("Available", online=False)]) == "faulted"
    assert station_availability([]) == "offline"


def test_summary() -> None:
    assert summary(["free", "offline", "free"]) == "3 charge points: 2 free, 1 offline"
    assert summary(["busy"]) == "1 charge point: 1 busy"
    assert summary([]) == "No charge points"
