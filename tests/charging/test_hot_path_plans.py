"""No statement a charger's messages run reads a whole table.

Every Authorize, StatusNotification, StartTransaction, MeterValues and StopTransaction (its
pricing and payment included) is run through the real ChargerEventService, and SQLite's query
plan of each SELECT, UPDATE and DELETE it sent is checked: an index or a primary key, never a
SCAN. Two were found this way, each costing every message a read of a table that only grows:
the card lookup by lower(id_tag) (every Authorize and StartTransaction read every card) and
the reservation a stopped session used (every stop read every reservation ever made).
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from decimal import Decimal
from typing import Any

from sqlalchemy import event
from sqlalchemy.engine import Engine
from sqlmodel import Session

from ccms_app.accounts.models import Organisation
from ccms_app.core.types import utc_now
from ccms_app.finance import tariffs
from ccms_app.finance.models import AssignmentTarget
from ccms_app.finance.tariff_assignments import assign
from ccms_app.network.models import ChargePoint
from ccms_app.network.provisioning import add_id_tag
from ocpp_server.charger_events import (
    ChargerBooted,
    IdTagPresented,
    MeterSampled,
    StatusChanged,
    TransactionStarted,
    TransactionStopped,
)
from tests.fixtures.db import only_sqlite, query_plan

CP = "CP-PLANS"
CARD = "CARD-PLANS"


def _now() -> str:
    return datetime.now(UTC).isoformat()


async def _charge_once(service: Any) -> None:
    await service.boot_notification(CP, ChargerBooted(vendor="V", model="M"))
    await service.authorize(CP, IdTagPresented(id_tag=CARD.lower()))
    status = StatusChanged(connector_id=1, status="Charging", error_code="NoError")
    await service.status_notification(CP, status)
    started = await service.start_transaction(
        CP, TransactionStarted(connector_id=1, id_tag=CARD, meter_start_wh=0, timestamp=_now())
    )
    register = {"value": "150", "unit": "Wh", "measurand": "Energy.Active.Import.Register"}
    sample = {"timestamp": _now(), "sampled_value": [register]}
    meter = MeterSampled(
        connector_id=1, transaction_id=started.transaction_id, meter_values=[sample]
    )
    await service.meter_values(CP, meter)
    stop = TransactionStopped(
        transaction_id=started.transaction_id, meter_stop_wh=300, timestamp=_now()
    )
    await service.stop_transaction(CP, stop)


def _network_tariff(organisation_id: int) -> None:
    """An energy price as the organisation's network default, valid since an hour ago."""
    scope = frozenset({organisation_id})
    definition = {
        "currency": "EUR",
        "elements": [
            {"price_components": [{"type": "ENERGY", "price": Decimal("0.30"), "step_size": 1}]}
        ],
    }
    valid_from = utc_now() - timedelta(hours=1)
    tariff = tariffs.create_tariff(
        scope, organisation_id, "Standard", definition, valid_from=valid_from
    )
    assign(scope, tariff.id, AssignmentTarget.NETWORK, organisation_id, "ops@example.com")


@only_sqlite
async def test_a_chargers_messages_never_scan_a_table(
    service: Any, engine: Engine, session: Session, organisation: Organisation
) -> None:
    session.add(
        ChargePoint(identity=CP, organisation_id=organisation.id, registration_state="registered")
    )
    session.commit()
    add_id_tag(CARD)
    _network_tariff(int(organisation.id or 0))  # so every stop is priced, not left unpriced
    sent: list[tuple[str, Any]] = []

    def record(conn, cursor, statement, parameters, context, executemany) -> None:
        if not executemany and statement.lstrip().upper().startswith(
            ("SELECT", "UPDATE", "DELETE")
        ):
            sent.append((statement, parameters))

    event.listen(engine, "before_cursor_execute", record)
    try:
        await _charge_once(service)
    finally:
        event.remove(engine, "before_cursor_execute", record)

    scans = [
        (" ".join(statement.split())[:120], step)
        for statement, parameters in sent
        for step in query_plan(engine, statement, parameters)
        if "SCAN" in step
    ]
    assert any("FROM tariff_version" in statement for statement, _ in sent)  # priced
    assert scans == []
