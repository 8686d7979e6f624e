"""Charge points as the operator maintains them: create with connectors, edit, delete, usage
state (disable / enable), each validation error, on a real database; the usage state over a
real websocket (ChangeAvailability sent, Authorize answered Invalid)."""

from __future__ import annotations

import pytest
from ocpp.v16 import call
from sqlalchemy.engine import Engine
from sqlmodel import Session, select

from ccms_app.accounts.models import Organisation
from ccms_app.accounts.organisations import organisation_scope
from ccms_app.charging.models import ChargingSession
from ccms_app.control.models import ChargePointCommand
from ccms_app.core import db
from ccms_app.core.types import utc_now
from ccms_app.drivers.authorization import check_id_tag
from ccms_app.drivers.models import IdTag
from ccms_app.network import charge_point_admin as admin
from ccms_app.network import charge_point_usage as usage
from ccms_app.network import stations
from ccms_app.network.assets import AssetError, AssetInUse, AssetNotFound
from ccms_app.network.models import ChargePoint, Connector, StatusEvent
from tests.fixtures.ocpp import ScriptedChargePoint, connect_charge_point

BY = "ops@example.com"
DETAILS = {
    "identity": "CP-0001",
    "vendor": "Alfen",
    "model": "Eve Double",
    "serial_number": "ACE0001",
    "firmware_version": "6.4.0",
    "min_power_kw": "1.4",
    "max_power_kw": "22",
    "min_voltage_v": "230",
    "max_voltage_v": "400",
    "phases": "3",
    "charging_method": "AC",
}
TWO_CONNECTORS = [
    {"connector_id": "1", "connector_type": "Type2", "max_power_kw": "22"},
    {"connector_id": "2", "connector_type": "Type2", "max_power_kw": "11"},
]


@pytest.fixture
def scope(organisation: Organisation) -> frozenset[int]:
    return organisation_scope(organisation.id)


@pytest.fixture
def station_id(scope, organisation: Organisation) -> int:
    return stations.create_station(scope, {"name": "Depot"}, organisation.id).id


@pytest.fixture
def cp(scope, station_id: int) -> admin.ChargePointView:
    return admin.create_charge_point(scope, DETAILS, TWO_CONNECTORS, station_id)


def test_create_a_charge_point_with_its_connectors(cp: admin.ChargePointView, station_id) -> None:
    assert (cp.identity, cp.station_id, cp.registration_state) == (
        "CP-0001",
        station_id,
        "registered",
    )
    assert (cp.min_power_w, cp.max_power_w, cp.phases, cp.enabled) == (1400, 22000, 3, True)
    assert [(c.connector_id, c.connector_type, c.max_power_w) for c in cp.connectors] == [
        (1, "Type2", 22000),
        (2, "Type2", 11000),
    ]
    assert cp.form()["max_power_kw"] == "22" and cp.connector_forms()[1]["max_power_kw"] == "11"


def test_every_charge_point_problem_is_reported_at_once(scope, cp, station_id) -> None:
    with pytest.raises(AssetError) as refused:
        admin.create_charge_point(
            scope,
            {**DETAILS, "max_power_kw": "11", "phases": "2"},
            [
                {"connector_id": "1", "connector_type": "CCS2", "max_power_kw": "22"},
                {"connector_id": "1", "connector_type": "Type2"},
            ],
            None,
        )
    assert set(refused.value.errors) == {
        "identity",
        "phases",
        "station_id",
        "connectors.0.connector_type",
        "connectors.0.max_power_kw",
        "connectors.1.connector_id",
    }
    assert refused.value.errors["identity"] == "The identity 'CP-0001' is already in use"


def test_edit_details_and_connector_list(scope, cp, engine: Engine) -> None:
    edited = admin.update_charge_point(
        scope,
        cp.id,
        {
            **DETAILS,
            "identity": "CP-0001-A",
            "max_power_kw": "50",
            "charging_method": "DC",
            "phases": "",
        },
        [
            {"connector_id": "1", "connector_type": "CCS2", "max_power_kw": "50"},
            {"connector_id": "3", "connector_type": "CHAdeMO", "max_power_kw": "50"},
        ],
        cp.station_id,
    )
    assert (edited.identity, edited.charging_method, edited.phases) == ("CP-0001-A", "DC", None)
    assert [(c.connector_id, c.connector_type) for c in edited.connectors] == [
        (1, "CCS2"),
        (3, "CHAdeMO"),
    ]
    trimmed = admin.set_connectors(scope, cp.id, [{"connector_id": "1", "connector_type": "CCS2"}])
    assert [c.connector_id for c in trimmed.connectors] == [1]


def test_a_connector_with_sessions_is_not_removed(scope, cp, organisation, engine) -> None:
    with Session(engine) as s:
        connector = s.exec(select(Connector).where(Connector.connector_id == 2)).one()
        s.add(_session(organisation.id, cp.id, connector.id))
        s.commit()
    with pytest.raises(AssetInUse, match="Connector 2 has charging sessions"):
        admin.set_connectors(scope, cp.id, TWO_CONNECTORS[:1])
    assert len(admin.get_charge_point(scope, cp.id).connectors) == 2  # nothing changed


