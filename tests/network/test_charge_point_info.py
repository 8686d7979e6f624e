"""What a charge point page's forms start on: a reservation on a free connector, never on
connector 0 (the whole charge point), which many chargers reject for ReserveNow."""

from __future__ import annotations

import pytest
from sqlmodel import Session

from ccms_app.accounts.models import Organisation
from ccms_app.network.charge_point_info import charge_point_info, charger_connect_url
from ccms_app.network.models import ChargePoint, Connector, ConnectorStatus
from tests.fixtures.settings import SettingsEnv


def _charge_point(session: Session, organisation: Organisation, statuses: dict[int, str]) -> None:
    cp = ChargePoint(identity="CP-RES-1", organisation_id=organisation.id)
    session.add(cp)
    session.flush()
    for connector_id, status in statuses.items():
        session.add(
            Connector(
                organisation_id=organisation.id,
                charge_point_id=cp.id,
                connector_id=connector_id,
                status=status,
            )
        )
    session.commit()


@pytest.mark.parametrize(
    ("statuses", "free", "to_reserve"),
    [
        (
            {0: ConnectorStatus.AVAILABLE, 1: ConnectorStatus.CHARGING, 2: "Available"},
            (2,),
            2,
        ),
        ({1: ConnectorStatus.FAULTED, 2: ConnectorStatus.CHARGING}, (), 1),
        ({}, (), 1),
    ],
    ids=["a free connector", "none free: the first", "no connectors yet"],
)
def test_a_reservation_starts_on_a_free_connector(
    session: Session,
    organisation: Organisation,
    statuses: dict[int, str],
    free: tuple[int, ...],
    to_reserve: int,
) -> None:
    _charge_point(session, organisation, statuses)

    info = charge_point_info("CP-RES-1", [organisation.id or 0])

    assert info is not None
    assert info.free_connector_ids == free
    assert info.connector_to_reserve == to_reserve


def test_the_page_gives_the_address_to_set_in_the_charger(
    session: Session, organisation: Organisation, settings_env: SettingsEnv
) -> None:
    settings_env.setenv("CCMS_OCPP_PUBLIC_URL", "wss://ocpp.example.com/ocpp")
    _charge_point(session, organisation, {1: ConnectorStatus.AVAILABLE})  # booted unknown

    info = charge_point_info("CP-RES-1", [organisation.id or 0])

    assert info is not None and info.unregistered
    assert info.connect_url == "wss://ocpp.example.com/ocpp/CP-RES-1"
    assert charger_connect_url("Bay 1/A") == "wss://ocpp.example.com/ocpp/Bay%201%2FA"
