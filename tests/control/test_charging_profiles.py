"""Smart Charging end to end: service -> real OCPP server -> websocket -> simulator (real DB)."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import timedelta
from decimal import Decimal
from typing import Any

import pytest
from sqlalchemy.engine import Engine

from ccms_app.accounts.models import Organisation
from ccms_app.charging.models import ChargingSession, MeterSample
from ccms_app.control import commands
from ccms_app.control.commands import UnknownChargePointError
from ccms_app.control.models import (
    ChargePointCommand,
    CompositeScheduleResult,
    StoredChargingProfile,
)
from ccms_app.control.rules.commands import CommandInputError
from ccms_app.control.smart_charging.composite_schedules import (
    expected_schedule,
    get_composite_schedule,
    recent_composite_schedules,
)
from ccms_app.control.smart_charging.profile_commands import (
    ProfileInputError,
    clear_profiles,
    set_profile,
)
from ccms_app.control.smart_charging.profile_views import list_profiles, profile_summary
from ccms_app.control.state.smart_charging_form import form_profile_spec
from ccms_app.control.state.smart_charging_rows import composite_rows
from ccms_app.core.types import utc_now
from ocpp_server.simulator import EvProfile, SimulatedChargePoint
from tests.control.core_profile_support import CP, TAG, connector_status, register, rows
from tests.fixtures.ocpp import eventually

BY = "ops@example.com"
CAR = EvProfile(capacity_wh=60_000, start_soc=30.0, max_power_w=22_000)


def spec(purpose: str, limits: list[tuple[int, float]], **extra: Any) -> dict[str, Any]:
    """A profile as the operator's form gives it (no chargingProfileId: the service assigns)."""
    schedule = {
        "charging_rate_unit": extra.pop("unit", "W"),
        "charging_schedule_period": [{"start_period": s, "limit": v} for s, v in limits],
    }
    kind = extra.pop("kind", "Absolute")
    if kind == "Absolute":
        schedule["start_schedule"] = utc_now() - timedelta(minutes=1)
    return {
        "stack_level": extra.pop("stack_level", 0),
        "charging_profile_purpose": purpose,
        "charging_profile_kind": kind,
        "charging_schedule": schedule,
        **extra,
    }


@pytest.fixture
def cp_id(engine: Engine, organisation: Organisation) -> int:
    return register(engine, organisation, utc_now() - timedelta(days=1))


@pytest.fixture
async def charger(
    ocpp_url: str, cp_id: int, command_port, engine: Engine
) -> AsyncIterator[SimulatedChargePoint]:
    cp = SimulatedChargePoint(CP, ocpp_url, meter_interval=60, max_power_w=22_000)
    await cp.connect()
    await eventually(lambda: connector_status(engine, 2) == "Available")
    yield cp
    await cp.close()


def session_power(engine: Engine, transaction_id: int) -> float | None:
    (row,) = rows(engine, ChargingSession, ChargingSession.id == transaction_id)
    return row.power_w


def power_samples(engine: Engine, transaction_id: int) -> list[float]:
    samples = rows(
        engine,
        MeterSample,
        MeterSample.session_id == transaction_id,
        MeterSample.measurand == "Power.Active.Import",
    )
    return [s.value for s in sorted(samples, key=lambda s: s.id)]


async def charging(charger: SimulatedChargePoint, engine: Engine, connector_id: int = 1) -> int:
    """A session at the full 22 kW, its first meter sample stored."""
    tx = await charger.plug_in_and_charge(connector_id, TAG, ev=CAR)
    assert tx is not None
    await eventually(lambda: power_samples(engine, tx) == [22000.0])
    return tx


