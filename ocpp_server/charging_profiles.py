"""OCPP 1.6 Smart Charging: charging profiles, the rules they follow, the composite schedule.

Pure and stdlib-only on purpose: CCMS validates profiles and shows the expected schedule with
it, and the simulated charge point (ocpp_server.simulator) stores profiles and caps its power
with the very same code, so both sides agree on what a profile means.

Profiles travel as the ocpp library hands them over: snake_case dicts (`charging_profile_id`,
`charging_schedule` -> `charging_schedule_period` ...). Limits are physical quantities (W or A)
that OCPP allows in steps of 0.1, kept as Decimal.
"""

from __future__ import annotations

import itertools
import math
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from decimal import ROUND_DOWN, Decimal, InvalidOperation
from enum import StrEnum
from typing import Any, TypeVar

LIMIT_STEP = Decimal("0.1")
NOMINAL_VOLTAGE_V = Decimal(230)
DEFAULT_PHASES = 3  # OCPP 1.6: numberPhases absent means 3
MAX_PERIODS = 48

_E = TypeVar("_E", bound=StrEnum)


class ProfileError(ValueError):
    """The charging profile breaks an OCPP rule; the message names the field."""


class Purpose(StrEnum):
    CHARGE_POINT_MAX = "ChargePointMaxProfile"
    TX_DEFAULT = "TxDefaultProfile"
    TX = "TxProfile"


class Kind(StrEnum):
    ABSOLUTE = "Absolute"
    RECURRING = "Recurring"
    RELATIVE = "Relative"


class Recurrency(StrEnum):
    DAILY = "Daily"
    WEEKLY = "Weekly"


class RateUnit(StrEnum):
    W = "W"
    A = "A"


RECURRENCE_SECONDS = {Recurrency.DAILY: 86_400, Recurrency.WEEKLY: 7 * 86_400}


@dataclass(frozen=True)
class SchedulePeriod:
    start_period: int  # seconds from the start of the schedule
    limit: Decimal
    number_phases: int | None = None


@dataclass(frozen=True)
class ChargingSchedule:
    charging_rate_unit: RateUnit
    periods: tuple[SchedulePeriod, ...]
    duration: int | None = None  # seconds; None: the last period lasts for ever
    start_schedule: datetime | None = None
    min_charging_rate: Decimal | None = None


@dataclass(frozen=True)
class ChargingProfile:
    charging_profile_id: int
    stack_level: int
    purpose: Purpose
    kind: Kind
    schedule: ChargingSchedule
    recurrency_kind: Recurrency | None = None
    valid_from: datetime | None = None
    valid_to: datetime | None = None
    transaction_id: int | None = None


@dataclass(frozen=True)
class InstalledProfile:
    """A profile as installed on one connector of a charge point (0: the whole charge point)."""

    connector_id: int
    profile: ChargingProfile


# --- reading profiles -----------------------------------------------------------------------


def _blank(raw: Any) -> bool:
    return raw is None or (isinstance(raw, str) and not raw.strip())


def _integer(raw: Any, name: str, *, minimum: int | None = 0, required: bool = True) -> int | None:
    if _blank(raw):
        if required:
            raise ProfileError(f"{name} is required")
        return None
    if isinstance(raw, bool):
        raise ProfileError(f"{name} must be a whole number, got {raw!r}")
    try:
        value = Decimal(str(raw).strip())
    except InvalidOperation:
        raise ProfileError(f"{name} must be a whole number, got {raw!r}") from None
    if not value.is_finite() or value != value.to_integral_value():
        raise ProfileError(f"{name} must be a whole number, got {raw!r}")
    if minimum is not None and value < minimum:
        raise ProfileError(f"{name} must be {minimum} or more, got {int(value)}")
    return int(value)


def _quantity(raw: Any, name: str, *, required: bool = True) -> Decimal | None:
    """A non-negative W or A value with at most one decimal (OCPP's multipleOf 0.1)."""
    if _blank(raw):
        if required:
            raise ProfileError(f"{name} is required")
        return None
    try:
        value = Decimal(str(raw).strip())
    except InvalidOperation:
        raise ProfileError(f"{name} must be a number, got {raw!r}") from None
    if not value.is_finite():
        raise ProfileError(f"{name} must be a number, got {raw!r}")
    if value < 0:
        raise ProfileError(f"{name} must not be negative, got {value}")
    if value != value.quantize(LIMIT_STEP):
        raise ProfileError(f"{name} may have at most one decimal (steps of 0.1), got {value}")
    return value.quantize(LIMIT_STEP)


def _time(raw: Any, name: str) -> datetime | None:
    if _blank(raw):
        return None
    if isinstance(raw, str):
        try:
            raw = datetime.fromisoformat(raw.strip().replace("Z", "+00:00"))
        except ValueError:
            raise ProfileError(f"{name} must be an ISO 8601 date and time, got {raw!r}") from None
    if not isinstance(raw, datetime):
        raise ProfileError(f"{name} must be a date and time, got {raw!r}")
    if raw.tzinfo is None:
        raise ProfileError(f"{name} must include a time zone")
    return raw.astimezone(UTC)


