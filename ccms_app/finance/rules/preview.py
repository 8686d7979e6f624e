"""The tariff editor's preview: a session the operator describes, as the engine's timeline.

The operator types what a session looked like, not meter values: when it started (a local
date and time in a chosen zone), how long it charged, how much energy, at what power
(constant, or a profile of "minutes:kW" segments), how long the car then sat idle, and how
long the connector was reserved before. From that:

- the charging time is cut into the profile's segments in order; if they add up to less than
  the duration the last one lasts until the end (more is an error). No profile: one segment;
- energy: the typed kWh are shared out over the segments in proportion to kW x time (by time
  when the power is unknown); without kWh each segment delivers kW x time. The last segment
  takes the remainder, so the parts add up to the typed total exactly;
- the segments report their kW (power restrictions see it); idle minutes become a PARKING
  period at 0 kW after the charging; reserved minutes a RESERVATION period before the start.

Durations are whole seconds (1.5 minutes is fine, 1.51 is not); kWh and kW are exact Decimals.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta
from decimal import Decimal
from zoneinfo import ZoneInfo

from ccms_app.core.i18n import tr
from ccms_app.finance.rules.fee_types import parse_decimal
from ccms_app.finance.rules.tariff_types import PeriodKind, SessionTimeline, TimelinePeriod
from ccms_app.network.rules.asset_validation import timezone_error

PREVIEW_FIELDS = (
    "start",
    "time_zone",
    "duration_minutes",
    "energy_kwh",
    "power_kw",
    "power_profile",
    "idle_minutes",
    "reserved_minutes",
)
_SIXTY = Decimal(60)
_HOUR = Decimal(3600)
_SEGMENT = re.compile(r"\s*([0-9.,]+)\s*:\s*([0-9.,]+)\s*")


class PreviewError(ValueError):
    """The description cannot be priced: `errors` maps each field to why."""

    def __init__(self, errors: Mapping[str, str]) -> None:
        super().__init__(f"{len(errors)} field(s) need correcting")
        self.errors = dict(errors)


@dataclass(frozen=True)
class Segment:
    seconds: int
    power_kw: Decimal | None


@dataclass(frozen=True)
class SessionDescription:
    """A session as the operator described it (validated)."""

    start: datetime  # timezone-aware
    time_zone: str
    charging_seconds: int
    energy_kwh: Decimal | None  # None: from power x time
    segments: tuple[Segment, ...]
    idle_seconds: int = 0
    reserved_seconds: int = 0


def parse_description(values: Mapping[str, str]) -> SessionDescription:
    """The typed fields as a description; PreviewError naming every wrong field."""
    errors: dict[str, str] = {}
    zone_name = _text(values, "time_zone") or "UTC"
    zone = _zone(zone_name, errors)
    start = _start(_text(values, "start"), zone, errors)
    duration = _seconds(values, "duration_minutes", errors, required=True)
    if duration == 0 and "duration_minutes" not in errors:
        errors["duration_minutes"] = tr("A session charges for at least a moment: minutes > 0")
    idle = _seconds(values, "idle_minutes", errors)
    reserved = _seconds(values, "reserved_minutes", errors)
    energy = _number(values, "energy_kwh", "kWh like 22.5", errors)
    power = _number(values, "power_kw", "kW like 11", errors)
    segments = _segments(values, duration, power, errors)
    unknown_power = any(s.power_kw is None for s in segments)
    if energy is None and not _text(values, "energy_kwh") and unknown_power:
        errors.setdefault("energy_kwh", "Give the energy, or a power to compute it from")
    if errors or start is None:
        raise PreviewError(errors)
    return SessionDescription(start, zone_name, duration, energy, segments, idle, reserved)


def build_timeline(description: SessionDescription) -> SessionTimeline:
    """The described session as periods for `tariff_engine.price_session`."""
    d = description
    periods: list[TimelinePeriod] = []
    if d.reserved_seconds:
        reserved_at = d.start - timedelta(seconds=d.reserved_seconds)
        periods.append(TimelinePeriod(start=reserved_at, kind=PeriodKind.RESERVATION))
    at = d.start
    for segment, kwh in zip(d.segments, _energy_shares(d), strict=True):
        periods.append(
            TimelinePeriod(
                start=at,
                energy_kwh=kwh,
                max_power_kw=segment.power_kw,
                min_power_kw=segment.power_kw,
            )
        )
        at += timedelta(seconds=segment.seconds)
    if d.idle_seconds:
        periods.append(
            TimelinePeriod(
                start=at,
                kind=PeriodKind.PARKING,
                max_power_kw=Decimal(0),
                min_power_kw=Decimal(0),
            )
        )
    end = at + timedelta(seconds=d.idle_seconds)
    return SessionTimeline(periods=tuple(periods), end=end)


def total_energy(description: SessionDescription) -> Decimal:
    """The session's kWh: as typed, or power x time."""
    return sum(_energy_shares(description), Decimal(0))