async def test_tx_default_profile_caps_a_running_session_until_cleared(
    charger: SimulatedChargePoint, cp_id: int, engine: Engine
) -> None:
    tx = await charging(charger, engine)
    view = await set_profile(cp_id, 0, spec("TxDefaultProfile", [(0, 7400)]), BY)
    assert (view.status, view.command.status, view.command.action) == (
        "accepted",
        "accepted",
        "SetChargingProfile",
    )
    assert view.profile.charging_profile_id == 1 and view.is_active
    assert profile_summary(view.profile) == "0 min 7400 W"
    (stored,) = rows(engine, StoredChargingProfile)
    assert (stored.status, stored.connector_id, stored.command_id) == (
        "accepted",
        0,
        view.command.id,
    )
    assert [v.id for v in list_profiles(cp_id)] == [view.id]
    assert [ip.profile.charging_profile_id for ip in charger.charging_profiles] == [1]

    # The charger caps the session and reports it in its next MeterValues.
    await eventually(lambda: power_samples(engine, tx)[-1:] == [7400.0])
    assert all(p <= 7400.0 for p in power_samples(engine, tx)[1:])
    await eventually(lambda: session_power(engine, tx) == 7400.0)

    composite = await get_composite_schedule(cp_id, 1, 3600, "W", BY)
    assert (composite.status, composite.command.action) == ("accepted", "GetCompositeSchedule")
    assert composite.schedule is not None
    assert [(p.start_period, p.limit) for p in composite.schedule.periods] == [
        (0, Decimal("7400.0"))
    ]
    assert (composite.schedule.duration, composite.schedule.charging_rate_unit) == (3600, "W")
    in_amps = await get_composite_schedule(cp_id, 1, 600, "A", BY)
    assert [p.limit for p in in_amps.schedule.periods] == [Decimal("10.7")]  # 7400 W / 3 x 230 V
    assert [c.schedule.periods[0].limit for c in recent_composite_schedules(cp_id)] == [
        Decimal("10.7"),
        Decimal("7400.0"),
    ]
    assert len(rows(engine, CompositeScheduleResult)) == 2
    expected = expected_schedule(cp_id, 1, 3600)
    assert [(p.start_period, p.limit) for p in expected.periods] == [(0, Decimal("7400.0"))]

    cleared = await clear_profiles(cp_id, requested_by=BY, charging_profile_id=1)
    assert cleared.command.status == "accepted"
    assert [(v.id, v.status) for v in cleared.cleared] == [(view.id, "cleared")]
    assert list_profiles(cp_id) == []
    assert [v.status for v in list_profiles(cp_id, active_only=False)] == ["cleared"]
    assert charger.charging_profiles == []
    await eventually(lambda: power_samples(engine, tx)[-1:] == [22000.0])


async def test_an_invalid_profile_is_refused_before_sending(
    charger: SimulatedChargePoint, cp_id: int, engine: Engine
) -> None:
    bad_periods = spec("TxDefaultProfile", [(0, 7400), (600, 3700), (300, 1000)])
    with pytest.raises(ProfileInputError, match="period 3 startPeriod must be after period 2's"):
        await set_profile(cp_id, 1, bad_periods, BY)
    with pytest.raises(CommandInputError, match="connectorId must be 0 for a ChargePointMax"):
        await set_profile(cp_id, 1, spec("ChargePointMaxProfile", [(0, 11000)]), BY)
    with pytest.raises(ProfileInputError, match="period 1 limit may have at most one decimal"):
        await set_profile(cp_id, 1, spec("TxDefaultProfile", [(0, 7400.25)]), BY)
    with pytest.raises(ProfileInputError, match="transactionId 999 is not running on connector 1"):
        await set_profile(cp_id, 1, spec("TxProfile", [(0, 7400)], transaction_id=999), BY)
    with pytest.raises(ProfileInputError, match=f"{CP} has no connector 7"):
        await set_profile(cp_id, 7, spec("TxDefaultProfile", [(0, 7400)]), BY)
    with pytest.raises(ProfileInputError, match="connector_id must be 0 or more"):
        await set_profile(cp_id, -1, spec("TxDefaultProfile", [(0, 7400)]), BY)
    with pytest.raises(UnknownChargePointError):
        await set_profile(999, 1, spec("TxDefaultProfile", [(0, 7400)]), BY)
    assert rows(engine, StoredChargingProfile) == []
    assert rows(engine, ChargePointCommand) == []
    assert charger.charging_profiles == []


