"""Charging profile rules (OCPP 1.6 3.13 / SetChargingProfile) and the composite schedule."""

from __future__ import annotations

import copy
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from ocpp_server.smart_charging.composite import (
    CompositePeriod,
    composite_from_ocpp,
    composite_schedule,
    limit_at,
)
from ocpp_server.smart_charging.parsing import profile_from_ocpp
from ocpp_server.smart_charging.profiles import (
    ChargingProfile,
    ChargingSchedule,
    InstalledProfile,
    Kind,
    ProfileError,
    Purpose,
    RateUnit,
    Recurrency,
    SchedulePeriod,
    convert_limit,
)
from ocpp_server.smart_charging.to_ocpp import profile_to_ocpp
from ocpp_server.smart_charging.validation import read_profile, validate_profile

T0 = datetime(2030, 1, 7, 6, 0, tzinfo=UTC)  # a Monday, 06:00 UTC
HOUR = 3600


def raw_profile(**changes: Any) -> dict[str, Any]:
    """A valid TxDefaultProfile as the ocpp library hands it over (snake_case)."""
    raw: dict[str, Any] = {
        "charging_profile_id": 1,
        "stack_level": 0,
        "charging_profile_purpose": "TxDefaultProfile",
        "charging_profile_kind": "Absolute",
        "charging_schedule": {
            "charging_rate_unit": "W",
            "start_schedule": "2030-01-07T06:00:00.000Z",
            "charging_schedule_period": [{"start_period": 0, "limit": 7400.0}],
        },
    }
    schedule_changes = changes.pop("schedule", {})
    raw.update(changes)
    if schedule_changes:
        raw["charging_schedule"].update(schedule_changes)
    return {k: v for k, v in raw.items() if v is not None}


def profile(
    purpose: Purpose,
    periods: list[tuple[int, float]],
    *,
    stack_level: int = 0,
    unit: RateUnit = RateUnit.W,
    kind: Kind = Kind.ABSOLUTE,
    start: datetime | None = T0,
    duration: int | None = None,
    recurrency: Recurrency | None = None,
    transaction_id: int | None = None,
    valid_from: datetime | None = None,
    valid_to: datetime | None = None,
    profile_id: int = 1,
    phases: int | None = None,
) -> ChargingProfile:
    return ChargingProfile(
        charging_profile_id=profile_id,
        stack_level=stack_level,
        purpose=purpose,
        kind=kind,
        schedule=ChargingSchedule(
            charging_rate_unit=unit,
            periods=tuple(SchedulePeriod(s, Decimal(str(limit)), phases) for s, limit in periods),
            duration=duration,
            start_schedule=None if kind == Kind.RELATIVE else start,
        ),
        recurrency_kind=recurrency,
        valid_from=valid_from,
        valid_to=valid_to,
        transaction_id=transaction_id,
    )


def on(connector_id: int, p: ChargingProfile) -> InstalledProfile:
    return InstalledProfile(connector_id, p)


def limits(schedule) -> list[tuple[int, float | None]]:
    return [(p.start_period, None if p.limit is None else float(p.limit)) for p in schedule.periods]


# --- reading and writing ----------------------------------------------------------------------


