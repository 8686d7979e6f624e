"""The membership maths (finance.rules.memberships): typed plan values, monthly periods from
the enrolment moment on the operator's clock, and a session's benefit, with properties."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given
from hypothesis import strategies as st

from ccms_app.finance.rules.memberships import (
    CostShares,
    MembershipRuleError,
    add_months,
    kwh_text,
    parse_included_wh,
    parse_percent,
    period_at,
    session_benefit,
)

BERLIN = ZoneInfo("Europe/Berlin")
UTC_ZONE = ZoneInfo("UTC")


def test_typed_values_are_read_exactly_or_refused_with_a_reason() -> None:
    assert parse_percent("") is None
    assert parse_percent("12,5") == Decimal("12.5")
    assert parse_percent("100") == Decimal(100)
    assert parse_included_wh("12.5") == 12_500
    assert parse_included_wh("") == 0
    assert kwh_text(12_500) == "12.5" and kwh_text(150_000) == "150"
    for wrong, why in (("101", "between 0 and 100"), ("-1", "number"), ("1.234", "2 decimals")):
        with pytest.raises(MembershipRuleError, match=why):
            parse_percent(wrong)
    with pytest.raises(MembershipRuleError, match="3 decimals"):
        parse_included_wh("0.0001")


def test_periods_run_monthly_from_the_enrolment_moment_on_the_local_clock() -> None:
    enrolled = datetime(2026, 1, 31, 9, 30, tzinfo=UTC)  # 10:30 in Berlin (CET)
    ends = [add_months(enrolled, n, BERLIN) for n in (1, 2, 3)]
    assert ends[0] == datetime(2026, 2, 28, 9, 30, tzinfo=UTC)  # no 31 Feb: the last day
    assert ends[1] == datetime(2026, 3, 31, 8, 30, tzinfo=UTC)  # 10:30 CEST: back to the 31st
    assert ends[2] == datetime(2026, 4, 30, 8, 30, tzinfo=UTC)
    inside = datetime(2026, 3, 15, tzinfo=UTC)
    assert period_at(enrolled, inside, BERLIN) == (ends[0], ends[1])
    assert period_at(enrolled, ends[1], BERLIN) == (ends[1], ends[2])  # the end is exclusive


@given(
    anchor=st.datetimes(min_value=datetime(2024, 1, 1), max_value=datetime(2030, 1, 1)),
    later=st.timedeltas(min_value=timedelta(0), max_value=timedelta(days=1200)),
    zone=st.sampled_from([BERLIN, UTC_ZONE, ZoneInfo("America/New_York")]),
)
def test_a_moment_is_in_exactly_the_period_found_for_it(
    anchor: datetime, later: timedelta, zone: ZoneInfo
) -> None:
    start_at = anchor.replace(tzinfo=UTC)
    at = start_at + later
    start, end = period_at(start_at, at, zone)
    assert start <= at < end
    assert timedelta(days=27) < end - start < timedelta(days=32)


def cost(total_incl: int, total_excl: int, energy_excl: int) -> CostShares:
    return CostShares(total_incl, total_excl, energy_excl)


def test_included_energy_takes_its_share_of_the_energy_part_with_its_vat() -> None:
    # 10 kWh, energy 3.00 of 7.00 excl., 8.33 incl.: 4 kWh free = 1.20 excl. x 8.33/7.00
    shares = cost(833, 700, 300)
    benefit = session_benefit(shares, 10_000, 4_000, None)
    assert benefit.included_wh == 4_000 and benefit.discount_minor == 143  # 142.8 -> 143
    everything = session_benefit(shares, 10_000, 50_000, None)
    assert everything.included_wh == 10_000 and everything.discount_minor == 357  # 300 x 1.19


def test_discount_applies_to_what_the_included_energy_left() -> None:
    shares = cost(833, 700, 300)
    assert session_benefit(shares, 10_000, 0, Decimal(10)).discount_minor == 83  # 83.3
    both = session_benefit(shares, 10_000, 10_000, Decimal(10))
    assert both.discount_minor == 357 + round((833 - 357) * 0.1)  # 357 + 47.6 -> 405 (once)
    assert session_benefit(shares, 10_000, 0, Decimal(100)).discount_minor == 833


def test_free_energy_is_not_used_when_the_energy_part_costs_nothing() -> None:
    assert session_benefit(cost(500, 420, 0), 10_000, 50_000, None).included_wh == 0
    assert session_benefit(cost(0, 0, 0), 10_000, 50_000, Decimal(50)).discount_minor == 0


costs = st.builds(
    lambda excl, vat, energy_share: CostShares(excl + vat, excl, excl * energy_share // 100),
    st.integers(0, 100_000),
    st.integers(0, 30_000),
    st.integers(0, 100),
)
percents = st.none() | st.decimals(min_value=0, max_value=100, places=2)


@given(shares=costs, wh=st.integers(0, 200_000), left=st.integers(0, 200_000), percent=percents)
def test_a_benefit_never_exceeds_the_total(
    shares: CostShares, wh: int, left: int, percent: Decimal | None
) -> None:
    benefit = session_benefit(shares, wh, left, percent)
    assert 0 <= benefit.discount_minor <= max(shares.total_incl_minor, 0)
    assert 0 <= benefit.included_wh <= min(wh, left)


@given(shares=costs, wh=st.integers(0, 200_000))
def test_no_benefit_gives_nothing(shares: CostShares, wh: int) -> None:
    assert session_benefit(shares, wh, 0, None).discount_minor == 0
    assert session_benefit(shares, wh, 0, Decimal(0)).discount_minor == 0


@given(
    included=st.integers(0, 100_000),
    sessions=st.lists(st.tuples(costs, st.integers(0, 50_000)), max_size=12),
)
def test_included_energy_is_never_used_twice_in_a_period(
    included: int, sessions: list[tuple[CostShares, int]]
) -> None:
    """Each session gets what the ones before it left (as benefit_for_session counts it)."""
    used = 0
    for shares, wh in sessions:
        benefit = session_benefit(shares, wh, included - used, None)
        used += benefit.included_wh
    assert 0 <= used <= included
