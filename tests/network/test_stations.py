"""Operation areas and stations: create, edit, delete, each validation error, and the scope
rules between an operator and its sub-operators, on a real migrated database."""

from __future__ import annotations

import pytest
from sqlmodel import Session, select

from ccms_app.accounts.models import Organisation
from ccms_app.accounts.organisations import organisation_scope
from ccms_app.charging import session_history
from ccms_app.charging.models import ChargingSession
from ccms_app.core.types import utc_now
from ccms_app.network import areas, stations
from ccms_app.network.assets import AssetError, AssetInUse, AssetNotFound
from ccms_app.network.models import ChargePoint, Connector, Station

DEPOT = {
    "name": "Depot North",
    "address": "Hafenstraße 1, Hamburg",
    "latitude": "53.5461",
    "longitude": "9.9661",
    "timezone": "Europe/Berlin",
    "opening_hours": "Mo-Fr 07:00-20:00; Sa 09:00-14:00",
}


@pytest.fixture
def partner(session: Session, organisation: Organisation) -> Organisation:
    """A sub-operator of the test operator."""
    org = Organisation(name="Partner", parent_id=organisation.id)
    session.add(org)
    session.commit()
    session.refresh(org)
    return org


@pytest.fixture
def scope(organisation: Organisation, partner: Organisation) -> frozenset[int]:
    return organisation_scope(organisation.id)


# --- areas -------------------------------------------------------------------------------


def test_create_rename_and_delete_an_area(scope, organisation: Organisation) -> None:
    area = areas.create_area(scope, organisation.id, {"name": "Hamburg"})
    assert (area.name, area.station_count) == ("Hamburg", 0)
    renamed = areas.update_area(scope, area.id, {"name": "Hamburg Port"})
    assert renamed.name == "Hamburg Port"
    assert areas.area_choices(scope) == [(area.id, "Hamburg Port")]
    areas.delete_area(scope, area.id)
    with pytest.raises(AssetNotFound):
        areas.get_area(scope, area.id)


def test_area_names_are_unique_per_organisation(scope, organisation, partner) -> None:
    areas.create_area(scope, organisation.id, {"name": "Hamburg"})
    with pytest.raises(AssetError) as refused:
        areas.create_area(scope, organisation.id, {"name": "hamburg"})
    assert refused.value.errors == {"name": "An area named 'hamburg' already exists"}
    assert areas.create_area(scope, partner.id, {"name": "Hamburg"}).organisation_id == partner.id


def test_an_area_with_stations_is_not_deleted(scope, organisation) -> None:
    area = areas.create_area(scope, organisation.id, {"name": "Hamburg"})
    stations.create_station(scope, DEPOT, organisation.id, area.id)
    with pytest.raises(AssetInUse, match="still has 1 station"):
        areas.delete_area(scope, area.id)


# --- stations ----------------------------------------------------------------------------


def test_create_a_station_with_every_field(scope, organisation, session: Session) -> None:
    area = areas.create_area(scope, organisation.id, {"name": "Hamburg"})
    view = stations.create_station(scope, DEPOT, organisation.id, area.id)
    assert (view.name, view.area, view.organisation) == ("Depot North", "Hamburg", "Test Operator")
    session.rollback()  # end the test session's snapshot: see what the service committed
    row = session.get(Station, view.id)
    assert row is not None
    assert (row.latitude, row.longitude, row.timezone) == (53.5461, 9.9661, "Europe/Berlin")
    assert row.opening_hours == "Mo-Fr 07:00-20:00; Sa 09:00-14:00"
    assert view.form()["latitude"] == "53.5461" and view.form()["area_id"] == str(area.id)