def test_reads_the_library_form_and_writes_it_back() -> None:
    raw = raw_profile(
        valid_to="2030-02-01T00:00:00Z",
        schedule={
            "duration": 7200,
            "min_charging_rate": Decimal("6.0"),
            "charging_schedule_period": [
                {"start_period": 0, "limit": Decimal("16.0"), "number_phases": 3},
                {"start_period": 1800, "limit": "10.5"},
            ],
            "charging_rate_unit": "a",
        },
    )
    parsed = profile_from_ocpp(raw)
    assert parsed.purpose == Purpose.TX_DEFAULT and parsed.kind == Kind.ABSOLUTE
    assert parsed.schedule.charging_rate_unit == RateUnit.A
    assert parsed.schedule.periods == (
        SchedulePeriod(0, Decimal("16.0"), 3),
        SchedulePeriod(1800, Decimal("10.5")),
    )
    assert parsed.valid_to == datetime(2030, 2, 1, tzinfo=UTC)
    assert profile_to_ocpp(parsed) == {
        "charging_profile_id": 1,
        "stack_level": 0,
        "charging_profile_purpose": "TxDefaultProfile",
        "charging_profile_kind": "Absolute",
        "valid_to": "2030-02-01T00:00:00.000Z",
        "charging_schedule": {
            "duration": 7200,
            "start_schedule": "2030-01-07T06:00:00.000Z",
            "charging_rate_unit": "A",
            "charging_schedule_period": [
                {"start_period": 0, "limit": 16.0, "number_phases": 3},
                {"start_period": 1800, "limit": 10.5},
            ],
            "min_charging_rate": 6.0,
        },
    }
    assert profile_from_ocpp(profile_to_ocpp(parsed)) == parsed


BAD_FIELDS = [
    ({"stack_level": -1}, "stackLevel must be 0 or more"),
    ({"stack_level": "high"}, "stackLevel must be a whole number"),
    ({"charging_profile_id": None}, "chargingProfileId is required"),
    ({"charging_profile_purpose": "Max"}, "chargingProfilePurpose must be one of"),
    ({"charging_profile_kind": None}, "chargingProfileKind is required"),
    ({"recurrency_kind": "Hourly"}, "recurrencyKind must be one of Daily, Weekly"),
    ({"valid_from": "tomorrow"}, "validFrom must be an ISO 8601"),
    ({"valid_to": "2030-01-01T00:00:00"}, "validTo must include a time zone"),
    ({"schedule": {"charging_rate_unit": "kW"}}, "chargingRateUnit must be one of W, A"),
    ({"schedule": {"charging_schedule_period": []}}, "at least one period"),
    ({"schedule": {"charging_schedule_period": [{"start_period": 0}]}}, "period 1 limit is req"),
    (
        {"schedule": {"charging_schedule_period": [{"start_period": 0, "limit": "7.45"}]}},
        "period 1 limit may have at most one decimal",
    ),
    (
        {"schedule": {"charging_schedule_period": [{"start_period": 0, "limit": -1}]}},
        "period 1 limit must not be negative",
    ),
    (
        {"schedule": {"charging_schedule_period": [{"start_period": 0, "limit": "nan"}]}},
        "period 1 limit must be a number",
    ),
    (
        {
            "schedule": {
                "charging_schedule_period": [{"start_period": 0, "limit": 1, "number_phases": 4}]
            }
        },
        "period 1 numberPhases must be 1, 2 or 3",
    ),
    (
        {"schedule": {"charging_schedule_period": [{"start_period": 0.5, "limit": 1}]}},
        "period 1 startPeriod must be a whole number",
    ),
    ({"schedule": {"min_charging_rate": "0.05"}}, "minChargingRate may have at most one decimal"),
    ({"charging_schedule": None}, "chargingSchedule is required"),
]


@pytest.mark.parametrize(("changes", "message"), BAD_FIELDS)
def test_bad_fields_are_named(changes: dict[str, Any], message: str) -> None:
    with pytest.raises(ProfileError, match=message):
        read_profile(raw_profile(**copy.deepcopy(changes)), connector_id=1)


def periods(*starts: int) -> dict[str, Any]:
    return {"charging_schedule_period": [{"start_period": s, "limit": 10} for s in starts]}


