"""Tariff use cases on a real migrated database: versions (never in the past, a session is
priced with the version valid when it started), archive, scope, and which tariff applies
where (driver > group > connector > charge point > station > network default)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta
from decimal import Decimal
from typing import Any

import pytest
from sqlalchemy.engine import Engine

from ccms_app.accounts.models import Organisation
from ccms_app.core.db import read_session, session_scope
from ccms_app.core.types import utc_now
from ccms_app.drivers.models import Driver, IdTag, UserGroup, UserGroupMember
from ccms_app.finance import tariff_assignments as ta
from ccms_app.finance import tariffs
from ccms_app.finance.errors import FinanceError, FinanceNotFound
from ccms_app.finance.models import AssignmentTarget
from ccms_app.network.models import ChargePoint, Connector, Station
from tests.fixtures.db import only_sqlite, query_plan


def energy(price: str, currency: str = "EUR") -> dict[str, Any]:
    return {
        "currency": currency,
        "elements": [
            {"price_components": [{"type": "ENERGY", "price": Decimal(price), "step_size": 1}]}
        ],
    }


@dataclass(frozen=True)
class Site:
    org: int
    scope: frozenset[int]
    station: int
    charge_point: int
    connector: int
    driver: int
    group: int


@pytest.fixture
def site(organisation: Organisation) -> Site:
    """A station with one charge point and connector; a driver with a card, in a group."""
    org = int(organisation.id or 0)
    with session_scope() as s:
        station = Station(organisation_id=org, name="Depot")
        s.add(station)
        s.flush()
        cp = ChargePoint(organisation_id=org, station_id=station.id, identity="CP-1")
        s.add(cp)
        s.flush()
        connector = Connector(organisation_id=org, charge_point_id=cp.id, connector_id=1)
        driver = Driver(organisation_id=org, name="Ada")
        group = UserGroup(organisation_id=org, name="Fleet")
        s.add_all([connector, driver, group])
        s.flush()
        s.add(IdTag(organisation_id=org, id_tag="TAG-ADA", driver_id=driver.id))
        s.add(UserGroupMember(group_id=group.id, driver_id=driver.id))
        return Site(
            org,
            frozenset({org}),
            int(station.id or 0),
            int(cp.id or 0),
            int(connector.id or 0),
            int(driver.id or 0),
            int(group.id or 0),
        )


def test_create_read_and_list(site: Site) -> None:
    made = tariffs.create_tariff(
        site.scope, site.org, " Standard ", energy("0.30"), description="AC", actor="ops@x"
    )

    assert (made.name, made.currency, made.version) == ("Standard", "EUR", 1)
    assert made.definition["elements"][0]["price_components"][0]["price"] == Decimal("0.30")
    assert [v.name for v in tariffs.list_tariffs(site.scope)] == ["Standard"]
    assert tariffs.versions(site.scope, made.id)[0].created_by == "ops@x"


def test_bad_input_names_each_field(site: Site) -> None:
    bad = {"currency": "EURO", "elements": [{"price_components": [{"type": "X", "price": 1}]}]}

    with pytest.raises(FinanceError) as caught:
        tariffs.create_tariff(site.scope, site.org, "T", bad)

    assert {"currency", "elements[0].price_components[0].type"} <= set(caught.value.errors)
    with pytest.raises(FinanceError) as caught:
        tariffs.create_tariff(site.scope, site.org, "  ", energy("0.3"))
    assert set(caught.value.errors) == {"name"}


def test_names_are_unique_per_organisation(site: Site) -> None:
    tariffs.create_tariff(site.scope, site.org, "Standard", energy("0.30"))

    with pytest.raises(FinanceError) as caught:
        tariffs.create_tariff(site.scope, site.org, "Standard", energy("0.40"))

    assert "exists already" in caught.value.errors["name"]


def test_new_prices_are_a_new_version_and_the_past_keeps_its_price(site: Site) -> None:
    made = tariffs.create_tariff(site.scope, site.org, "Standard", energy("0.30"))
    later = utc_now() + timedelta(days=1)

    updated = tariffs.update_tariff(
        site.scope, made.id, definition=energy("0.40"), valid_from=later, actor="ops@x"
    )

    assert updated.version == 2  # the editor shows the newest, even if it starts later
    with read_session() as s:
        now_version = tariffs.version_at(s, made.id, utc_now())
        later_version = tariffs.version_at(s, made.id, later + timedelta(minutes=1))
    assert now_version is not None and now_version.number == 1
    assert later_version is not None and later_version.number == 2
    with pytest.raises(FinanceError) as caught:
        tariffs.update_tariff(
            site.scope,
            made.id,
            definition=energy("0.50"),
            valid_from=utc_now() - timedelta(hours=1),
        )
    assert set(caught.value.errors) == {"valid_from"}


def test_a_tariff_keeps_its_currency(site: Site) -> None:
    made = tariffs.create_tariff(site.scope, site.org, "Standard", energy("0.30"))

    with pytest.raises(FinanceError) as caught:
        tariffs.update_tariff(site.scope, made.id, definition=energy("0.30", "SEK"))

    assert set(caught.value.errors) == {"currency"}


def test_renaming_adds_no_version(site: Site) -> None:
    made = tariffs.create_tariff(site.scope, site.org, "Old", energy("0.30"))

    renamed = tariffs.update_tariff(site.scope, made.id, name="New", description="d")

    assert (renamed.name, renamed.description, renamed.version) == ("New", "d", 1)


def test_another_organisation_s_tariff_does_not_exist(site: Site) -> None:
    made = tariffs.create_tariff(site.scope, site.org, "Standard", energy("0.30"))
    with session_scope() as s:
        other = Organisation(name="Elsewhere")
        s.add(other)
        s.flush()
        other_scope = frozenset({int(other.id or 0)})

    with pytest.raises(FinanceNotFound):
        tariffs.get_tariff(other_scope, made.id)
    with pytest.raises(FinanceError):
        tariffs.create_tariff(site.scope, int(other.id or 0), "Theirs", energy("0.1"))
    assert tariffs.list_tariffs(other_scope) == []


def _tariff(site: Site, name: str) -> int:
    return tariffs.create_tariff(
        site.scope, site.org, name, energy("0.30"), valid_from=utc_now() - timedelta(hours=1)
    ).id


def _applies(site: Site, id_tag: str = "TAG-ADA") -> str | None:
    found = ta.explain(site.scope, site.charge_point, 1, id_tag, utc_now())
    return None if found is None else found.tariff_name


def test_the_most_specific_assignment_wins(site: Site) -> None:
    targets = [
        (AssignmentTarget.NETWORK, site.org),
        (AssignmentTarget.STATION, site.station),
        (AssignmentTarget.CHARGE_POINT, site.charge_point),
        (AssignmentTarget.CONNECTOR, site.connector),
        (AssignmentTarget.GROUP, site.group),
        (AssignmentTarget.DRIVER, site.driver),
    ]
    assert _applies(site) is None  # nothing assigned: not billed

    for target, target_id in targets:
        tariff_id = _tariff(site, f"{target.value} price")
        ta.assign(site.scope, tariff_id, target, target_id, "ops@x")
        assert _applies(site) == f"{target.value} price"

    assert _applies(site, "") == "connector price"  # no card: no driver, no group
    found = ta.explain(site.scope, site.charge_point, 1, "TAG-ADA", utc_now())
    assert found is not None and found.reason == "assigned to driver Ada"
    assert [a.target for a in ta.assignments(site.scope)] == [t.value for t, _ in targets]


def test_a_card_sent_in_other_letter_case_gets_its_drivers_tariff(site: Site) -> None:
    """OCPP IdTokens are case-insensitive: Authorize accepted "tag-ada" for the card TAG-ADA,
    and the tariff resolution must find the same card (it compared the exact text, so the
    session was priced with the charge point's tariff instead of the driver's)."""
    ta.assign(site.scope, _tariff(site, "Station"), AssignmentTarget.STATION, site.station, "o")
    ta.assign(site.scope, _tariff(site, "Ada's"), AssignmentTarget.DRIVER, site.driver, "o")
    assert _applies(site, "tag-ada") == _applies(site, "TAG-ADA") == "Ada's"


@only_sqlite
def test_a_stops_tariff_lookup_seeks_the_assignments_it_names(engine: Engine) -> None:
    """Every stop asks for the assignments of its card's driver and groups, its connector,
    charge point, station and networks: a seek on (organisation, kind, id) for each, never a
    scan of an organisation's assignments (thousands with a tariff per driver)."""
    statement = ta._ASSIGNED_TO.params(
        owners=[1, 2], kinds=["driver", "station"], target_ids=[3, 4]
    )
    steps = " | ".join(query_plan(engine, statement))
    assert "organisation_id=? AND target_kind=? AND target_id=?" in steps, steps


