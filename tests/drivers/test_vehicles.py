"""Vehicles service on a real database: kWh input to Wh, validation, driver link, scope, list."""

from __future__ import annotations

import pytest

from ccms_app.core.listing import ListQuery, fetch_page
from ccms_app.drivers import driver_admin as drivers
from ccms_app.drivers import vehicles
from ccms_app.drivers.common import NotFoundError, Scope, UserInputError
from ccms_app.drivers.vehicles import VehicleInput
from tests.drivers.support import partner_scope, scope

__all__ = ["partner_scope", "scope"]


def test_create_edit_delete(scope: Scope) -> None:
    driver = drivers.create_driver(scope, drivers.DriverInput("Vera"))
    car = vehicles.create_vehicle(
        scope, VehicleInput(" Hyundai ", "Ioniq 5", "77.4", "ab-123-c", driver.id)
    )
    assert (car.make, car.battery_capacity_wh, car.capacity_kwh_text) == (
        "Hyundai",
        77_400,
        "77.4",
    )
    assert (car.licence_plate, car.driver_name) == ("AB-123-C", "Vera")

    edited = vehicles.update_vehicle(scope, car.id, VehicleInput("Hyundai", "Kona", "", ""))
    assert (edited.model, edited.battery_capacity_wh, edited.driver_id) == ("Kona", None, None)
    assert vehicles.get_vehicle(scope, car.id) == edited

    assert vehicles.delete_vehicle(scope, car.id) == "Hyundai Kona"
    with pytest.raises(NotFoundError):
        vehicles.get_vehicle(scope, car.id)


@pytest.mark.parametrize(
    ("typed", "wh"),
    [("60", 60_000), ("75,5", 75_500), ("0.001", 1), ("2000", 2_000_000), ("64.000", 64_000)],
)
def test_capacity_kwh_to_wh(scope: Scope, typed: str, wh: int) -> None:
    car = vehicles.create_vehicle(scope, VehicleInput("Make", "Model", typed))
    assert car.battery_capacity_wh == wh
    assert vehicles.kwh_text(wh) == typed.replace(",", ".").rstrip("0").rstrip(".") or "0"


@pytest.mark.parametrize(
    ("typed", "message"),
    [
        ("lots", "not a number of kWh"),
        ("0", "above 0"),
        ("-5", "not a number"),
        ("2000.5", "up to 2000"),
        ("NaN", "not a number"),
        ("1e3", "not a number"),
        ("60.0001", "At most 3 decimals"),
    ],
)
def test_capacity_errors(scope: Scope, typed: str, message: str) -> None:
    with pytest.raises(UserInputError) as caught:
        vehicles.create_vehicle(scope, VehicleInput("Make", "Model", typed))
    assert message in caught.value.errors["battery_capacity_kwh"]


def test_every_field_error_at_once(scope: Scope) -> None:
    with pytest.raises(UserInputError) as caught:
        vehicles.create_vehicle(scope, VehicleInput("", "m" * 101, "x", "P" * 21, 999_999))
    assert set(caught.value.errors) == {
        "make",
        "model",
        "battery_capacity_kwh",
        "licence_plate",
        "driver",
    }
    assert caught.value.errors["make"] == "Make is required"


def test_scope(scope: Scope, partner_scope: Scope) -> None:
    operator_driver = drivers.create_driver(scope, drivers.DriverInput("O"))
    mine = vehicles.create_vehicle(scope, VehicleInput("Nissan", "Leaf", "40"))
    theirs = vehicles.create_vehicle(partner_scope, VehicleInput("BYD", "Atto 3", "60.48"))

    assert vehicles.get_vehicle(scope, theirs.id).make == "BYD"
    with pytest.raises(NotFoundError):
        vehicles.get_vehicle(partner_scope, mine.id)
    with pytest.raises(NotFoundError):
        vehicles.delete_vehicle(partner_scope, mine.id)
    with pytest.raises(UserInputError) as caught:
        vehicles.update_vehicle(
            partner_scope, theirs.id, VehicleInput("BYD", "Atto 3", "", "", operator_driver.id)
        )
    assert caught.value.errors == {"driver": f"Driver {operator_driver.id} not found"}
    assert vehicles.count_vehicles(partner_scope) == 1
    assert vehicles.count_vehicles(scope) == 2


def test_list(scope: Scope) -> None:
    driver = drivers.create_driver(scope, drivers.DriverInput("Listed driver"))
    vehicles.create_vehicle(scope, VehicleInput("Tesla", "Model Y", "75", "", driver.id))
    vehicles.create_vehicle(scope, VehicleInput("Fiat", "500e", "42"))
    ids = scope.organisation_ids

    page = fetch_page(vehicles.VEHICLE_LIST, ListQuery(), ids)
    assert [(r["make"], r["driver"]) for r in page.rows] == [
        ("Fiat", ""),
        ("Tesla", "Listed driver"),
    ]
    found = fetch_page(vehicles.VEHICLE_LIST, ListQuery(search="listed"), ids)
    assert [r["model"] for r in found.rows] == ["Model Y"]
    big = fetch_page(vehicles.VEHICLE_LIST, ListQuery(sort="battery_capacity_wh"), ids)
    assert [r["battery_capacity_wh"] for r in big.rows] == [42_000, 75_000]