BROKEN_RULES = [
    # purpose and connector
    ({"charging_profile_purpose": "ChargePointMaxProfile"}, 1, "connectorId must be 0 for a Ch"),
    (
        {"charging_profile_purpose": "TxProfile", "transaction_id": 5},
        0,
        "connectorId must be 1 or more for a TxProfile",
    ),
    ({"charging_profile_purpose": "TxProfile"}, 1, "transactionId is required for a TxProfile"),
    ({"transaction_id": 5}, 1, "transactionId is only allowed in a TxProfile"),
    ({}, -1, "connectorId must be 0 or more"),
    (
        {
            "charging_profile_purpose": "ChargePointMaxProfile",
            "charging_profile_kind": "Relative",
            "schedule": {"start_schedule": None},
        },
        0,
        "cannot be Relative for a ChargePointMaxProfile",
    ),
    # kind
    ({"charging_profile_kind": "Relative"}, 1, "startSchedule must be empty for a Relative"),
    ({"schedule": {"start_schedule": None}}, 1, "startSchedule is required for an Absolute"),
    ({"charging_profile_kind": "Recurring"}, 1, "recurrencyKind is required for a Recurring"),
    (
        {
            "charging_profile_kind": "Recurring",
            "recurrency_kind": "Daily",
            "schedule": {"start_schedule": None},
        },
        1,
        "startSchedule is required for a Recurring",
    ),
    ({"recurrency_kind": "Daily"}, 1, "recurrencyKind is only allowed in a Recurring"),
    (
        {
            "charging_profile_kind": "Recurring",
            "recurrency_kind": "Daily",
            "schedule": {"duration": 90_000},
        },
        1,
        "duration of a Daily profile is at most 86400",
    ),
    # periods
    ({"schedule": periods(60)}, 1, "period 1 startPeriod must be 0"),
    ({"schedule": periods(0, 600, 600)}, 1, r"period 3 startPeriod must be after period 2's"),
    ({"schedule": periods(0, 600, 300)}, 1, r"period 3 startPeriod must be after period 2's"),
    ({"schedule": {**periods(0, 3600), "duration": 3600}}, 1, "must be before the duration"),
    (
        {"valid_from": "2030-01-02T00:00:00Z", "valid_to": "2030-01-01T00:00:00Z"},
        1,
        "validTo must be after validFrom",
    ),
]


@pytest.mark.parametrize(("changes", "connector_id", "message"), BROKEN_RULES)
def test_ocpp_rules(changes: dict[str, Any], connector_id: int, message: str) -> None:
    with pytest.raises(ProfileError, match=message):
        read_profile(raw_profile(**copy.deepcopy(changes)), connector_id)


def test_valid_profiles_of_every_purpose_and_kind() -> None:
    read_profile(raw_profile(charging_profile_purpose="ChargePointMaxProfile"), 0)
    read_profile(raw_profile(charging_profile_purpose="TxProfile", transaction_id=9), 2)
    relative = raw_profile(charging_profile_kind="Relative", schedule={"start_schedule": None})
    read_profile(relative, 0)
    recurring = raw_profile(charging_profile_kind="Recurring", recurrency_kind="Weekly")
    read_profile(recurring, 1)


def test_remote_start_profile_is_a_tx_profile_without_transaction() -> None:
    tx = raw_profile(charging_profile_purpose="TxProfile")
    assert read_profile(tx, 1, remote_start=True).purpose == Purpose.TX
    with pytest.raises(ProfileError, match="must be TxProfile in RemoteStartTransaction"):
        read_profile(raw_profile(), 1, remote_start=True)
    with pytest.raises(ProfileError, match="transactionId must not be set"):
        read_profile({**tx, "transaction_id": 4}, 1, remote_start=True)


def test_too_many_periods() -> None:
    with pytest.raises(ProfileError, match="at most 48 periods"):
        read_profile(raw_profile(schedule=periods(*range(0, 4900, 100))), 1)


# --- units ------------------------------------------------------------------------------------


def test_amps_and_watts() -> None:
    assert convert_limit(Decimal("16"), RateUnit.A, RateUnit.W) == Decimal("11040.0")
    assert convert_limit(Decimal("32"), RateUnit.A, RateUnit.W, phases=1) == Decimal("7360.0")
    assert convert_limit(Decimal("7400"), RateUnit.W, RateUnit.A, phases=1) == Decimal("32.1")
    assert convert_limit(Decimal("7.4"), RateUnit.W, RateUnit.W) == Decimal("7.4")


