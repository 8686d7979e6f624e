"""Build tariffs and session timelines for the engine tests in a few words."""

from __future__ import annotations

import json
from datetime import datetime, timedelta
from decimal import Decimal
from typing import Any
from zoneinfo import ZoneInfo

from ccms_app.finance.rules.tariff_json import parse_tariff
from ccms_app.finance.rules.tariff_types import (
    PeriodKind,
    SessionTimeline,
    Tariff,
    TimelinePeriod,
)

CHARGING = PeriodKind.CHARGING
PARKING = PeriodKind.PARKING
RESERVATION = PeriodKind.RESERVATION


def tariff(text: str, time_zone: str = "UTC", **ccms: Any) -> Tariff:
    """A tariff from OCPI JSON text (numbers read exactly), plus CCMS fields."""
    data = json.loads(text, parse_float=Decimal)
    data.update(ccms)
    return parse_tariff(data, time_zone=time_zone)


def at(text: str, zone: str = "UTC") -> datetime:
    """A local wall-clock time in `zone`: at("2024-01-01 09:30", "Europe/Berlin")."""
    return datetime.fromisoformat(text).replace(tzinfo=ZoneInfo(zone))


def session(
    start: datetime, *steps: tuple[PeriodKind, int | str, Any], expired: bool = False
) -> SessionTimeline:
    """Periods one after the other: (kind, minutes, kWh or a dict of TimelinePeriod fields)."""
    periods = []
    moment = start
    for kind, minutes, extra in steps:
        fields = extra if isinstance(extra, dict) else {"energy_kwh": Decimal(str(extra))}
        periods.append(TimelinePeriod(start=moment, kind=kind, **fields))
        moment += timedelta(seconds=int(Decimal(str(minutes)) * 60))
    return SessionTimeline(periods=tuple(periods), end=moment, reservation_expired=expired)


def euros(minor: int) -> Decimal:
    return Decimal(minor).scaleb(-2)
