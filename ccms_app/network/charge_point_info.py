"""One charge point as its detail page introduces it: what it is, where, and what it runs.

The live parts (connection, connector statuses, the running session) come pushed through the
network's shared live state; this read model holds what changes rarely (boot information)
plus the choices the command forms offer (connectors, running transactions).
"""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass
from datetime import datetime
from urllib.parse import quote

from sqlmodel import col, select

from ccms_app.core.config import get_settings
from ccms_app.core.db import read_session
from ccms_app.core.rows import stored_id
from ccms_app.monitoring.snapshot import connectors_and_active_transactions
from ccms_app.network.models import (
    ChargePoint,
    Connector,
    ConnectorStatus,
    RegistrationState,
    Station,
)


@dataclass(frozen=True)
class ChargePointInfo:
    id: int
    identity: str
    organisation_id: int
    station_name: str
    station_timezone: str
    vendor: str
    model: str
    serial_number: str
    firmware_version: str
    meter_type: str
    registration_state: str
    online: bool
    last_boot_at: datetime | None
    firmware_status: str
    has_password: bool  # Security Profile 1 credentials set
    connector_ids: tuple[int, ...]
    active_transactions: tuple[tuple[int, int], ...]  # (transaction id, connector id)
    free_connector_ids: tuple[int, ...] = ()  # Available: where a reservation can go
    connect_url: str = ""  # what the charger is configured with (ws(s)://.../ocpp/<identity>)

    @property
    def unregistered(self) -> bool:
        """Connected with an identity nobody registered: it waits as Pending until then."""
        return self.registration_state == RegistrationState.UNREGISTERED

    @property
    def connector_to_reserve(self) -> int:
        """What a reservation form starts on: a free connector, else the first one. Not 0
        (the whole charge point): many chargers reject ReserveNow on connector 0."""
        return next(iter(self.free_connector_ids or self.connector_ids), 1)


def charge_point_info(
    identity: str, organisation_ids: Collection[int] | None = None
) -> ChargePointInfo | None:
    """The charge point called `identity`; None if unknown or outside the operator's scope."""
    with read_session() as session:
        row = session.exec(
            select(ChargePoint, Station.name, Station.timezone)
            .join(Station, col(ChargePoint.station_id) == Station.id, isouter=True)
            .where(ChargePoint.identity == identity)
        ).first()
        if row is None:
            return None
        cp, station_name, timezone = row
        if organisation_ids is not None and cp.organisation_id not in organisation_ids:
            return None
        connector_ids, transactions = connectors_and_active_transactions(session, stored_id(cp.id))
        free = session.exec(
            select(Connector.connector_id)
            .where(
                Connector.charge_point_id == cp.id,
                Connector.status == ConnectorStatus.AVAILABLE,
                col(Connector.connector_id) > 0,
            )
            .order_by(col(Connector.connector_id))
        ).all()
    return ChargePointInfo(
        id=stored_id(cp.id),
        identity=cp.identity,
        organisation_id=cp.organisation_id,
        station_name=station_name or "",
        station_timezone=timezone or "UTC",
        vendor=cp.vendor,
        model=cp.model,
        serial_number=cp.serial_number,
        firmware_version=cp.firmware_version,
        meter_type=cp.meter_type,
        registration_state=cp.registration_state,
        online=cp.is_online,
        last_boot_at=cp.last_boot_at,
        firmware_status=cp.firmware_status,
        has_password=bool(cp.auth_password_hash),
        connector_ids=connector_ids,
        active_transactions=transactions,
        free_connector_ids=tuple(free),
        connect_url=charger_connect_url(cp.identity),
    )


def charger_connect_url(identity: str) -> str:
    """The address to set in the charger: CCMS_OCPP_PUBLIC_URL (or the derived one), then the
    identity, escaped as a path segment."""
    return f"{get_settings().charger_ocpp_url}/{quote(identity, safe='')}"