def _choice(raw: Any, enum: type[_E], name: str, *, required: bool = True) -> _E | None:
    if _blank(raw):
        if required:
            raise ProfileError(f"{name} is required")
        return None
    text = str(getattr(raw, "value", raw)).strip()
    for option in enum:
        if text.lower() == option.value.lower():
            return option
    allowed = ", ".join(o.value for o in enum)
    raise ProfileError(f"{name} must be one of {allowed}, got {text!r}")


def _period(raw: Any, index: int) -> SchedulePeriod:
    name = f"period {index}"
    if not isinstance(raw, Mapping):
        raise ProfileError(f"{name} must be an object with startPeriod and limit")
    phases = _integer(raw.get("number_phases"), f"{name} numberPhases", required=False)
    if phases is not None and not 1 <= phases <= 3:
        raise ProfileError(f"{name} numberPhases must be 1, 2 or 3, got {phases}")
    return SchedulePeriod(
        start_period=_integer(raw.get("start_period"), f"{name} startPeriod"),
        limit=_quantity(raw.get("limit"), f"{name} limit"),
        number_phases=phases,
    )


def schedule_from_ocpp(raw: Any) -> ChargingSchedule:
    """A chargingSchedule (snake_case dict) read and its fields checked one by one."""
    if not isinstance(raw, Mapping):
        raise ProfileError("chargingSchedule is required")
    periods = raw.get("charging_schedule_period")
    if not isinstance(periods, Sequence) or isinstance(periods, str) or not periods:
        raise ProfileError("chargingSchedulePeriod needs at least one period")
    if len(periods) > MAX_PERIODS:
        raise ProfileError(f"chargingSchedulePeriod may have at most {MAX_PERIODS} periods")
    return ChargingSchedule(
        charging_rate_unit=_choice(raw.get("charging_rate_unit"), RateUnit, "chargingRateUnit"),
        periods=tuple(_period(p, i) for i, p in enumerate(periods, start=1)),
        duration=_integer(raw.get("duration"), "duration", required=False),
        start_schedule=_time(raw.get("start_schedule"), "startSchedule"),
        min_charging_rate=_quantity(
            raw.get("min_charging_rate"), "minChargingRate", required=False
        ),
    )


def profile_from_ocpp(raw: Mapping[str, Any]) -> ChargingProfile:
    """A csChargingProfiles / chargingProfile (snake_case dict) read field by field.

    Raises ProfileError naming the first bad field; cross-field rules are `validate_profile`'s.
    """
    return ChargingProfile(
        charging_profile_id=_integer(raw.get("charging_profile_id"), "chargingProfileId"),
        stack_level=_integer(raw.get("stack_level"), "stackLevel"),
        purpose=_choice(raw.get("charging_profile_purpose"), Purpose, "chargingProfilePurpose"),
        kind=_choice(raw.get("charging_profile_kind"), Kind, "chargingProfileKind"),
        schedule=schedule_from_ocpp(raw.get("charging_schedule")),
        recurrency_kind=_choice(
            raw.get("recurrency_kind"), Recurrency, "recurrencyKind", required=False
        ),
        valid_from=_time(raw.get("valid_from"), "validFrom"),
        valid_to=_time(raw.get("valid_to"), "validTo"),
        transaction_id=_integer(raw.get("transaction_id"), "transactionId", required=False),
    )


# --- the rules --------------------------------------------------------------------------------


def _check_purpose(profile: ChargingProfile, connector_id: int, remote_start: bool) -> None:
    purpose = profile.purpose
    if remote_start:
        if purpose != Purpose.TX:
            raise ProfileError("chargingProfilePurpose must be TxProfile in RemoteStartTransaction")
        if profile.transaction_id is not None:
            raise ProfileError("transactionId must not be set in RemoteStartTransaction")
        return
    if connector_id < 0:
        raise ProfileError(f"connectorId must be 0 or more, got {connector_id}")
    if purpose == Purpose.CHARGE_POINT_MAX and connector_id != 0:
        raise ProfileError("connectorId must be 0 for a ChargePointMaxProfile")
    if purpose == Purpose.CHARGE_POINT_MAX and profile.kind == Kind.RELATIVE:
        raise ProfileError("chargingProfileKind cannot be Relative for a ChargePointMaxProfile")
    if purpose == Purpose.TX:
        if connector_id == 0:
            raise ProfileError("connectorId must be 1 or more for a TxProfile")
        if profile.transaction_id is None:
            raise ProfileError("transactionId is required for a TxProfile")
    elif profile.transaction_id is not None:
        raise ProfileError("transactionId is only allowed in a TxProfile")


