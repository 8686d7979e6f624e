"""Drivers service on a real database: validation, scope, suspend, delete rules, detail, list."""

from __future__ import annotations

import pytest

from ccms_app.core.listing import ListQuery, fetch_page
from ccms_app.drivers import driver_admin as drivers
from ccms_app.drivers import id_tags, user_groups, vehicles
from ccms_app.drivers.common import NotFoundError, RefusedError, Scope, UserInputError
from ccms_app.drivers.driver_admin import DriverInput
from tests.drivers.support import partner_scope, record_session, scope

__all__ = ["partner_scope", "scope"]


def test_create_and_edit_a_driver(scope: Scope) -> None:
    created = drivers.create_driver(
        scope, DriverInput("  Ada Lovelace ", "ada@example.com", "+44 20 7946 0000")
    )
    assert (created.name, created.email, created.status) == (
        "Ada Lovelace",
        "ada@example.com",
        "active",
    )
    assert created.organisation_id == scope.organisation_id

    edited = drivers.update_driver(scope, created.id, DriverInput("Ada King", "", "12345"))
    assert drivers.get_driver(scope, created.id) == edited
    assert (edited.name, edited.email, edited.phone) == ("Ada King", "", "12345")


def test_every_field_error_is_reported_at_once(scope: Scope) -> None:
    with pytest.raises(UserInputError) as caught:
        drivers.create_driver(scope, DriverInput("", "not-an-email", "call me"))
    assert set(caught.value.errors) == {"name", "email", "phone"}
    assert caught.value.errors["name"] == "Name is required"
    assert "not an email address" in caught.value.errors["email"]
    assert drivers.count_drivers(scope) == 0


def test_lengths_are_checked(scope: Scope) -> None:
    with pytest.raises(UserInputError) as caught:
        drivers.create_driver(scope, DriverInput("x" * 201, "a@b.co", "1" * 41))
    assert caught.value.errors == {
        "name": "At most 200 characters (201 given)",
        "phone": "At most 40 characters (41 given)",
    }


def test_email_is_unique_per_organisation_ignoring_case(scope: Scope, partner_scope) -> None:
    first = drivers.create_driver(scope, DriverInput("A", "Fleet@Example.com"))
    with pytest.raises(UserInputError) as caught:
        drivers.create_driver(scope, DriverInput("B", "fleet@example.COM"))
    assert "already uses" in caught.value.errors["email"]
    drivers.update_driver(scope, first.id, DriverInput("A2", "fleet@example.com"))  # itself
    drivers.create_driver(partner_scope, DriverInput("C", "fleet@example.com"))  # other org


def test_a_sub_operator_sees_and_edits_only_its_own(scope: Scope, partner_scope: Scope) -> None:
    operators = drivers.create_driver(scope, DriverInput("Operator's driver"))
    partners = drivers.create_driver(partner_scope, DriverInput("Partner's driver"))

    assert drivers.get_driver(scope, partners.id).name == "Partner's driver"  # parent sees it
    for call in (
        lambda: drivers.get_driver(partner_scope, operators.id),
        lambda: drivers.update_driver(partner_scope, operators.id, DriverInput("Hijack")),
        lambda: drivers.suspend_driver(partner_scope, operators.id),
        lambda: drivers.delete_driver(partner_scope, operators.id),
        lambda: drivers.driver_detail(partner_scope, operators.id),
    ):
        with pytest.raises(NotFoundError):
            call()
    assert drivers.count_drivers(scope) == 2
    assert drivers.count_drivers(partner_scope) == 1
    assert [name for _, name in drivers.driver_choices(partner_scope)] == ["Partner's driver"]
    page = fetch_page(drivers.DRIVER_LIST, ListQuery(), partner_scope.organisation_ids)
    assert [row["name"] for row in page.rows] == ["Partner's driver"]


def test_suspend_and_reactivate(scope: Scope) -> None:
    driver = drivers.create_driver(scope, DriverInput("Sam"))
    assert drivers.suspend_driver(scope, driver.id).status == "suspended"
    assert drivers.suspend_driver(scope, driver.id).status == "suspended"  # idempotent
    assert drivers.reactivate_driver(scope, driver.id).status == "active"


