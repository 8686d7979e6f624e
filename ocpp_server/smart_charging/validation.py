"""The OCPP 1.6 rules a charging profile must follow on a connector."""

from __future__ import annotations

import itertools
from collections.abc import Mapping
from typing import Any

from ocpp_server.smart_charging.parsing import profile_from_ocpp
from ocpp_server.smart_charging.profiles import (
    RECURRENCE_SECONDS,
    ChargingProfile,
    Kind,
    ProfileError,
    Purpose,
    Recurrency,
)


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