def _check_kind(profile: ChargingProfile) -> None:
    start = profile.schedule.start_schedule
    if profile.kind == Kind.RELATIVE and start is not None:
        raise ProfileError("startSchedule must be empty for a Relative profile")
    if profile.kind == Kind.ABSOLUTE and start is None:
        raise ProfileError("startSchedule is required for an Absolute profile")
    if profile.kind == Kind.RECURRING:
        if profile.recurrency_kind is None:
            raise ProfileError("recurrencyKind is required for a Recurring profile")
        if start is None:
            raise ProfileError("startSchedule is required for a Recurring profile")
    elif profile.recurrency_kind is not None:
        raise ProfileError("recurrencyKind is only allowed in a Recurring profile")


def _check_schedule(profile: ChargingProfile) -> None:
    schedule = profile.schedule
    if schedule.periods[0].start_period != 0:
        raise ProfileError("period 1 startPeriod must be 0 (the schedule's start)")
    for index, (before, after) in enumerate(itertools.pairwise(schedule.periods), 2):
        if after.start_period <= before.start_period:
            raise ProfileError(
                f"period {index} startPeriod must be after period {index - 1}'s "
                f"({before.start_period} s), got {after.start_period}"
            )
    duration = schedule.duration
    if duration is not None and schedule.periods[-1].start_period >= duration:
        raise ProfileError(
            f"period {len(schedule.periods)} startPeriod must be before the duration ({duration} s)"
        )
    if profile.kind == Kind.RECURRING and duration is not None:
        length = RECURRENCE_SECONDS[profile.recurrency_kind or Recurrency.DAILY]
        if duration > length:
            raise ProfileError(
                f"duration of a {profile.recurrency_kind} profile is at most {length} s"
            )
    if profile.valid_from and profile.valid_to and profile.valid_to <= profile.valid_from:
        raise ProfileError("validTo must be after validFrom")


def validate_profile(
    profile: ChargingProfile, connector_id: int, *, remote_start: bool = False
) -> None:
    """OCPP 1.6 rules for a profile sent to `connector_id` (SetChargingProfile, or
    RemoteStartTransaction's chargingProfile when `remote_start`). Raises ProfileError."""
    _check_purpose(profile, connector_id, remote_start)
    _check_kind(profile)
    _check_schedule(profile)


def read_profile(
    raw: Mapping[str, Any], connector_id: int, *, remote_start: bool = False
) -> ChargingProfile:
    """`profile_from_ocpp` then `validate_profile`."""
    profile = profile_from_ocpp(raw)
    validate_profile(profile, connector_id, remote_start=remote_start)
    return profile


# --- writing profiles -------------------------------------------------------------------------


def ocpp_time(value: datetime) -> str:
    """OCPP dateTime: UTC with milliseconds and a Z."""
    return value.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.%f")[:-3] + "Z"


def _without_none(data: dict[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in data.items() if v is not None}


def periods_to_ocpp(periods: Iterable[SchedulePeriod]) -> list[dict[str, Any]]:
    """Plain floats, not Decimal: the ocpp library's validation re-parses its own JSON dump."""
    return [
        _without_none(
            {
                "start_period": p.start_period,
                "limit": float(p.limit),
                "number_phases": p.number_phases,
            }
        )
        for p in periods
    ]


def schedule_to_ocpp(schedule: ChargingSchedule) -> dict[str, Any]:
    return _without_none(
        {
            "duration": schedule.duration,
            "start_schedule": ocpp_time(schedule.start_schedule)
            if schedule.start_schedule
            else None,
            "charging_rate_unit": schedule.charging_rate_unit.value,
            "charging_schedule_period": periods_to_ocpp(schedule.periods),
            "min_charging_rate": (
                float(schedule.min_charging_rate)
                if schedule.min_charging_rate is not None
                else None
            ),
        }
    )


def profile_to_ocpp(profile: ChargingProfile) -> dict[str, Any]:
    """The snake_case dict the ocpp library sends as csChargingProfiles / chargingProfile."""
    return _without_none(
        {
            "charging_profile_id": profile.charging_profile_id,
            "transaction_id": profile.transaction_id,
            "stack_level": profile.stack_level,
            "charging_profile_purpose": profile.purpose.value,
            "charging_profile_kind": profile.kind.value,
            "recurrency_kind": profile.recurrency_kind.value if profile.recurrency_kind else None,
            "valid_from": ocpp_time(profile.valid_from) if profile.valid_from else None,
            "valid_to": ocpp_time(profile.valid_to) if profile.valid_to else None,
            "charging_schedule": schedule_to_ocpp(profile.schedule),
        }
    )


# --- units ------------------------------------------------------------------------------------


def convert_limit(
    limit: Decimal,
    from_unit: RateUnit,
    to_unit: RateUnit,
    phases: int = DEFAULT_PHASES,
    voltage: Decimal = NOMINAL_VOLTAGE_V,
) -> Decimal:
    """W <-> A for a balanced load on `phases` phases, rounded down to 0.1 (never above)."""
    if from_unit == to_unit:
        return limit
    factor = Decimal(voltage) * phases
    value = limit * factor if from_unit == RateUnit.A else limit / factor
    return value.quantize(LIMIT_STEP, rounding=ROUND_DOWN)


# --- the composite schedule -------------------------------------------------------------------


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
    start = _time(schedule_start, "scheduleStart") or schedule.start_schedule
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