def test_delete_is_refused_with_cards_or_sessions(scope: Scope) -> None:
    driver = drivers.create_driver(scope, DriverInput("Card holder"))
    card = id_tags.issue_id_tag(scope, id_tags.IdTagInput("CARD-1", driver_id=driver.id))
    record_session(scope.organisation_id, "card-1")

    with pytest.raises(RefusedError) as caught:
        drivers.delete_driver(scope, driver.id)
    assert "1 card(s) and 1 charging session(s)" in str(caught.value)
    assert "suspend" in str(caught.value)

    id_tags.update_id_tag(scope, card.id, id_tags.IdTagInput())  # unassigned
    drivers.delete_driver(scope, driver.id)  # sessions belong to cards, the card moved on
    with pytest.raises(NotFoundError):
        drivers.get_driver(scope, driver.id)


def test_delete_removes_memberships_and_unlinks_vehicles(scope: Scope) -> None:
    driver = drivers.create_driver(scope, DriverInput("Leaver"))
    group = user_groups.create_group(scope, user_groups.GroupInput("Fleet"))
    user_groups.add_member(scope, group.id, driver.id)
    car = vehicles.create_vehicle(
        scope, vehicles.VehicleInput("Kia", "EV6", "77.4", driver_id=driver.id)
    )

    result = drivers.delete_driver(scope, driver.id)

    assert (result.memberships_removed, result.vehicles_unlinked) == (1, 1)
    assert user_groups.group_detail(scope, group.id).members == []
    assert vehicles.get_vehicle(scope, car.id).driver_id is None


def test_detail_shows_cards_groups_vehicles_and_recent_sessions(scope: Scope) -> None:
    driver = drivers.create_driver(scope, DriverInput("Detail", "d@example.com"))
    id_tags.issue_id_tag(scope, id_tags.IdTagInput("AB12CD", driver_id=driver.id))
    group = user_groups.create_group(scope, user_groups.GroupInput("Fleet"))
    user_groups.add_member(scope, group.id, driver.id, authorised=False)
    vehicles.create_vehicle(scope, vehicles.VehicleInput("Renault", "Zoe", "52", "ab-12"))
    vehicles.create_vehicle(
        scope, vehicles.VehicleInput("Tesla", "Model 3", "60", driver_id=driver.id)
    )
    session_id = record_session(scope.organisation_id, "ab12cd")  # spelled by the charger

    detail = drivers.driver_detail(scope, driver.id)

    assert detail.driver.email == "d@example.com"
    assert [c.id_tag for c in detail.cards] == ["AB12CD"]
    assert [(g.name, g.authorised) for g in detail.groups] == [("Fleet", False)]
    assert [(v.make, v.battery_capacity_wh) for v in detail.vehicles] == [("Tesla", 60_000)]
    assert [(s.id, s.energy_wh) for s in detail.recent_sessions] == [(session_id, 12_000)]
    (recent,) = detail.recent_sessions  # which charger, where, in that station's zone
    assert (recent.charge_point, recent.station) == ("CP-USERS-1", "Users Depot")


def test_list_searches_filters_and_sorts(scope: Scope) -> None:
    for name, mail in [("Zoe", "z@x.io"), ("adam", "a@x.io"), ("Bea", "bea@corp.io")]:
        drivers.create_driver(scope, DriverInput(name, mail))
    drivers.suspend_driver(scope, drivers.driver_choices(scope, "bea")[0][0])
    ids = scope.organisation_ids

    assert [r["name"] for r in fetch_page(drivers.DRIVER_LIST, ListQuery(), ids).rows] == [
        "Bea",
        "Zoe",
        "adam",
    ]
    found = fetch_page(drivers.DRIVER_LIST, ListQuery(search="CORP"), ids)
    assert [r["name"] for r in found.rows] == ["Bea"]
    suspended = fetch_page(drivers.DRIVER_LIST, ListQuery(filters={"status": "suspended"}), ids)
    assert [r["name"] for r in suspended.rows] == ["Bea"]