# --- composite schedule -----------------------------------------------------------------------


def test_a_single_default_profile() -> None:
    installed = [on(1, profile(Purpose.TX_DEFAULT, [(0, 7400)]))]
    result = composite_schedule(installed, 1, T0, HOUR, RateUnit.W)
    assert limits(result) == [(0, 7400.0)]
    assert (result.start, result.duration, result.charging_rate_unit) == (T0, HOUR, RateUnit.W)
    assert limit_at(installed, 1, T0 + timedelta(minutes=5), RateUnit.W) == Decimal("7400.0")
    assert limit_at(installed, 1, T0 - timedelta(minutes=5), RateUnit.W) is None  # not started
    assert limits(composite_schedule(installed, 2, T0, HOUR, RateUnit.W)) == [(0, None)]


def test_higher_stack_level_wins_until_its_duration_ends() -> None:
    installed = [
        on(1, profile(Purpose.TX_DEFAULT, [(0, 11000)], stack_level=0)),
        on(1, profile(Purpose.TX_DEFAULT, [(0, 7400), (1800, 3700)], stack_level=1, duration=HOUR)),
    ]
    result = composite_schedule(installed, 1, T0, 2 * HOUR, RateUnit.W)
    assert limits(result) == [(0, 7400.0), (1800, 3700.0), (HOUR, 11000.0)]


def test_tx_profile_overrides_the_default_and_the_charge_point_max_caps_both() -> None:
    installed = [
        on(0, profile(Purpose.TX_DEFAULT, [(0, 7400)], stack_level=5)),
        on(1, profile(Purpose.TX, [(0, 22000), (HOUR, 3000)], transaction_id=42)),
        on(0, profile(Purpose.CHARGE_POINT_MAX, [(0, 11000), (2 * HOUR, 16000)])),
    ]
    with_tx = composite_schedule(installed, 1, T0, 3 * HOUR, RateUnit.W, transaction_id=42)
    assert limits(with_tx) == [(0, 11000.0), (HOUR, 3000.0)]
    other_tx = composite_schedule(installed, 1, T0, 3 * HOUR, RateUnit.W, transaction_id=7)
    assert limits(other_tx) == [(0, 7400.0)]
    assert limits(composite_schedule(installed, 2, T0, HOUR, RateUnit.W)) == [(0, 7400.0)]
    # connector 0 is the charge point as a whole: only its maximum
    whole = composite_schedule(installed, 0, T0, 3 * HOUR, RateUnit.W, transaction_id=42)
    assert limits(whole) == [(0, 11000.0), (2 * HOUR, 16000.0)]


def test_tx_profile_falls_back_to_the_default_when_its_schedule_ends() -> None:
    installed = [
        on(1, profile(Purpose.TX_DEFAULT, [(0, 7400)])),
        on(1, profile(Purpose.TX, [(0, 3000)], transaction_id=1, duration=600)),
    ]
    result = composite_schedule(installed, 1, T0, HOUR, RateUnit.W, transaction_id=1)
    assert limits(result) == [(0, 3000.0), (600, 7400.0)]


def test_a_connectors_own_default_beats_connector_0_at_the_same_stack_level() -> None:
    installed = [
        on(0, profile(Purpose.TX_DEFAULT, [(0, 11000)], stack_level=1)),
        on(2, profile(Purpose.TX_DEFAULT, [(0, 4000)], stack_level=1)),
    ]
    assert limits(composite_schedule(installed, 2, T0, HOUR, RateUnit.W)) == [(0, 4000.0)]
    assert limits(composite_schedule(installed, 1, T0, HOUR, RateUnit.W)) == [(0, 11000.0)]


