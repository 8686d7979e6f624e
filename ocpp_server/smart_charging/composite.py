"""The composite schedule: which limit applies on a connector when, from all installed
profiles (OCPP 1.6 stacking and purpose precedence), as the charge point must report it."""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from typing import Any

from ocpp_server.smart_charging.parsing import read_time, schedule_from_ocpp
from ocpp_server.smart_charging.profiles import (
    DEFAULT_PHASES,
    NOMINAL_VOLTAGE_V,
    RECURRENCE_SECONDS,
    ChargingProfile,
    InstalledProfile,
    Kind,
    ProfileError,
    Purpose,
    RateUnit,
    Recurrency,
    SchedulePeriod,
    convert_limit,
)
from ocpp_server.smart_charging.to_ocpp import ocpp_time, periods_to_ocpp


@dataclass(frozen=True)
class CompositePeriod:
    start_period: int  # seconds from the composite schedule's start
    limit: Decimal | None  # None: no profile limits this time (and no default was given)
    number_phases: int | None = None


@dataclass(frozen=True)
class CompositeSchedule:
    connector_id: int
    start: datetime
    duration: int
    charging_rate_unit: RateUnit
    periods: tuple[CompositePeriod, ...]

    def limit_at(self, at: datetime) -> Decimal | None:
        offset = (at - self.start).total_seconds()
        current: Decimal | None = None
        for period in self.periods:
            if period.start_period > offset:
                break
            current = period.limit
        return current

    def to_ocpp(self) -> dict[str, Any]:
        """The chargingSchedule of a GetCompositeSchedule answer (periods need a limit)."""
        return {
            "duration": self.duration,
            "start_schedule": ocpp_time(self.start),
            "charging_rate_unit": self.charging_rate_unit.value,
            "charging_schedule_period": periods_to_ocpp(
                SchedulePeriod(p.start_period, p.limit, p.number_phases)
                for p in self.periods
                if p.limit is not None
            ),
        }


@dataclass(frozen=True)
class _Context:
    connector_id: int
    unit: RateUnit
    origin: datetime  # where a Relative schedule starts (the transaction's start)
    transaction_id: int | None
    phases: int
    voltage: Decimal


def _schedule_starts(
    profile: ChargingProfile, origin: datetime, start: datetime, end: datetime
) -> list[datetime]:
    """Every start of this profile's schedule that can matter in [start, end)."""
    schedule = profile.schedule
    if profile.kind == Kind.RELATIVE:
        return [origin]
    anchor = schedule.start_schedule or origin
    if profile.kind == Kind.ABSOLUTE:
        return [anchor]
    step = RECURRENCE_SECONDS[profile.recurrency_kind or Recurrency.DAILY]
    first = math.floor((start - anchor).total_seconds() / step)
    last = math.floor((end - anchor).total_seconds() / step)
    return [anchor + timedelta(seconds=k * step) for k in range(first, last + 1)]


def _active_period(
    profile: ChargingProfile, at: datetime, origin: datetime
) -> SchedulePeriod | None:
    """The period of `profile` in force at `at`, or None (not valid, not started, or over)."""
    if (profile.valid_from and at < profile.valid_from) or (
        profile.valid_to and at >= profile.valid_to
    ):
        return None
    begin = _schedule_starts(profile, origin, at, at)[-1]
    offset = (at - begin).total_seconds()
    duration = profile.schedule.duration
    if offset < 0 or (duration is not None and offset >= duration):
        return None
    found = None
    for period in profile.schedule.periods:
        if period.start_period > offset:
            break
        found = period
    return found


def _winner(
    candidates: list[InstalledProfile], at: datetime, ctx: _Context
) -> tuple[Decimal, int | None] | None:
    """Highest stack level in force wins; on a tie the connector's own beats connector 0's."""
    ranked = sorted(
        candidates, key=lambda ip: (ip.profile.stack_level, ip.connector_id), reverse=True
    )
    for installed in ranked:
        period = _active_period(installed.profile, at, ctx.origin)
        if period is not None:
            phases = period.number_phases or ctx.phases
            unit = installed.profile.schedule.charging_rate_unit
            limit = convert_limit(period.limit, unit, ctx.unit, phases, ctx.voltage)
            return limit, period.number_phases
    return None


def _applies(installed: InstalledProfile, purpose: Purpose, ctx: _Context) -> bool:
    profile = installed.profile
    if profile.purpose != purpose:
        return False
    if purpose == Purpose.CHARGE_POINT_MAX:
        return installed.connector_id == 0
    if purpose == Purpose.TX:
        return (
            ctx.transaction_id is not None
            and installed.connector_id == ctx.connector_id
            and profile.transaction_id in (None, ctx.transaction_id)
        )
    return installed.connector_id in (0, ctx.connector_id)


