"""Turns a NetworkSnapshot into the display rows the live pages render.

Formatting happens once per push on the server (not in every browser), and the rows carry
only what the pages show: a tab receives strings ready to print.
"""

from __future__ import annotations

import dataclasses
from datetime import datetime

from ccms_app.core.display import MISSING, format_number, format_time
from ccms_app.core.i18n import DEFAULT, gettext, reader_language
from ccms_app.monitoring.home_summary import HomeSummary
from ccms_app.monitoring.rules.charge_point_status import charge_point_status
from ccms_app.monitoring.snapshot import (
    ActiveSessionView,
    ChargePointView,
    HomeCounts,
    NetworkSnapshot,
    NetworkWarning,
)


@dataclasses.dataclass
class ConnectorCell:
    connector_id: int = 0
    status: str = ""
    error_code: str = ""
    label: str = ""


@dataclasses.dataclass
class ChargePointRow:
    id: int = 0
    identity: str = ""
    station: str = ""
    online: bool = False
    registration: str = ""
    status: str = ""
    error_code: str = ""
    faulted: bool = False
    last_seen: str = ""
    connectors: list[ConnectorCell] = dataclasses.field(default_factory=list)


@dataclasses.dataclass
class SessionRow:
    transaction_id: int = 0
    charge_point_id: int = 0
    identity: str = ""
    connector_id: int = 0
    id_tag: str = ""
    started: str = ""
    energy: str = ""
    power: str = ""
    current: str = ""
    voltage: str = ""
    soc: str = ""
    cost: str = ""  # the cost so far with its currency ("" before the first pricing)


@dataclasses.dataclass
class WarningRow:
    key: str = ""
    kind: str = ""
    identity: str = ""
    message: str = ""
    since: str = ""


@dataclasses.dataclass
class StatusCount:
    status: str = ""
    count: int = 0


@dataclasses.dataclass
class CountsView:
    charge_points: int = 0
    online: int = 0
    offline: int = 0
    faulted: int = 0
    unregistered: int = 0
    disabled: int = 0
    active_sessions: int = 0
    live_power: str = "0.0 kW"
    sessions_today: int = 0
    energy_today: str = "0.0 kWh"


@dataclasses.dataclass
class LiveView:
    charge_points: list[ChargePointRow]
    sessions: list[SessionRow]
    warnings: list[WarningRow]
    counts: CountsView
    connector_counts: list[StatusCount]
    updated_at: str


@dataclasses.dataclass
class HomeView:
    counts: CountsView
    connector_counts: list[StatusCount]
    warnings: list[WarningRow]
    warnings_total: int
    updated_at: str


def build_home_view(summary: HomeSummary) -> HomeView:
    """Home's numbers and its few warnings, ready to print."""
    now = summary.generated_at
    return HomeView(
        counts=_counts_view(summary.counts),
        connector_counts=_status_counts(summary.counts),
        warnings=[
            warning_row(w, summary.zones.get(w.charge_point_id) or summary.zone, now, DEFAULT)
            for w in summary.warnings
        ],
        warnings_total=summary.warnings_total,
        updated_at=format_time(now, summary.zone, now),  # the operator's clock
    )


def build_view(snapshot: NetworkSnapshot) -> LiveView:
    """All the rows of the live pages for one snapshot."""
    zones = {cp.id: cp.station_timezone for cp in snapshot.charge_points}
    now = snapshot.generated_at
    return LiveView(
        charge_points=[charge_point_row(cp, now) for cp in snapshot.charge_points],
        sessions=[
            session_row(s, zones.get(s.charge_point_id, "UTC"), now) for s in snapshot.sessions
        ],
        warnings=[
            warning_row(w, zones.get(w.charge_point_id, "UTC"), now) for w in snapshot.warnings
        ],
        counts=_counts_view(snapshot.counts),
        connector_counts=_status_counts(snapshot.counts),
        updated_at=format_time(now, "UTC", now),
    )


def _status_counts(counts: HomeCounts) -> list[StatusCount]:
    return [
        StatusCount(status=status, count=count)
        for status, count in counts.connectors_by_status.items()
    ]