def test_recurring_daily_repeats_every_day() -> None:
    night_cheap = profile(
        Purpose.TX_DEFAULT,
        [(0, 11000), (8 * HOUR, 3700), (18 * HOUR, 11000)],
        kind=Kind.RECURRING,
        recurrency=Recurrency.DAILY,
        start=datetime(2030, 1, 1, tzinfo=UTC),
    )
    result = composite_schedule([on(0, night_cheap)], 1, T0, 48 * HOUR, RateUnit.W)
    # T0 is 06:00: 2 h of 11 kW, 10 h of 3.7 kW, 14 h of 11 kW, 10 h of 3.7 kW, ...
    assert limits(result) == [
        (0, 11000.0),
        (2 * HOUR, 3700.0),
        (12 * HOUR, 11000.0),
        (26 * HOUR, 3700.0),
        (36 * HOUR, 11000.0),
    ]
    assert limit_at([on(0, night_cheap)], 1, T0 + timedelta(days=30, hours=3), RateUnit.W) == (
        Decimal("3700.0")
    )


def test_recurring_with_a_duration_leaves_gaps_to_lower_stack_levels() -> None:
    evening_cap = profile(
        Purpose.TX_DEFAULT,
        [(0, 2000)],
        stack_level=2,
        kind=Kind.RECURRING,
        recurrency=Recurrency.DAILY,
        start=datetime(2030, 1, 1, 17, tzinfo=UTC),
        duration=3 * HOUR,
    )
    base = profile(Purpose.TX_DEFAULT, [(0, 7400)])
    result = composite_schedule([on(0, evening_cap), on(0, base)], 1, T0, 24 * HOUR, RateUnit.W)
    assert limits(result) == [(0, 7400.0), (11 * HOUR, 2000.0), (14 * HOUR, 7400.0)]


def test_relative_schedules_start_with_the_transaction() -> None:
    ramp = profile(Purpose.TX_DEFAULT, [(0, 3000), (900, 11000)], kind=Kind.RELATIVE)
    started = T0 - timedelta(minutes=10)
    running = composite_schedule(
        [on(1, ramp)], 1, T0, HOUR, RateUnit.W, transaction_id=3, transaction_start=started
    )
    assert limits(running) == [(0, 3000.0), (300, 11000.0)]
    # no transaction yet: the expected schedule of one starting now
    assert limits(composite_schedule([on(1, ramp)], 1, T0, HOUR, RateUnit.W)) == [
        (0, 3000.0),
        (900, 11000.0),
    ]


def test_validity_bounds_the_profile() -> None:
    bounded = profile(
        Purpose.TX_DEFAULT,
        [(0, 5000)],
        stack_level=1,
        valid_from=T0 + timedelta(minutes=10),
        valid_to=T0 + timedelta(minutes=40),
    )
    base = profile(Purpose.TX_DEFAULT, [(0, 7400)])
    result = composite_schedule([on(1, bounded), on(1, base)], 1, T0, HOUR, RateUnit.W)
    assert limits(result) == [(0, 7400.0), (600, 5000.0), (2400, 7400.0)]


def test_units_are_converted_and_gaps_take_the_default() -> None:
    amps = profile(Purpose.TX_DEFAULT, [(0, 16)], unit=RateUnit.A, duration=1800)
    one_phase = profile(
        Purpose.CHARGE_POINT_MAX, [(0, 7400)], phases=1, start=T0 + timedelta(minutes=45)
    )
    result = composite_schedule(
        [on(1, amps), on(0, one_phase)], 1, T0, HOUR, RateUnit.A, default_limit=Decimal("32.0")
    )
    assert result.periods == (
        CompositePeriod(0, Decimal("16.0")),
        CompositePeriod(1800, Decimal("32.0")),
        CompositePeriod(2700, Decimal("32.1"), 1),
    )
    in_watts = composite_schedule([on(1, amps)], 1, T0, HOUR, RateUnit.W, phases=1)
    assert limits(in_watts) == [(0, 3680.0), (1800, None)]


