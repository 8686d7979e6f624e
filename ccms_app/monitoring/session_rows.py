"""Display rows of the recent sessions tables (station page, charge point page's Sessions tab),
built on the server as strings to print, times in the station's zone, times and numbers as the
reader's language writes them."""

from __future__ import annotations

import dataclasses
from datetime import datetime

from ccms_app.charging.models import SessionStatus
from ccms_app.charging.session_history import RecentSession
from ccms_app.core.i18n import DEFAULT, babel_locale, reader_language
from ccms_app.core.types import utc_now
from ccms_app.monitoring.view import format_number, format_time


@dataclasses.dataclass
class RecentSessionRow:
    transaction_id: int = 0
    identity: str = ""
    connector_id: int = 0
    id_tag: str = ""
    status: str = ""
    active: bool = False
    started: str = ""
    stopped: str = ""
    energy: str = ""
    flagged: bool = False
    flag_reason: str = ""


def kwh_text(wh: int) -> str:
    """ "12.35 kWh" (English exactly as it always read), as the reader's language writes it."""
    if babel_locale(reader_language()) == DEFAULT:
        return f"{wh / 1000:,.2f} kWh"
    return format_number(wh / 1000, "kWh", 2)


def session_rows(
    sessions: list[RecentSession], now: datetime | None = None
) -> list[RecentSessionRow]:
    now = now or utc_now()
    return [
        RecentSessionRow(
            transaction_id=s.transaction_id,
            identity=s.identity,
            connector_id=s.connector_id,
            id_tag=s.id_tag,
            status=s.status,
            active=s.status == SessionStatus.ACTIVE,
            started=format_time(s.start_time, s.timezone, now),
            stopped=format_time(s.stop_time, s.timezone, now),
            energy=kwh_text(s.energy_wh),
            flagged=s.flagged,
            flag_reason=s.flag_reason,
        )
        for s in sessions
    ]
