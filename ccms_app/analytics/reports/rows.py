"""The reports as rows of text: what the page shows (`*_shown` keys: separators, units,
currency symbols) next to the plain values the CSV holds (`definitions.*_COLUMNS`). Both
come from the same integers, rounded the same way once, so the page and the CSV agree."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime, timedelta
from decimal import Decimal
from fractions import Fraction
from typing import Any

from ccms_app.analytics.figures import Totals
from ccms_app.analytics.reports.availability import AvailabilityReport, StationAvailability
from ccms_app.analytics.reports.queries import DetailTotals, EnergyRow, SessionsSummary
from ccms_app.analytics.wording import count_text
from ccms_app.charging.models import SessionStatus
from ccms_app.core.display import MISSING, time_zone
from ccms_app.core.i18n import N_, tr
from ccms_app.core.money import format_minor, format_money
from ccms_app.finance.history.spec import COST_LABELS, NO_COST, SESSION_LABELS
from ccms_app.finance.models import CostState
from ccms_app.maintenance.reports.numbers import rounded
from ccms_app.maintenance.rules.intervals import MICROSECOND

US_PER_MINUTE = 60_000_000
LOCAL_TIME = "%Y-%m-%d %H:%M"


def kwh(wh: int) -> str:
    """Watt-hours as exact kWh, "1234.567" (the CSV)."""
    return f"{Decimal(int(wh)).scaleb(-3):.3f}"


def kwh_shown(wh: int) -> str:
    """ "1,234.567 kWh" (the page): the CSV's number with separators."""
    return f"{Decimal(int(wh)).scaleb(-3):,.3f} kWh"


def whole_minutes(us: int) -> int:
    return max(0, int(us)) // US_PER_MINUTE


def minutes_shown(minutes: int) -> str:
    """ "7 h 05 min" from whole minutes (the CSV's number, in hours and minutes)."""
    hours, rest = divmod(minutes, 60)
    return f"{hours:,} h {rest:02d} min" if hours else f"{rest} min"


def percent_value(value: Fraction | None, places: int) -> str:
    return "" if value is None else str(rounded(value, places))


def percent_shown(value: Fraction | None, places: int) -> str:
    return MISSING if value is None else f"{rounded(value, places)} %"


def amounts_shown(
    amounts: Mapping[str, tuple[int, int]], currencies: tuple[str, ...], incl: bool
) -> str:
    """ "€12.34" (several currencies: "€12.34 + £3.00"); the operator's currency at 0."""
    index = 1 if incl else 0
    shown = [format_money(amounts.get(c, (0, 0))[index], c) for c in currencies]
    return " + ".join(shown) or MISSING


def _amount_values(totals: Totals, currencies: tuple[str, ...]) -> dict[str, str]:
    found: dict[str, str] = {}
    for code in currencies:
        excl, incl = totals.amounts.get(code, (0, 0))
        found[f"excl_{code}"] = format_minor(excl, code, False)
        found[f"incl_{code}"] = format_minor(incl, code, False)
    return found


def totals_row(key: str, label: str, totals: Totals, currencies: tuple[str, ...]) -> dict[str, str]:
    """One period (or the whole range: key "total") of the sessions summary."""
    minutes = whole_minutes(totals.charging_us)
    return {
        "key": key,
        "label": label,
        "orders": str(totals.orders),
        "orders_shown": count_text(totals.orders),
        "energy_kwh": kwh(totals.energy_wh),
        "energy_shown": kwh_shown(totals.energy_wh),
        "charging_min": str(minutes),
        "charging_shown": minutes_shown(minutes),
        "excl_shown": amounts_shown(totals.amounts, currencies, incl=False),
        "incl_shown": amounts_shown(totals.amounts, currencies, incl=True),
        **_amount_values(totals, currencies),
    }


def summary_rows(summary: SessionsSummary) -> list[dict[str, str]]:
    """Each bucket, then the total ("total")."""
    series, currencies = summary.series, summary.currencies
    rows = [
        totals_row(bucket.key, bucket.label, value, currencies)
        for bucket, value in zip(series.buckets, series.values, strict=True)
    ]
    return [*rows, totals_row("total", N_("Total"), series.total, currencies)]