def _limit(
    installed: list[InstalledProfile], at: datetime, ctx: _Context
) -> tuple[Decimal, int | None] | None:
    """TxProfile, else TxDefaultProfile, capped by ChargePointMaxProfile: the lowest wins.
    Connector 0 (the charge point as a whole) only has the ChargePointMaxProfile."""
    found = []
    if ctx.connector_id > 0:
        tx = _winner([ip for ip in installed if _applies(ip, Purpose.TX, ctx)], at, ctx)
        default = [ip for ip in installed if _applies(ip, Purpose.TX_DEFAULT, ctx)]
        found.append(tx or _winner(default, at, ctx))
    cap = [ip for ip in installed if _applies(ip, Purpose.CHARGE_POINT_MAX, ctx)]
    found.append(_winner(cap, at, ctx))
    limits = [f for f in found if f is not None]
    return min(limits, key=lambda f: f[0]) if limits else None


def limit_at(
    installed: Iterable[InstalledProfile],
    connector_id: int,
    at: datetime,
    unit: RateUnit,
    *,
    transaction_id: int | None = None,
    transaction_start: datetime | None = None,
    phases: int = DEFAULT_PHASES,
    voltage: Decimal = NOMINAL_VOLTAGE_V,
) -> Decimal | None:
    """The limit on `connector_id` at `at` in `unit`, or None if no profile limits it."""
    ctx = _Context(
        connector_id, unit, transaction_start or at, transaction_id, phases, Decimal(voltage)
    )
    found = _limit(list(installed), at, ctx)
    return found[0] if found else None


def _change_times(
    installed: InstalledProfile, origin: datetime, start: datetime, end: datetime
) -> set[datetime]:
    """Moments in (start, end) where this profile's limit may change."""
    profile = installed.profile
    times = {t for t in (profile.valid_from, profile.valid_to) if t is not None}
    for begin in _schedule_starts(profile, origin, start, end):
        times.update(begin + timedelta(seconds=p.start_period) for p in profile.schedule.periods)
        if profile.schedule.duration is not None:
            times.add(begin + timedelta(seconds=profile.schedule.duration))
    return {t for t in times if start < t < end}


def composite_schedule(
    installed: Iterable[InstalledProfile],
    connector_id: int,
    start: datetime,
    duration: int,
    unit: RateUnit,
    *,
    transaction_id: int | None = None,
    transaction_start: datetime | None = None,
    default_limit: Decimal | None = None,
    phases: int = DEFAULT_PHASES,
    voltage: Decimal = NOMINAL_VOLTAGE_V,
) -> CompositeSchedule:
    """The limits on `connector_id` from `start` (whole seconds) for `duration` seconds.

    TxProfile (of `transaction_id`) overrides TxDefaultProfile; within a purpose the highest
    stack level in force wins; ChargePointMaxProfile caps everything. A Relative schedule starts
    at `transaction_start` (a transaction starting at `start` if None); a Recurring one repeats
    on both sides of its startSchedule (validFrom bounds it). Where no profile
    applies the limit is `default_limit` (None: unlimited). Limits are converted to `unit`.
    """
    start = start.astimezone(UTC).replace(microsecond=0)
    end = start + timedelta(seconds=duration)
    ctx = _Context(
        connector_id, unit, transaction_start or start, transaction_id, phases, Decimal(voltage)
    )
    relevant = [ip for ip in installed if ip.connector_id in (0, connector_id)]
    moments = {start}
    for ip in relevant:
        moments |= _change_times(ip, ctx.origin, start, end)
    periods: list[CompositePeriod] = []
    for moment in sorted(moments):
        found = _limit(relevant, moment, ctx)
        limit, number_phases = found if found else (default_limit, None)
        offset = math.ceil((moment - start).total_seconds())
        if periods and periods[-1].start_period == offset:
            periods.pop()  # two changes within one second: the later one holds
        if periods and (periods[-1].limit, periods[-1].number_phases) == (limit, number_phases):
            continue
        if offset < duration or not periods:
            periods.append(CompositePeriod(offset, limit, number_phases))
    return CompositeSchedule(connector_id, start, duration, unit, tuple(periods))


def composite_from_ocpp(
    connector_id: int, schedule_start: Any, charging_schedule: Mapping[str, Any]
) -> CompositeSchedule:
    """A charge point's GetCompositeSchedule answer, read with the same field checks."""
    schedule = schedule_from_ocpp(charging_schedule)
    start = read_time(schedule_start, "scheduleStart") or schedule.start_schedule
    if start is None:
        raise ProfileError("scheduleStart is required")
    return CompositeSchedule(
        connector_id=connector_id,
        start=start,
        duration=schedule.duration or 0,
        charging_rate_unit=schedule.charging_rate_unit,
        periods=tuple(
            CompositePeriod(p.start_period, p.limit, p.number_phases) for p in schedule.periods
        ),
    )