async def test_tx_profile_for_a_running_transaction_overrides_the_default(
    charger: SimulatedChargePoint, cp_id: int, engine: Engine
) -> None:
    tx = await charging(charger, engine)
    default = await set_profile(cp_id, 0, spec("TxDefaultProfile", [(0, 7400)]), BY)
    await eventually(lambda: power_samples(engine, tx)[-1:] == [7400.0])
    tx_profile = await set_profile(cp_id, 1, spec("TxProfile", [(0, 11000)], transaction_id=tx), BY)
    assert tx_profile.status == "accepted" and tx_profile.profile.transaction_id == tx
    await eventually(lambda: power_samples(engine, tx)[-1:] == [11000.0])
    assert {v.id for v in list_profiles(cp_id)} == {default.id, tx_profile.id}

    await charger.stop_charging(1)
    await eventually(lambda: rows(engine, ChargingSession)[0].status == "completed")
    shown = {v.id: v.shown_status for v in list_profiles(cp_id, active_only=False)}
    assert shown == {default.id: "accepted", tx_profile.id: "ended"}
    assert [v.id for v in list_profiles(cp_id)] == [default.id]
    assert [ip.profile.purpose for ip in charger.charging_profiles] == ["TxDefaultProfile"]
    with pytest.raises(ProfileInputError, match=f"transactionId {tx} is not running"):
        await set_profile(cp_id, 1, spec("TxProfile", [(0, 1000)], transaction_id=tx), BY)


async def test_same_stack_level_and_purpose_replaces_and_the_maximum_caps(
    charger: SimulatedChargePoint, cp_id: int, engine: Engine
) -> None:
    tx = await charging(charger, engine, connector_id=2)
    first = await set_profile(cp_id, 2, spec("TxDefaultProfile", [(0, 7400)]), BY)
    second = await set_profile(cp_id, 2, spec("TxDefaultProfile", [(0, 9000)]), BY)
    assert second.profile.charging_profile_id == first.profile.charging_profile_id + 1
    statuses = {v.id: v.status for v in list_profiles(cp_id, active_only=False)}
    assert statuses == {first.id: "replaced", second.id: "accepted"}
    assert [ip.profile.charging_profile_id for ip in charger.charging_profiles] == [2]
    await eventually(lambda: power_samples(engine, tx)[-1:] == [9000.0])

    cap = await set_profile(
        cp_id, 0, spec("ChargePointMaxProfile", [(0, 5000)], kind="Absolute", stack_level=3), BY
    )
    assert cap.status == "accepted"
    await eventually(lambda: power_samples(engine, tx)[-1:] == [5000.0])
    composite = await get_composite_schedule(cp_id, 0, 60, None, BY)
    assert [p.limit for p in composite.schedule.periods] == [Decimal("5000.0")]

    by_purpose = await clear_profiles(cp_id, requested_by=BY, purpose="ChargePointMaxProfile")
    assert [v.id for v in by_purpose.cleared] == [cap.id]
    await eventually(lambda: power_samples(engine, tx)[-1:] == [9000.0])
    nothing = await clear_profiles(cp_id, requested_by=BY, stack_level=7)
    assert (nothing.command.status, nothing.cleared) == ("rejected", [])
    everything = await clear_profiles(cp_id, requested_by=BY)
    assert [v.id for v in everything.cleared] == [second.id]
    assert charger.charging_profiles == []


async def test_remote_start_with_a_tx_profile(
    charger: SimulatedChargePoint, cp_id: int, engine: Engine
) -> None:
    profile = spec("TxProfile", [(0, 3000)], kind="Relative", charging_profile_id=77)
    params = {"id_tag": TAG, "connector_id": 2, "charging_profile": profile}
    started = await commands.send_command(cp_id, "RemoteStartTransaction", params, BY)
    assert started.status == "accepted"
    await eventually(lambda: 2 in charger.active_transactions)
    tx = charger.active_transactions[2]
    (installed,) = charger.charging_profiles
    assert (installed.connector_id, installed.profile.transaction_id) == (2, tx)
    await eventually(lambda: power_samples(engine, tx)[:1] == [3000.0])
    wrong = {
        **params,
        "charging_profile": {**profile, "charging_profile_purpose": "TxDefaultProfile"},
    }
    with pytest.raises(CommandInputError, match="must be TxProfile in RemoteStartTransaction"):
        await commands.send_command(cp_id, "RemoteStartTransaction", wrong, BY)