def charge_point_row(
    cp: ChargePointView, now: datetime, operator_zone: str = "UTC"
) -> ChargePointRow:
    """A charge point as the live pages show it: its times in its station's zone, in the
    operator's when it has no station."""
    return ChargePointRow(
        id=cp.id,
        identity=cp.identity,
        station=cp.station_name or MISSING,
        online=cp.online,
        registration=cp.registration_state,
        status=charge_point_status(
            cp.status, [c.status for c in cp.connectors if c.connector_id > 0]
        ),
        error_code=cp.error_code,
        faulted=cp.faulted,
        last_seen=format_time(cp.last_seen_at, cp.station_timezone or operator_zone, now),
        connectors=[
            ConnectorCell(
                connector_id=c.connector_id,
                status=c.status,
                error_code=c.error_code,
                label=f"{c.connector_id}: {c.status}"
                + (f" ({c.error_code})" if c.error_code not in ("", "NoError") else ""),
            )
            for c in cp.connectors
        ],
    )


def session_row(s: ActiveSessionView, zone: str, now: datetime) -> SessionRow:
    return SessionRow(
        transaction_id=s.transaction_id,
        charge_point_id=s.charge_point_id,
        identity=s.identity,
        connector_id=s.connector_id,
        id_tag=s.id_tag,
        started=format_time(s.start_time, zone, now),
        energy=format_number(s.energy_kwh, "kWh", 2),
        power=format_number(s.power_kw, "kW"),
        current=format_number(s.current_a, "A"),
        voltage=format_number(s.voltage_v, "V", 0),
        soc=format_number(s.soc_percent, "%", 0),
    )


def warning_row(
    w: NetworkWarning, zone: str, now: datetime, language: str | None = None
) -> WarningRow:
    """A warning as a page prints it: its message in `language` (the reader's when None: a
    station page's; Home's shared view asks for English and words the rest apart)."""
    return WarningRow(
        key=f"{w.kind}-{w.charge_point_id}-{w.connector_id}",
        kind=w.kind,
        identity=w.identity,
        message=warning_text(reader_language() if language is None else language, w),
        since=format_time(w.since, zone, now),
    )


def warning_text(language: str, w: NetworkWarning) -> str:
    """A warning's message in `language`. monitoring.snapshot.warnings_of words it in English
    (`message`, shown as it is in English): its parts are read back from that wording
    (tests/i18n/test_home_live_i18n.py pins it); a message it cannot read stays English."""
    if language == DEFAULT:
        return w.message
    if w.kind == "offline":
        return gettext(language, "Offline")
    if w.kind == "unregistered":
        return gettext(language, "Unregistered charge point is waiting to be registered")
    if w.kind in ("fault", "error"):
        _where, sep, code = w.message.partition(": ")
        if not sep:
            return w.message
        if not w.connector_id:
            if w.kind == "fault":
                return gettext(language, "Charge point faulted: {error}", error=code)
            return gettext(language, "Charge point reports: {error}", error=code)
        if w.kind == "fault":
            return gettext(
                language,
                "Connector {connector} faulted: {error}",
                connector=w.connector_id,
                error=code,
            )
        return gettext(
            language, "Connector {connector} reports: {error}", connector=w.connector_id, error=code
        )
    if w.kind == "data":
        head, sep, detail = w.message.partition("; latest: ")
        count = head.split(" ", 1)[0]
        if not sep or not count.isdigit():
            return w.message
        if count == "1":
            return gettext(language, "1 data issue; latest: {detail}", detail=detail)
        return gettext(
            language, "{count} data issues; latest: {detail}", count=count, detail=detail
        )
    return w.message


def _counts_view(counts: HomeCounts) -> CountsView:
    return CountsView(
        charge_points=counts.charge_points,
        online=counts.online,
        offline=counts.offline,
        faulted=counts.faulted,
        unregistered=counts.unregistered,
        disabled=counts.disabled,
        active_sessions=counts.active_sessions,
        live_power=format_number(counts.live_power_kw, "kW"),
        sessions_today=counts.sessions_today,
        energy_today=format_number(counts.energy_today_kwh, "kWh"),
    )
