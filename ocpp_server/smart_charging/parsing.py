"""Reading profiles as the ocpp library hands them over, with a clear error per bad field."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import UTC, datetime
from decimal import Decimal, InvalidOperation
from enum import StrEnum
from typing import Any, TypeVar

from ocpp_server.smart_charging.profiles import (
    LIMIT_STEP,
    MAX_PERIODS,
    ChargingProfile,
    ChargingSchedule,
    Kind,
    ProfileError,
    Purpose,
    RateUnit,
    Recurrency,
    SchedulePeriod,
)

_E = TypeVar("_E", bound=StrEnum)


def _blank(raw: Any) -> bool:
    return raw is None or (isinstance(raw, str) and not raw.strip())


def _required(raw: Any, name: str) -> Any:
    if _blank(raw):
        raise ProfileError(f"{name} is required")
    return raw


def _integer(raw: Any, name: str, *, minimum: int = 0) -> int:
    _required(raw, name)
    if isinstance(raw, bool):
        raise ProfileError(f"{name} must be a whole number, got {raw!r}")
    try:
        value = Decimal(str(raw).strip())
    except InvalidOperation:
        raise ProfileError(f"{name} must be a whole number, got {raw!r}") from None
    if not value.is_finite() or value != value.to_integral_value():
        raise ProfileError(f"{name} must be a whole number, got {raw!r}")
    if value < minimum:
        raise ProfileError(f"{name} must be {minimum} or more, got {int(value)}")
    return int(value)


def _optional_integer(raw: Any, name: str) -> int | None:
    return None if _blank(raw) else _integer(raw, name)


def _quantity(raw: Any, name: str) -> Decimal:
    """A non-negative W or A value with at most one decimal (OCPP's multipleOf 0.1)."""
    _required(raw, name)
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


def _optional_quantity(raw: Any, name: str) -> Decimal | None:
    return None if _blank(raw) else _quantity(raw, name)


def read_time(raw: Any, name: str) -> datetime | None:
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


def _choice(raw: Any, enum: type[_E], name: str) -> _E:
    _required(raw, name)
    text = str(getattr(raw, "value", raw)).strip()
    for option in enum:
        if text.lower() == option.value.lower():
            return option
    allowed = ", ".join(o.value for o in enum)
    raise ProfileError(f"{name} must be one of {allowed}, got {text!r}")


def _optional_choice(raw: Any, enum: type[_E], name: str) -> _E | None:
    return None if _blank(raw) else _choice(raw, enum, name)


def _period(raw: Any, index: int) -> SchedulePeriod:
    name = f"period {index}"
    if not isinstance(raw, Mapping):
        raise ProfileError(f"{name} must be an object with startPeriod and limit")
    phases = _optional_integer(raw.get("number_phases"), f"{name} numberPhases")
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
        duration=_optional_integer(raw.get("duration"), "duration"),
        start_schedule=read_time(raw.get("start_schedule"), "startSchedule"),
        min_charging_rate=_optional_quantity(raw.get("min_charging_rate"), "minChargingRate"),
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
        recurrency_kind=_optional_choice(raw.get("recurrency_kind"), Recurrency, "recurrencyKind"),
        valid_from=read_time(raw.get("valid_from"), "validFrom"),
        valid_to=read_time(raw.get("valid_to"), "validTo"),
        transaction_id=_optional_integer(raw.get("transaction_id"), "transactionId"),
    )