async def test_charge_point_refusals_and_offline(
    charger: SimulatedChargePoint, cp_id: int, engine: Engine
) -> None:
    unknown_connector = await get_composite_schedule(cp_id, 5, 60, "W", BY)
    assert (unknown_connector.status, unknown_connector.schedule) == ("rejected", None)
    # A TxProfile the charge point cannot place: stack level above its maximum (8).
    tx = await charging(charger, engine)
    too_high = spec("TxProfile", [(0, 3000)], transaction_id=tx, stack_level=9)
    refused = await set_profile(cp_id, 1, too_high, BY)
    assert (refused.status, refused.detail) == ("rejected", "charge point answered Rejected")
    assert not refused.is_active and list_profiles(cp_id) == []
    await charger.close()
    offline = await set_profile(cp_id, 0, spec("TxDefaultProfile", [(0, 7400)]), BY)
    assert (offline.status, offline.command.status) == ("offline", "offline")
    assert list_profiles(cp_id) == []


# --- the operator's form (the Smart charging tab) ---------------------------------------------


def form(**changes: Any) -> dict[str, Any]:
    values = {
        "purpose": "TxDefaultProfile",
        "transaction": "",
        "stack_level": "1",
        "schedule": "Every day (from the start time)",
        "start": "",
        "unit": "W",
        "periods": [{"start": "0", "limit": "11000"}, {"start": "1080", "limit": "3700"}],
        "duration": "",
        "valid_from": "",
        "valid_to": "2099-01-01T00:00",
    }
    return values | changes


async def test_the_operator_form_becomes_the_profile_the_charge_point_runs(
    charger: SimulatedChargePoint, cp_id: int, engine: Engine
) -> None:
    now = utc_now()
    spec_ = form_profile_spec(form(), now, "UTC")
    assert spec_["charging_profile_kind"] == "Recurring" and spec_["recurrency_kind"] == "Daily"
    midnight = now.replace(hour=0, minute=0, second=0, microsecond=0)
    assert spec_["charging_schedule"]["start_schedule"] == midnight
    view = await set_profile(cp_id, 0, spec_, BY)
    assert view.status == "accepted"
    assert profile_summary(view.profile) == "0 min 11000 W, 18 h 3700 W"
    answer = await get_composite_schedule(cp_id, 1, 86_400, "W", BY)
    expected = expected_schedule(cp_id, 1, 86_400, start=answer.schedule.start)
    assert answer.schedule.periods == expected.periods  # charger and CCMS agree
    rows_ = composite_rows(answer.schedule, expected)
    assert {r.limit for r in rows_} == {"11000 W", "3700 W"}
    assert all(r.limit == r.expected for r in rows_)

    tx = await charger.plug_in_and_charge(1, TAG, ev=CAR)  # capped by the daily profile
    assert tx is not None
    tx_form = form(
        purpose="TxProfile", transaction=f"{tx} (connector 1)", schedule="From the start time"
    )
    tx_spec = form_profile_spec(tx_form, now, "UTC")
    assert tx_spec["transaction_id"] == tx and tx_spec["charging_schedule"]["start_schedule"] == (
        now.replace(microsecond=0)
    )
    relative = form_profile_spec(form(schedule="From each transaction's start"), now, "UTC")
    assert relative["charging_schedule"]["start_schedule"] is None


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"periods": [{"start": "0", "limit": "7.45"}]}, "period 1 limit may have at most one"),
        ({"periods": [{"start": "0", "limit": ""}]}, "period 1 limit is required"),
        (
            {"periods": [{"start": "0", "limit": "1"}, {"start": "abc", "limit": "2"}]},
            "Period 2 start must be a number of minutes",
        ),
        ({"stack_level": "x"}, "stackLevel must be a whole number"),
        ({"valid_to": "soon"}, "Valid to must be a date and time"),
        ({"purpose": "TxProfile"}, "transactionId is required for a TxProfile"),
    ],
)
async def test_form_mistakes_are_named_and_nothing_is_sent(
    cp_id: int, command_port, engine: Engine, changes: dict[str, Any], message: str
) -> None:
    with pytest.raises(CommandInputError, match=message):
        await set_profile(cp_id, 1, form_profile_spec(form(**changes), utc_now(), "UTC"), BY)
    assert rows(engine, StoredChargingProfile) == []
