"""The session timeline pricing reads: energy spread between readings, idle from status and
power, readings in force per period, the counted total as the end."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from decimal import Decimal

from ccms_app.finance.rules.session_timeline import MeterPoint, SessionFacts, build_timeline
from ccms_app.finance.rules.tariff_types import PeriodKind

T0 = datetime(2026, 12, 1, 17, 0, tzinfo=UTC)


def at(minutes: int) -> datetime:
    return T0 + timedelta(minutes=minutes)


def facts(energy_wh: int, minutes: int = 60, meter_start_wh: int = 1000) -> SessionFacts:
    return SessionFacts(
        start=T0, end=at(minutes), meter_start_wh=meter_start_wh, energy_wh=energy_wh
    )


def test_energy_follows_the_register_readings() -> None:
    points = [
        MeterPoint(at(30), register_wh=Decimal(11000), power_w=Decimal(20000)),
        MeterPoint(at(45), register_wh=Decimal(13000), power_w=Decimal(8000)),
    ]
    timeline = build_timeline(facts(12000), points, [])
    energies = [p.energy_kwh for p in timeline.periods]
    assert energies == [Decimal(10), Decimal(2), Decimal(0)]
    assert sum(energies) == Decimal(12)
    assert [p.max_power_kw for p in timeline.periods] == [None, Decimal(20), Decimal(8)]
    assert timeline.end == at(60)


def test_the_counted_total_ends_the_session_when_the_last_reading_is_earlier() -> None:
    points = [MeterPoint(at(30), register_wh=Decimal(6000))]
    timeline = build_timeline(facts(10000), points, [])
    assert [p.energy_kwh for p in timeline.periods] == [Decimal(5), Decimal(5)]


def test_without_readings_the_energy_is_spread_over_the_charging_time() -> None:
    statuses = [(T0, "Charging"), (at(40), "SuspendedEV")]
    timeline = build_timeline(facts(8000), [], statuses)
    kinds = [(p.kind, p.energy_kwh) for p in timeline.periods]
    assert kinds == [(PeriodKind.CHARGING, Decimal(8)), (PeriodKind.PARKING, Decimal(0))]
    assert timeline.periods[1].start == at(40)


def test_suspended_ev_and_finishing_are_idle_but_suspended_evse_is_not() -> None:
    statuses = [(at(10), "SuspendedEVSE"), (at(20), "Charging"), (at(50), "Finishing")]
    points = [
        MeterPoint(at(10), register_wh=Decimal(2000)),
        MeterPoint(at(20), register_wh=Decimal(2000)),
        MeterPoint(at(50), register_wh=Decimal(5000)),
    ]
    timeline = build_timeline(facts(4000), points, statuses)
    kinds = [p.kind for p in timeline.periods]
    assert kinds == [
        PeriodKind.CHARGING,
        PeriodKind.CHARGING,
        PeriodKind.CHARGING,
        PeriodKind.PARKING,
    ]
    assert timeline.periods[-1].start == at(50)


def test_energy_flowing_overrules_an_idle_status() -> None:
    statuses = [(at(0), "SuspendedEV")]
    points = [MeterPoint(at(30), register_wh=Decimal(4000))]
    timeline = build_timeline(facts(3000), points, statuses)
    assert timeline.periods[0].kind == PeriodKind.CHARGING
    assert timeline.periods[0].energy_kwh == Decimal(3)


def test_near_zero_power_without_energy_is_idle() -> None:
    points = [
        MeterPoint(at(30), register_wh=Decimal(5000), power_w=Decimal(11000)),
        MeterPoint(at(40), register_wh=Decimal(5000), power_w=Decimal(40)),
    ]
    timeline = build_timeline(facts(4000), points, [])
    assert timeline.periods[-1].kind == PeriodKind.PARKING
    assert timeline.periods[-1].start == at(40)


def test_a_reservation_comes_first() -> None:
    reserved = SessionFacts(T0, at(30), 0, 1000, reserved_at=T0 - timedelta(minutes=15))
    timeline = build_timeline(reserved, [], [])
    assert timeline.periods[0].kind == PeriodKind.RESERVATION
    assert timeline.periods[0].start == T0 - timedelta(minutes=15)
    assert timeline.periods[1].start == T0


def test_readings_outside_the_session_and_a_falling_register_are_ignored() -> None:
    points = [
        MeterPoint(T0 - timedelta(minutes=5), register_wh=Decimal(900)),
        MeterPoint(at(10), register_wh=Decimal(3000)),
        MeterPoint(at(20), register_wh=Decimal(2500)),  # a glitch: the level never goes down
        MeterPoint(at(90), register_wh=Decimal(9000)),
    ]
    timeline = build_timeline(facts(3000, minutes=30), points, [])
    assert sum(p.energy_kwh for p in timeline.periods) == Decimal(3)
    assert all(p.energy_kwh >= 0 for p in timeline.periods)
