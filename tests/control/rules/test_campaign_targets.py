"""The firmware campaign picker narrows a network down by identity, station, model and the
firmware each charger runs now; "add all matching" takes every match, not only those drawn."""

from __future__ import annotations

from ccms_app.control.firmware.state import PICKER_SHOWN, ChargePointChoice, FirmwareState
from ccms_app.control.rules.campaign_targets import TargetFilter, choices, matching

FLEET = [
    ChargePointChoice(1, "DEPOT-01", "Depot North", "ABB Terra 54", "1.8.2"),
    ChargePointChoice(2, "DEPOT-02", "Depot North", "ABB Terra 54", "1.9.0"),
    ChargePointChoice(3, "MALL-01", "Mall", "Alpitronic HYC150", "1.8.2"),
    ChargePointChoice(4, "MALL-02", "Mall", "ABB Terra 54", ""),
]


def test_filters_combine() -> None:
    abb_old = TargetFilter(model="ABB Terra 54", firmware_version="1.8.2")
    assert [t.id for t in matching(FLEET, abb_old)] == [1]
    assert [t.id for t in matching(FLEET, TargetFilter(search="mall"))] == [3, 4]
    assert [t.id for t in matching(FLEET, TargetFilter(station="Depot North"))] == [1, 2]
    assert matching(FLEET, TargetFilter()) == FLEET
    assert choices([t.firmware_version for t in FLEET]) == ["1.8.2", "1.9.0"]


def test_add_all_matching_keeps_what_was_chosen_and_takes_every_match() -> None:
    picker = FirmwareState()
    many = [ChargePointChoice(i, f"CP-{i:04d}", "Big Depot", "M", "1.0") for i in range(101, 501)]
    picker.charge_points = [*FLEET, *many]
    picker.selected = [3]

    picker.set_picker("station", "Big Depot")
    assert picker.matching_count == 400
    assert len(picker.matching_charge_points) == PICKER_SHOWN  # drawn: the first 300
    picker.select_all()
    assert len(picker.selected) == 401 and picker.selected[0] == 3

    picker.set_picker("station", "__any__")
    picker.set_picker("search", "depot-0")
    assert [c.id for c in picker.matching_charge_points] == [1, 2]