def energy_row(row: EnergyRow) -> dict[str, str]:
    return {
        "id": "" if row.id is None else str(row.id),
        "name": row.name,
        "station": row.station,
        "orders": str(row.totals.orders),
        "orders_shown": count_text(row.totals.orders),
        "energy_kwh": kwh(row.totals.energy_wh),
        "energy_shown": kwh_shown(row.totals.energy_wh),
        "share_value": percent_value(row.share, 1),
        "share_shown": percent_shown(row.share, 1),
    }


def availability_row(row: StationAvailability) -> dict[str, str]:
    counted = whole_minutes(row.counted_outage // MICROSECOND)
    measured = whole_minutes(row.measured // MICROSECOND)
    return {
        "id": "" if row.station_id is None else str(row.station_id),
        "station": row.station,
        "connectors": str(row.connectors),
        "availability_value": percent_value(row.percent, 3),
        "availability_shown": percent_shown(row.percent, 3),
        "outage_min": str(counted),
        "outage_shown": minutes_shown(counted),
        "measured_min": str(measured),
    }


def availability_rows(report: AvailabilityReport) -> list[dict[str, str]]:
    """Each station (least available first), then every connector together ("total")."""
    return [
        *map(availability_row, report.stations),
        {**availability_row(report.network), "id": "total"},
    ]


# --- the detail list -----------------------------------------------------------------------------


def local_time(value: datetime | None, zone: str) -> str:
    """ "2026-11-01 00:30" in the operator's zone ("" for none)."""
    return "" if value is None else value.astimezone(time_zone(zone)).strftime(LOCAL_TIME)


def _minutes_between(start: datetime | None, stop: datetime | None, now: datetime) -> int:
    if start is None:
        return 0
    return max(0, int(((stop or now) - start) // timedelta(minutes=1)))


def cost_text(status: str, cost_state: str | None) -> str:
    """ "priced" / "held for review" / "running" ...: why an amount is there or not (in the
    reader's language: the CSVs, made outside an event, in English)."""
    if status != SessionStatus.COMPLETED:  # running, or refused: no cost to speak of yet
        return tr(SESSION_LABELS.get(status, status))
    return tr(COST_LABELS.get(cost_state or NO_COST, str(cost_state)))


def detail_row(row: Mapping[str, Any], zone: str, now: datetime) -> dict[str, str]:
    """One session: times in the operator's zone, the amount only when its cost is final."""
    final = row.get("cost_state") == CostState.FINAL.value and row.get("currency")
    currency = str(row.get("currency") or "") if final else ""
    excl, incl = row.get("total_excl_minor"), row.get("total_incl_minor")
    minutes = _minutes_between(row.get("start_time"), row.get("stop_time"), now)
    energy = int(row.get("energy_wh") or 0)
    return {
        "id": str(row.get("id") or ""),
        "station": str(row.get("station") or ""),
        "charge_point": str(row.get("charge_point") or ""),
        "connector_id": str(row.get("connector_id") or ""),
        "id_tag": str(row.get("id_tag") or ""),
        "vehicle": str(row.get("vehicle") or ""),
        "group": str(row.get("group") or ""),
        "start_time": local_time(row.get("start_time"), zone),
        "stop_time": local_time(row.get("stop_time"), zone),
        "duration_min": str(minutes),
        "duration_shown": minutes_shown(minutes),
        "energy_kwh": kwh(energy),
        "energy_shown": kwh_shown(energy),
        "excl_value": format_minor(int(excl or 0), currency, False) if currency else "",
        "incl_value": format_minor(int(incl or 0), currency, False) if currency else "",
        "amount_shown": format_money(int(incl or 0), currency) if currency else MISSING,
        "currency": currency,
        "cost": cost_text(str(row.get("status") or ""), row.get("cost_state")),
        "payment_method": str(row.get("payment_method") or ""),
    }


def detail_totals_row(totals: DetailTotals, currencies: tuple[str, ...]) -> dict[str, str]:
    codes = tuple(dict.fromkeys([*currencies, *sorted(totals.amounts)]))
    return {
        "sessions": count_text(totals.sessions),
        "energy_shown": kwh_shown(totals.energy_wh),
        "energy_kwh": kwh(totals.energy_wh),
        "excl_shown": amounts_shown(totals.amounts, codes, incl=False),
        "incl_shown": amounts_shown(totals.amounts, codes, incl=True),
    }