def test_assigning_a_target_again_replaces_its_tariff_and_archiving_unassigns(
    site: Site,
) -> None:
    first, second = _tariff(site, "First"), _tariff(site, "Second")
    ta.assign(site.scope, first, AssignmentTarget.NETWORK, site.org, "ops@x")

    ta.assign(site.scope, second, AssignmentTarget.NETWORK, site.org, "ops@x")

    assert [a.tariff_name for a in ta.assignments(site.scope)] == ["Second"]
    tariffs.archive_tariff(site.scope, second)
    assert ta.assignments(site.scope) == [] and _applies(site) is None
    with pytest.raises(FinanceError):
        ta.assign(site.scope, second, AssignmentTarget.NETWORK, site.org, "ops@x")


def test_a_tariff_without_prices_yet_is_passed_over_and_said_so(site: Site) -> None:
    network = _tariff(site, "Network")
    ta.assign(site.scope, network, AssignmentTarget.NETWORK, site.org, "ops@x")
    future = tariffs.create_tariff(
        site.scope, site.org, "Future", energy("0.5"), valid_from=utc_now() + timedelta(days=2)
    )
    ta.assign(site.scope, future.id, AssignmentTarget.CHARGE_POINT, site.charge_point, "ops@x")

    found = ta.explain(site.scope, site.charge_point, 1, "", utc_now())

    assert found is not None and found.tariff_name == "Network"
    assert "passed over: Future" in found.reason


def test_assignments_to_targets_outside_the_scope_are_refused(site: Site) -> None:
    tariff_id = _tariff(site, "Standard")

    with pytest.raises(FinanceError) as caught:
        ta.assign(site.scope, tariff_id, AssignmentTarget.STATION, 999_999, "ops@x")

    assert set(caught.value.errors) == {"target_id"}
    with pytest.raises(FinanceNotFound):
        ta.unassign(site.scope, 999_999)
