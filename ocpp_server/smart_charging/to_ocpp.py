"""Writing profiles back in the ocpp library's snake_case form."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import UTC, datetime
from typing import Any

from ocpp_server.smart_charging.profiles import ChargingProfile, ChargingSchedule, SchedulePeriod


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