def test_a_charge_points_answer_reads_back() -> None:
    installed = [on(1, profile(Purpose.TX_DEFAULT, [(0, 7400), (600, 3700)]))]
    mine = composite_schedule(installed, 1, T0, HOUR, RateUnit.W)
    answer = mine.to_ocpp()
    assert answer["start_schedule"] == "2030-01-07T06:00:00.000Z"
    read = composite_from_ocpp(1, "2030-01-07T06:00:00Z", answer)
    assert read == mine
    assert read.limit_at(T0 + timedelta(seconds=601)) == Decimal("3700.0")
    with pytest.raises(ProfileError, match="period 1 limit"):
        composite_from_ocpp(1, None, {**answer, "charging_schedule_period": [{"start_period": 0}]})


# --- properties -------------------------------------------------------------------------------

limits_w = st.integers(min_value=0, max_value=500).map(lambda n: n * 100)
absolute_profiles = st.builds(
    lambda purpose, stack, offsets, values, start, duration, connector: (
        0 if purpose == Purpose.CHARGE_POINT_MAX else connector,
        profile(
            purpose,
            list(zip([0, *sorted(offsets)], values, strict=False)),
            stack_level=stack,
            start=T0 + timedelta(seconds=start),
            duration=duration,
            transaction_id=1 if purpose == Purpose.TX else None,
        ),
    ),
    st.sampled_from(list(Purpose)),
    st.integers(min_value=0, max_value=3),
    st.sets(st.integers(min_value=1, max_value=3000), max_size=3),
    st.lists(limits_w, min_size=4, max_size=4),
    st.integers(min_value=-1800, max_value=3600),
    st.one_of(st.none(), st.integers(min_value=3001, max_value=7200)),
    st.integers(min_value=0, max_value=2),
)


@settings(max_examples=150, deadline=None)
@given(st.lists(absolute_profiles, max_size=5))
def test_composite_periods_agree_with_the_limit_at_every_moment(found) -> None:
    installed = [on(connector, p) for connector, p in found]
    result = composite_schedule(installed, 1, T0, 2 * HOUR, RateUnit.W, transaction_id=1)
    starts = [p.start_period for p in result.periods]
    assert starts[0] == 0 and starts == sorted(set(starts)) and starts[-1] < 2 * HOUR
    for period, after in zip(result.periods, [*starts[1:], 2 * HOUR], strict=True):
        for second in (period.start_period, after - 1):
            at = T0 + timedelta(seconds=second)
            assert limit_at(installed, 1, at, RateUnit.W, transaction_id=1) == period.limit


@settings(max_examples=100, deadline=None)
@given(st.lists(absolute_profiles, max_size=4), limits_w)
def test_a_charge_point_maximum_caps_and_never_raises_a_limit(found, cap) -> None:
    # Among ChargePointMaxProfiles the highest stack level wins, so only the others here.
    installed = [on(c, p) for c, p in found if p.purpose != Purpose.CHARGE_POINT_MAX]
    extra = on(0, profile(Purpose.CHARGE_POINT_MAX, [(0, cap)], stack_level=9, start=T0))
    before = composite_schedule(installed, 1, T0, HOUR, RateUnit.W, transaction_id=1)
    after = composite_schedule([*installed, extra], 1, T0, HOUR, RateUnit.W, transaction_id=1)
    for second in range(0, HOUR, 97):
        at = T0 + timedelta(seconds=second)
        capped = after.limit_at(at)
        assert capped is not None and capped <= cap
        old = before.limit_at(at)
        assert old is None or capped <= old


def test_validate_profile_accepts_what_profile_to_ocpp_wrote() -> None:
    recurring = profile(
        Purpose.TX_DEFAULT,
        [(0, 11000), (3600, 3700)],
        kind=Kind.RECURRING,
        recurrency=Recurrency.WEEKLY,
    )
    validate_profile(recurring, 0)
    assert read_profile(profile_to_ocpp(recurring), 0) == recurring
