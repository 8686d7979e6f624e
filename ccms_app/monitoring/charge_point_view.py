"""Display rows of one charge point's page that change on their own: command history,
stored configuration, reservations, recent sessions. Built on the server, once per push, as
strings to print.

Times are shown in UTC (the history's, the configuration's and the reservations' columns say
so); the station's zone is for the live status above them and the sessions.
"""

from __future__ import annotations

import dataclasses
import json
from typing import Any

from ccms_app.charging import reservations, session_history
from ccms_app.control import commands, configuration
from ccms_app.core.types import utc_now
from ccms_app.monitoring.session_rows import RecentSessionRow, session_rows
from ccms_app.monitoring.view import format_time

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


def history_rows(views: list[commands.CommandView]) -> list[CommandHistoryRow]:
    now = utc_now()
    return [
        CommandHistoryRow(
            id=v.id,
            action=v.action,
            summary=_summary(v.request),
            status=v.status,
            detail=v.error,
            at=format_time(v.created_at, "UTC", now),
            by=v.requested_by,
            reboot_required=v.action == "ChangeConfiguration" and configuration.reboot_required(v),
        )
        for v in views
    ]


def config_rows(entries: list[configuration.ConfigurationEntry]) -> list[ConfigRow]:
    now = utc_now()
    return [
        ConfigRow(
            key=e.key,
            value="" if e.value is None else e.value,
            readonly=e.readonly,
            updated=format_time(e.updated_at, "UTC", now),
        )
        for e in entries
    ]


def reservation_rows(views: list[reservations.ReservationView]) -> list[ReservationRow]:
    now = utc_now()
    return [
        ReservationRow(
            id=v.id,
            connector_id=v.connector_id,
            id_tag=v.id_tag,
            expires=format_time(v.expiry_date, "UTC", now),
            status=v.status,
            is_open=v.is_open,
            by=v.requested_by,
        )
        for v in views[:RESERVATIONS_SHOWN]
    ]


def load_history(charge_point_id: int) -> list[CommandHistoryRow]:
    return history_rows(commands.recent_commands(charge_point_id, HISTORY_LENGTH))


def load_configuration(charge_point_id: int) -> list[ConfigRow]:
    return config_rows(configuration.list_configuration(charge_point_id))


def load_reservations(charge_point_id: int) -> list[ReservationRow]:
    return reservation_rows(reservations.list_reservations(charge_point_id))


def load_sessions(charge_point_id: int) -> list[RecentSessionRow]:
    return session_rows(session_history.charge_point_sessions(charge_point_id, SESSIONS_SHOWN))


# NetworkEvent kind -> (field of ChargePointLiveState, loader of its rows)
SECTIONS: dict[str, tuple[str, Any]] = {
    "command": ("command_history", load_history),
    "configuration": ("configuration", load_configuration),
    "reservation": ("reservations", load_reservations),
    "session": ("sessions", load_sessions),  # started, stopped, meter values (energy)
}


def load_sections(charge_point_id: int, kinds: set[str]) -> dict[str, list[Any]]:
    """Fresh rows of the sections the event kinds touched (all with every kind)."""
    return {
        field: loader(charge_point_id)
        for kind, (field, loader) in SECTIONS.items()
        if kind in kinds
    }
