"""Live Monitoring's running sessions: a server-side list (search, sort, pages) like the
charge points, so a tab holds a page of them, not every session of the network."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import Select, select
from sqlmodel import col

from ccms_app.charging.models import ChargingSession, SessionStatus
from ccms_app.core.display import format_number, format_time
from ccms_app.core.listing import ListColumn, ListSpec
from ccms_app.core.money import format_money
from ccms_app.finance.models import SessionCost
from ccms_app.network.models import ChargePoint, Station


def _base() -> Select[Any]:
    return (
        select(ChargingSession)
        .join(ChargePoint, col(ChargePoint.id) == ChargingSession.charge_point_id)
        .outerjoin(Station, col(Station.id) == ChargePoint.station_id)
        .outerjoin(SessionCost, col(SessionCost.session_id) == ChargingSession.id)
        .where(col(ChargingSession.status) == SessionStatus.ACTIVE)
    )


ACTIVE_SESSION_LIST = ListSpec(
    name="active sessions",
    base=_base,
    columns=(
        ListColumn("id", "Transaction", ChargingSession.id),
        ListColumn("identity", "Charge point", ChargePoint.identity, searchable=True),
        ListColumn("connector_id", "Connector", ChargingSession.connector_id),
        ListColumn("id_tag", "Id tag", ChargingSession.id_tag, searchable=True),
        ListColumn("start_time", "Started", ChargingSession.start_time),
        ListColumn("energy_wh", "Energy", ChargingSession.energy_wh),
        ListColumn("power_w", "Power", ChargingSession.power_w),
        ListColumn("current_a", "Current", ChargingSession.current_a, sortable=False),
        ListColumn("voltage_v", "Voltage", ChargingSession.voltage_v, sortable=False),
        ListColumn("soc_percent", "SoC", ChargingSession.soc_percent),
        # The cost so far (finance.live_costs refreshes it), incl. VAT.
        ListColumn("cost_minor", "Cost so far", SessionCost.total_incl_minor),
        ListColumn("currency", "Currency", SessionCost.currency, sortable=False),
        ListColumn("timezone", "Time zone", Station.timezone, sortable=False),
    ),
    organisation_column=ChargingSession.organisation_id,
    id_column=ChargingSession.id,
    default_sort="start_time",
)


def display_row(row: dict[str, Any], now: datetime) -> dict[str, str]:
    """One running session as the page prints it (start in the station's zone)."""

    def scaled(key: str, factor: float) -> float | None:
        value = row.get(key)
        return None if value is None else value / factor

    return {
        "id": str(row["id"]),
        "identity": str(row["identity"]),
        "connector_id": str(row["connector_id"]),
        "id_tag": str(row["id_tag"]),
        "start_time": format_time(row["start_time"], row.get("timezone") or "UTC", now),
        "energy_wh": format_number(scaled("energy_wh", 1000), "kWh", 2),
        "power_w": format_number(scaled("power_w", 1000), "kW"),
        "current_a": format_number(row.get("current_a"), "A"),
        "voltage_v": format_number(row.get("voltage_v"), "V", 0),
        "soc_percent": format_number(row.get("soc_percent"), "%", 0),
        "cost_minor": _cost(row.get("cost_minor"), row.get("currency")),
    }


def _cost(minor: int | None, currency: str | None) -> str:
    """The cost so far with its currency's symbol; "—" before the first pricing or when no
    tariff applies."""
    return "—" if minor is None or not currency else format_money(minor, currency)
