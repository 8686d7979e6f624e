"""A charging history row as the page and the CSV show it: times in the station's zone,
kWh, the amount with its currency, the payment method and the status in words, in the
reader's language (English outside an event)."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from babel.numbers import format_decimal, get_decimal_symbol

from ccms_app.core.display import MISSING, time_zone
from ccms_app.core.i18n import DEFAULT, babel_locale, reader_language, tr
from ccms_app.core.money import format_minor, format_money
from ccms_app.finance.history.spec import (
    COST_LABELS,
    NO_COST,
    PAYMENT_METHOD_LABELS,
    SESSION_LABELS,
)

LOCAL_TIME = "%Y-%m-%d %H:%M %Z"


def in_reader_numbers(text: str) -> str:
    """A plain number as text ("0.40", "12.345": no grouping) with the reader's decimal sign
    ("0,40"): exact, never through a float."""
    locale = babel_locale(reader_language())
    return text if locale == DEFAULT else text.replace(".", get_decimal_symbol(locale))


def local_time(value: datetime | None, zone: str) -> str:
    """A time with its date in the station's zone ("" for none)."""
    return "" if value is None else value.astimezone(time_zone(zone)).strftime(LOCAL_TIME)


def duration_text(start: datetime | None, stop: datetime | None, now: datetime) -> str:
    """ "1 h 05 min" from start to stop (to now while running)."""
    if start is None:
        return ""
    seconds = max(0, int(((stop or now) - start).total_seconds()))
    hours, rest = divmod(seconds, 3600)
    minutes = rest // 60
    if hours:
        two_digits = str(minutes).zfill(2)
        return tr("{hours} h {minutes} min", hours=hours, minutes=two_digits)
    return tr("{minutes} min", minutes=minutes)


def kwh_text(wh: int | None) -> str:
    """Watt-hours as kWh with 2 decimals, exact (no float), as the reader's language writes
    numbers ("1,234.50", "1.234,50")."""
    if wh is None:
        return ""
    kwh = (Decimal(int(wh)) / 1000).quantize(Decimal("0.01"), ROUND_HALF_UP)
    return format_decimal(kwh, "#,##0.00", locale=babel_locale(reader_language()))


def money_text(minor: int | None, currency: str | None) -> str:
    """An amount with its currency's symbol ("€12.34"); "" when there is none."""
    if minor is None or not currency:
        return ""
    return format_money(int(minor), currency)


def _amount_value(minor: int | None, currency: str | None) -> str:
    """The amount as a plain decimal for a spreadsheet ("7.14"), its currency apart."""
    return "" if minor is None or not currency else format_minor(int(minor), currency, False)


def status_text(session_status: str, cost_state: str | None) -> str:
    """ "completed · priced": the session's state, then its cost's (each in the reader's
    language)."""
    shown = SESSION_LABELS.get(session_status, session_status)
    cost = COST_LABELS.get(cost_state or NO_COST, str(cost_state))
    return f"{tr(shown)} · {tr(cost)}"


def payment_method_text(method: str) -> str:
    """A stored payment method in words ("driver account", "Fahrerkonto"); "—" for none."""
    if not method:
        return MISSING
    return tr(PAYMENT_METHOD_LABELS[method]) if method in PAYMENT_METHOD_LABELS else method


def shown_row(row: Mapping[str, Any], now: datetime) -> dict[str, str]:
    """One session as the page shows it: local times, kWh, money, labels; the codes stay
    under their own keys (`status_key`, `cost_key`) for badge colours."""
    zone = str(row.get("timezone") or "UTC")
    cost_state = row.get("cost_state")
    return {
        "id": str(row.get("id") or ""),
        "station": str(row.get("station") or ""),
        "charge_point": str(row.get("charge_point") or ""),
        "connector_id": str(row.get("connector_id") or ""),
        "id_tag": str(row.get("id_tag") or ""),
        "driver": str(row.get("driver") or ""),
        "group": str(row.get("group") or ""),
        "vehicle": str(row.get("vehicle") or ""),
        "start_time": local_time(row.get("start_time"), zone),
        "stop_time": local_time(row.get("stop_time"), zone),
        "duration": duration_text(row.get("start_time"), row.get("stop_time"), now),
        "energy": kwh_text(row.get("energy_wh")),
        "amount": money_text(row.get("total_incl_minor"), row.get("currency")),
        "amount_value": _amount_value(row.get("total_incl_minor"), row.get("currency")),
        "currency": str(row.get("currency") or ""),
        "payment_method": payment_method_text(str(row.get("payment_method") or "")),
        "status": status_text(str(row.get("status") or ""), cost_state),
        "status_key": str(row.get("status") or ""),
        "cost_key": str(cost_state or NO_COST),
    }


EXPORT_COLUMNS: tuple[tuple[str, str], ...] = (
    ("id", "Session"),
    ("station", "Station"),
    ("charge_point", "Charge point"),
    ("connector_id", "Connector"),
    ("id_tag", "Id tag"),
    ("driver", "Driver"),
    ("group", "Group"),
    ("vehicle", "Vehicle"),
    ("start_time", "Started (station time)"),
    ("stop_time", "Stopped (station time)"),
    ("duration", "Duration"),
    ("energy", "Energy (kWh)"),
    ("amount_value", "Amount incl. VAT"),
    ("currency", "Currency"),
    ("payment_method", "Payment method"),
    ("status", "Status"),
)
