"""The Smart charging tab's times are the station's: the profile form's start and validity
are typed on the station's wall clock (its label names the zone), and a profile's start and
validity are shown back in that zone with its abbreviation."""

from __future__ import annotations

from datetime import UTC, datetime
from decimal import Decimal
from typing import Any

import pytest

from ccms_app.control.rules.commands import CommandInputError
from ccms_app.control.smart_charging.profile_views import ProfileView
from ccms_app.control.state.smart_charging_form import form_profile_spec
from ccms_app.control.state.smart_charging_rows import profile_row
from ocpp_server.smart_charging.profiles import (
    ChargingProfile,
    ChargingSchedule,
    Kind,
    Purpose,
    RateUnit,
    Recurrency,
    SchedulePeriod,
)

NOW = datetime(2026, 12, 6, 17, 30, tzinfo=UTC)  # 18:30 in Berlin, 11:30 in Chicago


def form(**changes: str) -> dict[str, Any]:
    values: dict[str, Any] = {
        "purpose": "TxDefaultProfile",
        "transaction": "",
        "stack_level": "1",
        "schedule": "From the start time",
        "start": "",
        "unit": "W",
        "periods": [{"start": "0", "limit": "11000"}],
        "duration": "",
        "valid_from": "",
        "valid_to": "",
    }
    return values | changes


def test_the_form_times_are_read_on_the_stations_clock() -> None:
    spec = form_profile_spec(
        form(
            start="2026-12-06T10:00",
            valid_from="2026-12-06T10:00",
            valid_to="2026-12-31T23:59",
        ),
        NOW,
        "Europe/Berlin",
    )
    assert spec["charging_schedule"]["start_schedule"] == datetime(2026, 12, 6, 9, tzinfo=UTC)
    assert spec["valid_from"] == datetime(2026, 12, 6, 9, 0, tzinfo=UTC)
    assert spec["valid_to"] == datetime(2026, 12, 31, 22, 59, tzinfo=UTC)
    chicago = form_profile_spec(form(valid_from="2026-12-06T10:00"), NOW, "America/Chicago")
    assert chicago["valid_from"] == datetime(2026, 12, 6, 16, 0, tzinfo=UTC)
    gap = form_profile_spec(form(valid_from="2026-03-29T02:30"), NOW, "Europe/Berlin")
    assert gap["valid_from"] == datetime(2026, 3, 29, 1, 30, tzinfo=UTC)  # fold=0, no error
    with pytest.raises(CommandInputError, match="Valid from must be a date and time"):
        form_profile_spec(form(valid_from="soon"), NOW, "Europe/Berlin")


def test_a_daily_schedule_without_a_start_begins_at_the_stations_midnight() -> None:
    daily = form(schedule="Every day (from the start time)")
    berlin = form_profile_spec(daily, NOW, "Europe/Berlin")["charging_schedule"]
    assert berlin["start_schedule"] == datetime(2026, 12, 5, 23, 0, tzinfo=UTC)
    late = datetime(2026, 12, 7, 3, 0, tzinfo=UTC)  # still 6 December in Chicago (21:00)
    chicago = form_profile_spec(daily, late, "America/Chicago")["charging_schedule"]
    assert chicago["start_schedule"] == datetime(2026, 12, 6, 6, 0, tzinfo=UTC)
    now = form_profile_spec(form(), NOW, "Europe/Berlin")["charging_schedule"]
    assert now["start_schedule"] == NOW  # "From the start time", empty: now


def _view(
    valid_from: datetime | None, valid_to: datetime | None, start: datetime | None
) -> ProfileView:
    profile = ChargingProfile(
        charging_profile_id=7,
        stack_level=1,
        purpose=Purpose.TX_DEFAULT,
        kind=Kind.ABSOLUTE if start else Kind.RECURRING,
        schedule=ChargingSchedule(
            RateUnit.W, (SchedulePeriod(0, Decimal(11000)),), start_schedule=start
        ),
        recurrency_kind=None if start else Recurrency.DAILY,
        valid_from=valid_from,
        valid_to=valid_to,
    )
    return ProfileView(
        id=1,
        charge_point_id=1,
        charge_point_identity="CP-1",
        connector_id=0,
        profile=profile,
        status="accepted",
        detail="",
        transaction_ended=False,
        created_by="ops",
        created_at=NOW,
        updated_at=NOW,
    )


def test_a_profile_row_shows_its_times_in_the_stations_zone() -> None:
    view = _view(
        datetime(2026, 12, 1, 9, 0, tzinfo=UTC),
        datetime(2027, 1, 1, 8, 0, tzinfo=UTC),
        datetime(2026, 12, 1, 9, 0, tzinfo=UTC),
    )
    row = profile_row(view, "Europe/Berlin", NOW)
    assert row.validity == "from 2026-12-01 10:00 CET until 2027-01-01 09:00 CET"
    assert row.schedule == "Absolute from 2026-12-01 10:00 CET"
    chicago = profile_row(view, "America/Chicago", NOW)
    assert chicago.validity == "from 2026-12-01 03:00 CST until 2027-01-01 02:00 CST"


def test_a_naive_profile_time_is_utc_and_today_shows_the_time_only() -> None:
    naive_today = datetime(2026, 12, 6, 20, 0)
    row = profile_row(_view(None, None, naive_today), "Europe/Berlin", NOW)
    assert row.schedule == "Absolute from 21:00:00 CET"
    today = datetime(2026, 12, 6, 20, 0, tzinfo=UTC)
    assert profile_row(_view(None, today, None), "Asia/Tokyo", NOW).validity == (
        "until 05:00:00 JST"  # 7 December: today in Tokyo, where it is 02:30 then
    )
    assert profile_row(_view(None, None, None), "UTC", NOW).validity == "always"