def test_every_station_problem_is_reported_at_once(scope, organisation, partner) -> None:
    stations.create_station(scope, DEPOT, organisation.id)
    other_area = areas.create_area(
        organisation_scope(partner.id), partner.id, {"name": "Partner area"}
    )
    operator_only = organisation_scope(partner.id)  # the partner's view: no operator area
    parent_area = areas.create_area(scope, organisation.id, {"name": "Operator area"})
    with pytest.raises(AssetError) as refused:
        stations.create_station(
            operator_only,
            {**DEPOT, "name": "Yard", "latitude": "95", "timezone": "Berlin"},
            partner.id,
            parent_area.id,
        )
    assert set(refused.value.errors) == {"latitude", "timezone", "area_id"}
    assert str(refused.value) == "Station not saved: 3 fields need correcting"
    with pytest.raises(AssetError) as duplicate:
        stations.create_station(scope, {**DEPOT, "opening_hours": "always"}, organisation.id)
    assert set(duplicate.value.errors) == {"name", "opening_hours"}
    assert other_area.organisation_id == partner.id


def test_a_sub_operator_works_only_on_its_own_rows(scope, organisation, partner) -> None:
    depot = stations.create_station(scope, DEPOT, organisation.id)
    partner_scope = organisation_scope(partner.id)
    with pytest.raises(AssetNotFound):
        stations.get_station(partner_scope, depot.id)
    with pytest.raises(AssetNotFound):
        stations.update_station(partner_scope, depot.id, DEPOT)
    with pytest.raises(AssetError) as refused:
        stations.create_station(partner_scope, {**DEPOT, "name": "Mine"}, organisation.id)
    assert refused.value.errors == {"organisation_id": "Choose an organisation you manage"}
    own = stations.create_station(partner_scope, {**DEPOT, "name": "Mine"}, partner.id)
    with pytest.raises(AssetError, match="organisation you manage"):
        stations.update_station(partner_scope, own.id, DEPOT, organisation_id=organisation.id)


def test_a_new_owner_takes_the_charge_points_along(
    scope, organisation, partner, session: Session
) -> None:
    depot = stations.create_station(scope, DEPOT, organisation.id)
    session.rollback()
    cp = ChargePoint(identity="CP-1", organisation_id=organisation.id, station_id=depot.id)
    session.add(cp)
    session.flush()
    session.add(Connector(charge_point_id=cp.id, organisation_id=organisation.id, connector_id=1))
    session.commit()
    moved = stations.update_station(scope, depot.id, DEPOT, organisation_id=partner.id)
    assert (moved.organisation_id, moved.charge_point_count) == (partner.id, 1)
    session.rollback()
    assert session.get(ChargePoint, cp.id).organisation_id == partner.id
    assert {c.organisation_id for c in session.exec(select(Connector))} == {partner.id}


def test_a_station_with_charge_points_is_not_deleted(scope, organisation, session) -> None:
    depot = stations.create_station(scope, DEPOT, organisation.id)
    session.rollback()
    session.add(ChargePoint(identity="CP-1", organisation_id=organisation.id, station_id=depot.id))
    session.commit()
    with pytest.raises(AssetInUse) as refused:
        stations.delete_station(scope, depot.id)
    assert refused.value.alternative == "disable"
    assert "still has 1 charge point" in str(refused.value)
    empty = stations.create_station(scope, {**DEPOT, "name": "Empty"}, organisation.id)
    stations.delete_station(scope, empty.id)
    assert stations.station_choices(scope) == [(depot.id, "Depot North")]


def test_recent_sessions_of_a_station(scope, organisation, session: Session) -> None:
    depot = stations.create_station(scope, DEPOT, organisation.id)
    session.rollback()
    cp = ChargePoint(identity="CP-1", organisation_id=organisation.id, station_id=depot.id)
    session.add(cp)
    session.flush()
    for tag in ("A", "B"):
        session.add(
            ChargingSession(
                organisation_id=organisation.id,
                charge_point_id=cp.id,
                connector_id=1,
                id_tag=tag,
                start_time=utc_now(),
                meter_start_wh=0,
                energy_wh=1500,
            )
        )
    session.commit()
    recent = session_history.recent_sessions(scope, station_id=depot.id, limit=5)
    assert [s.id_tag for s in recent] == ["B", "A"]
    assert recent[0].identity == "CP-1" and recent[0].energy_wh == 1500