def _energy_shares(d: SessionDescription) -> list[Decimal]:
    """kWh per segment (see the module docstring)."""
    by_power = [(s.power_kw or Decimal(0)) * Decimal(s.seconds) / _HOUR for s in d.segments]
    if d.energy_kwh is None:
        return by_power
    known = all(s.power_kw is not None for s in d.segments) and sum(by_power) > 0
    weights = by_power if known else [Decimal(s.seconds) for s in d.segments]
    total_weight = sum(weights, Decimal(0))
    shares = [d.energy_kwh * w / total_weight for w in weights[:-1]]
    return [*shares, d.energy_kwh - sum(shares, Decimal(0))]


def _segments(
    values: Mapping[str, str], duration: int, power: Decimal | None, errors: dict[str, str]
) -> tuple[Segment, ...]:
    text = _text(values, "power_profile")
    if not text:
        return (Segment(duration, power),)
    parts = [p for p in re.split(r"[;\n]+|,(?=\s*[0-9.]+\s*:)", text) if p.strip()]
    segments: list[Segment] = []
    for part in parts:
        match = _SEGMENT.fullmatch(part)
        minutes = parse_decimal(match[1]) if match else None
        kw = parse_decimal(match[2]) if match else None
        seconds = _whole_seconds(minutes)
        if match is None or seconds is None or kw is None or seconds == 0:
            errors["power_profile"] = f"Write segments as minutes:kW, e.g. 30:22; 60:11 ({part!r})"
            return (Segment(duration, power),)
        segments.append(Segment(seconds, kw))
    used = sum(s.seconds for s in segments)
    if used > duration:
        errors["power_profile"] = tr(
            "The segments add up to {decimal:f} minutes, more than the duration",
            decimal=Decimal(used) / _SIXTY,
        )
        return (Segment(duration, power),)
    if used < duration:
        last = segments[-1]
        segments[-1] = Segment(last.seconds + duration - used, last.power_kw)
    return tuple(segments)


def _zone(name: str, errors: dict[str, str]) -> ZoneInfo:
    """The zone (the stations' rule: network.rules.asset_validation), UTC when refused."""
    if problem := timezone_error(name):
        errors["time_zone"] = problem
        return ZoneInfo("UTC")
    return ZoneInfo(name)


def _start(text: str, zone: ZoneInfo, errors: dict[str, str]) -> datetime | None:
    if not text:
        errors["start"] = tr("When did the session start? (date and time)")
        return None
    try:
        local = datetime.fromisoformat(text)
    except ValueError:
        errors["start"] = tr("A date and time like 2026-03-02 17:30")
        return None
    return local.replace(tzinfo=zone) if local.tzinfo is None else local


def _seconds(
    values: Mapping[str, str], name: str, errors: dict[str, str], *, required: bool = False
) -> int:
    text = _text(values, name)
    if not text:
        if required:
            errors[name] = tr("Minutes like 90")
        return 0
    seconds = _whole_seconds(parse_decimal(text))
    if seconds is None:
        errors[name] = tr("Minutes like 90 (whole seconds: 1.5 is fine, 1.51 is not)")
        return 0
    return seconds


def _whole_seconds(minutes: Decimal | None) -> int | None:
    if minutes is None:
        return None
    seconds = minutes * _SIXTY
    return int(seconds) if seconds == seconds.to_integral_value() else None


def _number(
    values: Mapping[str, str], name: str, example: str, errors: dict[str, str]
) -> Decimal | None:
    text = _text(values, name)
    value = parse_decimal(text) if text else None
    if text and value is None:
        errors[name] = tr("A number: {example}", example=example)
    return value


def _text(values: Mapping[str, str], name: str) -> str:
    return str(values.get(name, "") or "").strip()