def test_identity_changes_only_while_offline(scope, cp, engine: Engine) -> None:
    with db.session_scope() as s:
        s.get(ChargePoint, cp.id).is_online = True
    with pytest.raises(AssetError) as refused:
        admin.update_charge_point(
            scope, cp.id, {**DETAILS, "identity": "CP-NEW"}, TWO_CONNECTORS, cp.station_id
        )
    assert "only change while the charge point is offline" in refused.value.errors["identity"]


def test_delete_takes_the_charge_points_own_records(scope, cp, organisation, engine) -> None:
    with Session(engine) as s:
        s.add(
            StatusEvent(
                charge_point_id=cp.id, connector_id=1, status="Available", error_code="NoError"
            )
        )
        s.add(
            ChargePointCommand(
                organisation_id=organisation.id, charge_point_id=cp.id, action="Reset"
            )
        )
        s.commit()
    admin.delete_charge_point(scope, cp.id)
    with pytest.raises(AssetNotFound):
        admin.get_charge_point(scope, cp.id)
    with Session(engine) as s:
        assert s.exec(select(StatusEvent)).all() == []
        assert s.exec(select(Connector)).all() == []
        assert s.exec(select(ChargePointCommand)).all() == []


def test_a_charge_point_that_charged_is_disabled_not_deleted(scope, cp, organisation, engine):
    with Session(engine) as s:
        s.add(_session(organisation.id, cp.id, None))
        s.commit()
    with pytest.raises(AssetInUse) as refused:
        admin.delete_charge_point(scope, cp.id)
    assert refused.value.alternative == "disable"
    assert "has 1 charging session" in str(refused.value)


def test_another_operators_charge_point_does_not_exist_for_a_sub_operator(
    cp, organisation, engine
) -> None:
    with Session(engine) as s:
        partner = Organisation(name="Partner", parent_id=organisation.id)
        s.add(partner)
        s.commit()
        partner_scope = organisation_scope(partner.id)
    with pytest.raises(AssetNotFound):
        admin.delete_charge_point(partner_scope, cp.id)
    with pytest.raises(AssetNotFound):
        admin.find_by_identity(partner_scope, "CP-0001")


# --- usage state -------------------------------------------------------------------------


async def test_disabling_an_offline_charge_point_refuses_its_id_tags(
    scope, cp, organisation, engine
) -> None:
    with Session(engine) as s:
        s.add(IdTag(id_tag="CARD-1", organisation_id=organisation.id))
        s.commit()
    result = await usage.set_charge_point_enabled(scope, cp.id, False, BY)
    assert (result.changed, result.command_status) == (True, "")
    assert result.describe() == "CP-0001 disabled (offline: no ChangeAvailability sent)"
    assert _authorize(engine, cp.id) == "Invalid"
    again = await usage.set_charge_point_enabled(scope, cp.id, True, BY)
    assert again.changed and _authorize(engine, cp.id) == "Accepted"


async def test_disable_and_enable_a_connected_charge_point(
    scope, cp, organisation, engine, ocpp_url: str, command_port
) -> None:
    with Session(engine) as s:
        s.add(IdTag(id_tag="CARD-1", organisation_id=organisation.id))
        s.commit()
    async with connect_charge_point(ocpp_url, "CP-0001") as charger:
        assert isinstance(charger, ScriptedChargePoint)
        await charger.call(
            call.BootNotification(charge_point_vendor="Alfen", charge_point_model="Eve")
        )
        disabled = await usage.set_charge_point_enabled(scope, cp.id, False, BY)
        assert disabled.command_status == "accepted"
        assert charger.received[-1] == (
            "ChangeAvailability",
            {"connector_id": 0, "type": "Inoperative"},
        )
        reply = await charger.call(call.Authorize(id_tag="CARD-1"))
        assert reply.id_tag_info["status"] == "Invalid"

        results = await usage.set_station_enabled(scope, cp.station_id, True, BY)
        assert [(r.changed, r.command_status) for r in results] == [(True, "accepted")]
        assert charger.received[-1][1]["type"] == "Operative"
        reply = await charger.call(call.Authorize(id_tag="CARD-1"))
        assert reply.id_tag_info["status"] == "Accepted"


def _authorize(engine: Engine, charge_point_id: int) -> str:
    with Session(engine) as s:
        charge_point = s.get(ChargePoint, charge_point_id)
        return check_id_tag(s, "CARD-1", charge_point, utc_now()).status


def _session(organisation_id: int, charge_point_id: int, connector_pk: int | None):
    return ChargingSession(
        organisation_id=organisation_id,
        charge_point_id=charge_point_id,
        connector_pk=connector_pk,
        connector_id=2,
        id_tag="CARD-1",
        start_time=utc_now(),
        meter_start_wh=0,
    )
