"""Display rows of one charge point's page that change on their own: command history,
stored configuration, reservations, recent sessions. Built on the server, once per push, as
strings to print.

Times are shown in UTC (the history's, the configuration's and the reservations' columns say
so); the station's zone is for the live status above them and the sessions.
"""

from __future__ import annotations

import dataclasses
import json
from collections.abc import Callable
from typing import Any

from sqlmodel import Session, col, select

from ccms_app.charging import reservations, session_history
from ccms_app.control import commands, configuration
from ccms_app.core.db import read_session
from ccms_app.core.money import format_money
from ccms_app.core.types import utc_now
from ccms_app.finance.models import SessionCost
from ccms_app.monitoring.session_rows import RecentSessionRow, session_rows
from ccms_app.monitoring.snapshot import active_sessions, charge_point_views
from ccms_app.monitoring.view import (
    ChargePointRow,
    SessionRow,
    charge_point_row,
    format_time,
    session_row,
)
from ccms_app.network.station_zone import station_zone_of

HISTORY_LENGTH = 25
RESERVATIONS_SHOWN = 50
SESSIONS_SHOWN = 20


@dataclasses.dataclass
class CommandHistoryRow:
    id: int = 0
    action: str = ""
    summary: str = ""  # the parameters, e.g. "type=Hard"
    status: str = ""
    detail: str = ""  # why it failed, or what the charge point answered
    at: str = ""
    by: str = ""
    reboot_required: bool = False


@dataclasses.dataclass
class ConfigRow:
    key: str = ""
    value: str = ""
    readonly: bool = False
    updated: str = ""


@dataclasses.dataclass
class ReservationRow:
    id: int = 0
    connector_id: int = 0
    id_tag: str = ""
    expires: str = ""
    status: str = ""
    is_open: bool = False
    by: str = ""


def _summary(request: str) -> str:
    try:
        params = json.loads(request or "{}")
    except ValueError:
        return ""
    if not isinstance(params, dict):
        return ""
    return ", ".join(f"{k}={v}" for k, v in params.items())[:120]


def history_rows(views: list[commands.CommandView], zone: str = "UTC") -> list[CommandHistoryRow]:
    now = utc_now()
    return [
        CommandHistoryRow(
            id=v.id,
            action=v.action,
            summary=_summary(v.request),
            status=v.status,
            detail=v.error or v.follow_up,
            at=format_time(v.created_at, zone, now),
            by=v.requested_by,
            reboot_required=v.action == "ChangeConfiguration" and configuration.reboot_required(v),
        )
        for v in views
    ]


def config_rows(
    entries: list[configuration.ConfigurationEntry], zone: str = "UTC"
) -> list[ConfigRow]:
    now = utc_now()
    return [
        ConfigRow(
            key=e.key,
            value="" if e.value is None else e.value,
            readonly=e.readonly,
            updated=format_time(e.updated_at, zone, now),
        )
        for e in entries
    ]


def reservation_rows(
    views: list[reservations.ReservationView], zone: str = "UTC"
) -> list[ReservationRow]:
    now = utc_now()
    return [
        ReservationRow(
            id=v.id,
            connector_id=v.connector_id,
            id_tag=v.id_tag,
            expires=format_time(v.expiry_date, zone, now),
            status=v.status,
            is_open=v.is_open,
            by=v.requested_by,
        )
        for v in views[:RESERVATIONS_SHOWN]
    ]


def station_zone(charge_point_id: int) -> str:
    """The time zone of the charge point's station: its page shows every time in it."""
    with read_session() as session:
        return _station_zone(session, charge_point_id)


def _station_zone(session: Session, charge_point_id: int) -> str:
    return station_zone_of(session, charge_point_id) or "UTC"


def load_history(charge_point_id: int) -> list[CommandHistoryRow]:
    views = commands.recent_commands(charge_point_id, HISTORY_LENGTH)
    return history_rows(views, station_zone(charge_point_id))


def load_configuration(charge_point_id: int) -> list[ConfigRow]:
    entries = configuration.list_configuration(charge_point_id)
    return config_rows(entries, station_zone(charge_point_id))


def load_reservations(charge_point_id: int) -> list[ReservationRow]:
    views = reservations.list_reservations(charge_point_id)
    return reservation_rows(views, station_zone(charge_point_id))


def load_sessions(charge_point_id: int) -> list[RecentSessionRow]:
    return session_rows(session_history.charge_point_sessions(charge_point_id, SESSIONS_SHOWN))


def load_status(charge_point_id: int) -> list[ChargePointRow]:
    """The charge point's live status row (connection, status, connectors), as Live
    Monitoring shows it; empty if it is gone."""
    with read_session() as session:
        views = charge_point_views(session, None, only=[charge_point_id])
    now = utc_now()
    return [charge_point_row(view, now) for view in views]


def load_running_sessions(charge_point_id: int) -> list[SessionRow]:
    """The transactions running on the charge point now, with their live meter values."""
    with read_session() as session:
        zone = _station_zone(session, charge_point_id)
        running = active_sessions(session, None, charge_point_id=charge_point_id)
        costs = _costs_so_far(session, [view.transaction_id for view in running])
    now = utc_now()
    rows = [session_row(view, zone, now) for view in running]
    for row in rows:
        row.cost = costs.get(row.transaction_id, "")
    return rows


def _costs_so_far(session: Session, transaction_ids: list[int]) -> dict[int, str]:
    """Each running session's cost so far (finance.live_costs), with its currency."""
    if not transaction_ids:
        return {}
    rows = session.exec(
        select(SessionCost.session_id, SessionCost.total_incl_minor, SessionCost.currency).where(
            col(SessionCost.session_id).in_(transaction_ids)
        )
    ).all()
    return {session_id: format_money(minor, currency) for session_id, minor, currency in rows}


@dataclasses.dataclass(frozen=True)
class Section:
    """One live part of the page: the ChargePointLiveState field, its loader, and the
    NetworkEvent kinds that change it."""

    field: str
    load: Callable[[int], list[Any]]
    kinds: frozenset[str]


SECTIONS: tuple[Section, ...] = (
    Section("command_history", load_history, frozenset({"command"})),
    Section("configuration", load_configuration, frozenset({"configuration"})),
    Section("reservations", load_reservations, frozenset({"reservation"})),
    # started, stopped, meter values (energy)
    Section("sessions", load_sessions, frozenset({"session"})),
    Section("running_sessions", load_running_sessions, frozenset({"session", "session_cost"})),
    Section("status", load_status, frozenset({"charge_point", "connector", "warning"})),
)
ALL_KINDS = frozenset().union(*(section.kinds for section in SECTIONS))


def load_sections(charge_point_id: int, kinds: set[str]) -> dict[str, list[Any]]:
    """Fresh rows of the sections the event kinds touched (all with every kind)."""
    return {
        section.field: section.load(charge_point_id)
        for section in SECTIONS
        if not section.kinds.isdisjoint(kinds)
    }
