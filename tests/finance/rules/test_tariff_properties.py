"""Properties of the tariff engine (hypothesis) and the behaviours an operator relies on:
peak/off-peak switches across DST and midnight, kWh tiers, power prices, idle grace + cap,
min/max price, rounding."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime, time, timedelta
from decimal import ROUND_HALF_EVEN, Decimal

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from ccms_app.finance.rules.tariff_engine import price_session
from ccms_app.finance.rules.tariff_types import (
    DayOfWeek,
    Dimension,
    PeriodKind,
    Price,
    PriceComponent,
    Restrictions,
    SessionCost,
    SessionTimeline,
    Tariff,
    TariffElement,
    TimelinePeriod,
)
from tests.finance.rules.sessions import CHARGING, PARKING, at, session, tariff

ZONES = ("UTC", "Europe/Berlin", "America/New_York", "Australia/Sydney")
prices = st.decimals(min_value=0, max_value=3, places=2)
vats = st.sampled_from([None, Decimal(0), Decimal(7), Decimal(19), Decimal("20.5")])
clock = st.builds(time, st.integers(0, 23), st.sampled_from([0, 15, 30]))


def component(dimension: Dimension, steps: list[int]) -> st.SearchStrategy[PriceComponent]:
    return st.builds(PriceComponent, st.just(dimension), prices, st.sampled_from(steps), vats)


restrictions = st.builds(
    Restrictions,
    start_time=st.none() | clock,
    end_time=st.none() | clock,
    day_of_week=st.frozensets(st.sampled_from(list(DayOfWeek)), max_size=3),
    min_duration=st.none() | st.integers(0, 7200),
    max_power=st.none() | st.sampled_from([Decimal(11), Decimal(50)]),
)


# OCPI 2.2.1 TariffRestrictions: start_time / end_time / day_of_week say when in local time,
# min_duration / max_duration how long into the session, an element "is or becomes active".
_WHEN: dict[str, object] = {
    "start_time": None,
    "end_time": None,
    "start_date": None,
    "end_date": None,
    "day_of_week": frozenset(),
    "min_duration": None,
    "max_duration": None,
}


def _energy_element(element: TariffElement) -> TariffElement:
    """The element, its ENERGY price made independent of the clock and the session's
    duration (only its power restriction kept) when it has one."""
    priced = any(c.type == Dimension.ENERGY for c in element.price_components)
    if not priced or element.restrictions is None:
        return element
    return replace(element, restrictions=replace(element.restrictions, **_WHEN))


@st.composite
def tariffs(draw: st.DrawFn, *, energy_price_fixed_in_time: bool = False) -> Tariff:
    """Either one unrestricted element per dimension with any step_size, or several
    restricted elements with step_size 1 (OCPI's "last element's step_size" rule is not
    monotone when prices switch, so the properties keep step_size out of switches).
    energy_price_fixed_in_time: no ENERGY component sits in an element restricted by time
    of day, weekday or duration (see test_a_longer_session_never_costs_less)."""
    zone = draw(st.sampled_from(ZONES))
    if draw(st.booleans()):
        parts = [
            draw(component(Dimension.ENERGY, [1, 100, 500])),
            draw(component(Dimension.TIME, [1, 60, 900])),
            draw(component(Dimension.PARKING_TIME, [1, 300, 900])),
            draw(component(Dimension.FLAT, [1])),
        ]
        elements = [TariffElement(tuple(draw(st.lists(st.sampled_from(parts), min_size=1))))]
    else:
        elements = [
            TariffElement(
                tuple(
                    draw(
                        st.lists(
                            st.sampled_from(list(Dimension)).flatmap(lambda d: component(d, [1])),
                            min_size=1,
                            max_size=3,
                        )
                    )
                ),
                draw(restrictions),
            )
            for _ in range(draw(st.integers(1, 4)))
        ]
        if energy_price_fixed_in_time:
            elements = [_energy_element(element) for element in elements]
    limit = st.none() | st.builds(Price, st.decimals(0, 40, places=2))
    return Tariff(
        currency="EUR",
        elements=tuple(elements),
        time_zone=zone,
        min_price=draw(limit),
        max_price=draw(st.none() | st.builds(Price, st.decimals(40, 80, places=2))),
        idle_grace_seconds=draw(st.sampled_from([0, 600])),
        idle_fee_cap=draw(st.none() | st.decimals(1, 10, places=2)),
    )


@st.composite
def timelines(draw: st.DrawFn) -> SessionTimeline:
    moment = draw(
        st.datetimes(datetime(2024, 1, 1), datetime(2025, 12, 31), timezones=st.just(UTC))
    ).replace(microsecond=0)
    periods = []
    for _ in range(draw(st.integers(1, 6))):
        kind = draw(st.sampled_from([CHARGING, CHARGING, PARKING]))
        kwh = draw(st.decimals(0, 25, places=3)) if kind == CHARGING else Decimal(0)
        power = draw(st.none() | st.sampled_from([Decimal(7), Decimal(22), Decimal(150)]))
        periods.append(TimelinePeriod(moment, kind, kwh, max_power_kw=power))
        moment += timedelta(seconds=4 * draw(st.integers(0, 2700)))
    return SessionTimeline(periods=tuple(periods), end=moment)


def check_consistent(cost: SessionCost) -> None:
    buckets = (cost.energy, cost.time, cost.parking, cost.fixed)
    vat = sum(minor for _, minor in cost.vat_by_rate)
    assert cost.total.excl_vat_minor == sum(b.excl_vat_minor for b in buckets)
    assert cost.total.incl_vat_minor == sum(b.incl_vat_minor for b in buckets)
    assert cost.total.incl_vat_minor == cost.total.excl_vat_minor + vat
    assert all(b.incl_vat_minor >= b.excl_vat_minor >= 0 for b in buckets)


fast = settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])


@fast
@given(tariffs(), timelines())
def test_totals_are_the_sum_of_their_parts_and_vat_adds_up(
    rates: Tariff, timeline: SessionTimeline
) -> None:
    check_consistent(price_session(rates, timeline))


@fast
@given(tariffs(energy_price_fixed_in_time=True), timelines(), st.integers(1, 4 * 3600))
def test_a_longer_session_never_costs_less(
    rates: Tariff, timeline: SessionTimeline, seconds: int
) -> None:
    """Stretching the end keeps the session's energy and spreads the last period's kWh over
    the longer time. Where an ENERGY price changes with the clock or the session's duration
    (OCPI 2.2.1 mod_tariffs, TariffRestrictions: an element with start_time / end_time /
    day_of_week / min_duration / max_duration "is or becomes active" at that moment) the
    stretched kWh may land in a cheaper element, so OCPI legitimately prices the longer
    session lower: the tariffs here keep ENERGY prices out of such elements (examples:
    test_tariff_counterexamples.py)."""
    longer = replace(timeline, end=timeline.end + timedelta(seconds=seconds))
    before, after = price_session(rates, timeline), price_session(rates, longer)
    check_consistent(after)
    assert after.total.excl_vat_minor >= before.total.excl_vat_minor


@fast
@given(tariffs(), timelines(), st.decimals(Decimal("0.001"), 30, places=3))
def test_more_energy_never_costs_less(
    rates: Tariff, timeline: SessionTimeline, extra: Decimal
) -> None:
    last = timeline.periods[-1]
    more = replace(last, kind=CHARGING, energy_kwh=last.energy_kwh + extra)
    base = replace(timeline, periods=(*timeline.periods[:-1], replace(last, kind=CHARGING)))
    grown = replace(timeline, periods=(*timeline.periods[:-1], more))
    assert (
        price_session(rates, grown).total.excl_vat_minor
        >= price_session(rates, base).total.excl_vat_minor
    )


@fast
@given(tariffs(), timelines(), st.data())
def test_cutting_a_period_in_two_changes_nothing(
    rates: Tariff, timeline: SessionTimeline, data: st.DataObject
) -> None:
    """A period cut at any instant, energy shared in proportion (what the engine assumes)."""
    number = data.draw(st.integers(0, len(timeline.periods) - 1))
    period = timeline.periods[number]
    end = timeline.periods[number + 1].start if number + 1 < len(timeline.periods) else timeline.end
    quarter = data.draw(st.integers(1, 3))
    cut = period.start + (end - period.start) * quarter / 4
    first = replace(period, energy_kwh=period.energy_kwh * quarter / 4)
    second = replace(period, start=cut, energy_kwh=period.energy_kwh - first.energy_kwh)
    periods = (*timeline.periods[:number], first, second, *timeline.periods[number + 1 :])
    whole = price_session(rates, timeline)
    halves = price_session(rates, replace(timeline, periods=periods))
    assert (halves.total, halves.vat_by_rate) == (whole.total, whole.vat_by_rate)


PEAK = """{"currency": "EUR", "elements": [
  {"price_components": [{"type": "ENERGY", "price": 0.50, "vat": 19, "step_size": 1}],
   "restrictions": {"start_time": "18:00", "end_time": "22:00"}},
  {"price_components": [{"type": "ENERGY", "price": 0.20, "vat": 19, "step_size": 1}],
   "restrictions": {"start_time": "22:00", "end_time": "06:00"}},
  {"price_components": [{"type": "ENERGY", "price": 0.30, "vat": 19, "step_size": 1}]}]}"""


def test_peak_starts_at_18_local_on_the_day_clocks_go_forward() -> None:
    """Berlin, 2024-03-31 (02:00 -> 03:00): 10 kWh evenly 17:00-19:00 local is half before
    18:00 local (16:00 UTC, not 17:00 UTC)."""
    rates = tariff(PEAK, "Europe/Berlin")
    cost = price_session(
        rates, session(at("2024-03-31 17:00", "Europe/Berlin"), (CHARGING, 120, "10"))
    )
    assert cost.energy.excl_vat_minor == 5 * 30 + 5 * 50
    switch = [line.start for line in cost.lines][1]
    assert switch == datetime(2024, 3, 31, 16, 0, tzinfo=UTC)


def test_peak_ends_at_22_on_the_day_clocks_go_back_and_night_runs_past_midnight() -> None:
    """Berlin, 2024-10-27 (03:00 -> 02:00): 21:00-07:00 local is 11 hours; 1 kWh per hour:
    1 h peak, 8 h night (22:00-06:00, through midnight and the repeated hour), 1 h day...
    plus the first hour 21:00-22:00 at peak: 1 x 0.50 + 9 x 0.20 + 1 x 0.30."""
    start = at("2024-10-26 21:00", "Europe/Berlin")
    cost = price_session(tariff(PEAK, "Europe/Berlin"), session(start, (CHARGING, 11 * 60, "11")))
    assert cost.energy.excl_vat_minor == 50 + 9 * 20 + 30
    assert [line.element_index for line in cost.lines] == [0, 1, 2]


def test_kwh_tier_switches_inside_a_period_at_the_interpolated_instant() -> None:
    rates = tariff(
        """{"currency": "EUR", "elements": [
        {"price_components": [{"type": "ENERGY", "price": 0.30, "step_size": 1}],
         "restrictions": {"max_kwh": 20}},
        {"price_components": [{"type": "ENERGY", "price": 0.20, "step_size": 1}]}]}"""
    )
    cost = price_session(rates, session(at("2024-05-06 10:00"), (CHARGING, 180, "30")))
    assert cost.total.excl_vat_minor == 20 * 30 + 10 * 20
    assert cost.lines[1].start == datetime(2024, 5, 6, 12, 0, tzinfo=UTC)
    assert [p.element_index for p in cost.charging_periods] == [0, 1]


def test_power_based_price_and_unknown_power_never_matches() -> None:
    rates = tariff(
        """{"currency": "EUR", "elements": [
        {"price_components": [{"type": "ENERGY", "price": 0.59, "step_size": 1}],
         "restrictions": {"min_power": 50}},
        {"price_components": [{"type": "ENERGY", "price": 0.39, "step_size": 1}]}]}"""
    )
    fast_dc = {"energy_kwh": Decimal(30), "max_power_kw": Decimal(120), "min_power_kw": Decimal(80)}
    unknown = {"energy_kwh": Decimal(10)}
    cost = price_session(
        rates, session(at("2024-05-06 10:00"), (CHARGING, 20, fast_dc), (CHARGING, 30, unknown))
    )
    assert cost.energy.excl_vat_minor == 30 * 59 + 10 * 39


def test_idle_grace_then_capped_idle_fee() -> None:
    """15 min grace, 6.00/h per minute: 60 min idle bills 45 min = 4.50; capped at 3.00 excl,
    VAT (19 %) follows the cap."""
    text = """{"currency": "EUR", "elements": [{"price_components": [
        {"type": "ENERGY", "price": 0.40, "vat": 19, "step_size": 1},
        {"type": "PARKING_TIME", "price": 6.00, "vat": 19, "step_size": 60}]}]}"""
    timeline = session(at("2024-05-06 10:00"), (CHARGING, 60, "10"), (PARKING, 60, "0"))
    graced = price_session(tariff(text, idle_grace_minutes=15), timeline)
    assert graced.parking.excl_vat_minor == 450
    capped = price_session(tariff(text, idle_grace_minutes=15, idle_fee_cap="3.00"), timeline)
    assert (capped.parking.excl_vat_minor, capped.parking.incl_vat_minor) == (300, 357)
    assert "idle fee cap applied" in capped.notes
    assert sum(
        line.amount_excl_vat for line in capped.lines if line.dimension == Dimension.PARKING_TIME
    ) == Decimal(3)
    check_consistent(capped)


def test_min_price_on_a_session_that_cost_nothing_is_a_fixed_charge() -> None:
    rates = tariff(
        """{"currency": "EUR", "min_price": {"excl_vat": 1.00},
        "elements": [{"price_components": [{"type": "ENERGY", "price": 0.30, "vat": 20,
                                             "step_size": 1}]}]}"""
    )
    cost = price_session(rates, session(at("2024-05-06 10:00"), (PARKING, 5, "0")))
    assert (cost.fixed.excl_vat_minor, cost.fixed.incl_vat_minor) == (100, 120)
    assert cost.vat_by_rate == ((Decimal(20), 20),)


def test_rounding_is_once_at_the_end_and_follows_the_tariff() -> None:
    """3 x 1 kWh at 0.125: 0.375 exactly; half_up -> 0.38, half_even -> 0.38, down -> 0.37."""
    text = """{"currency": "EUR", "elements": [{"price_components": [
        {"type": "ENERGY", "price": 0.125, "step_size": 1}]}]}"""
    timeline = session(at("2024-05-06 10:00"), *[(CHARGING, 10, "1")] * 3)
    assert price_session(tariff(text), timeline).total.excl_vat_minor == 38
    assert price_session(tariff(text, rounding="down"), timeline).total.excl_vat_minor == 37
    even = tariff(text, rounding="half_even")
    assert even.rounding == ROUND_HALF_EVEN
    two = session(at("2024-05-06 10:00"), (CHARGING, 10, "1"), (CHARGING, 10, "1"))
    assert price_session(even, two).total.excl_vat_minor == 25  # 0.25 exactly
    one_and_tenth = session(at("2024-05-06 10:00"), (CHARGING, 10, "0.1"))
    assert price_session(even, one_and_tenth).total.excl_vat_minor == 1  # 0.0125 -> 0.01


def test_currency_without_minor_unit() -> None:
    rates = tariff(
        """{"currency": "JPY", "elements": [{"price_components": [
        {"type": "ENERGY", "price": 45.5, "vat": 10, "step_size": 1}]}]}"""
    )
    cost = price_session(rates, session(at("2024-05-06 10:00"), (CHARGING, 60, "7")))
    # 318.5 -> 319 excl; VAT 31.85 -> 32 (VAT is rounded on its own): 351 incl
    assert (cost.total.excl_vat_minor, cost.total.incl_vat_minor) == (319, 351)


def test_reservation_periods_must_come_first_and_times_be_aware() -> None:
    aware = at("2024-05-06 10:00")
    rates = tariff(
        '{"currency": "EUR", "elements": [{"price_components": '
        '[{"type": "FLAT", "price": 1, "step_size": 1}]}]}'
    )
    wrong = SessionTimeline(
        (
            TimelinePeriod(aware),
            TimelinePeriod(aware + timedelta(minutes=5), PeriodKind.RESERVATION),
        ),
        aware + timedelta(minutes=10),
    )
    try:
        price_session(rates, wrong)
    except ValueError as exc:
        assert "reservation" in str(exc)
    else:  # pragma: no cover
        raise AssertionError("accepted a reservation after the session")


WINDOW = """{"currency": "EUR", "elements": [
  {"price_components": [{"type": "ENERGY", "price": 0.50, "step_size": 1}],
   "restrictions": {"start_time": "%s", "end_time": "%s"}},
  {"price_components": [{"type": "ENERGY", "price": 0.30, "step_size": 1}]}]}"""


def test_window_starting_in_the_skipped_hour_starts_when_the_clock_jumps() -> None:
    """Berlin 2024-03-31: 02:30 never happens; from 03:00 local (01:00 UTC) it is past it."""
    rates = tariff(WINDOW % ("02:30", "05:00"), "Europe/Berlin")
    start = datetime(2024, 3, 31, 0, 0, tzinfo=UTC)
    cost = price_session(rates, session(start, (CHARGING, 120, "2")))
    assert cost.energy.excl_vat_minor == 30 + 50
    assert cost.lines[1].start == datetime(2024, 3, 31, 1, 0, tzinfo=UTC)


def test_window_in_the_repeated_hour_applies_twice() -> None:
    """Berlin 2024-10-27: 02:00-02:30 local happens at 00:00 and at 01:00 UTC."""
    rates = tariff(WINDOW % ("02:00", "02:30"), "Europe/Berlin")
    start = datetime(2024, 10, 27, 0, 0, tzinfo=UTC)
    cost = price_session(rates, session(start, (CHARGING, 120, "2")))
    assert cost.energy.excl_vat_minor == 50 + 30
    assert [line.element_index for line in cost.lines] == [0, 1, 0, 1]
