"""Charging figures against a hand-computed network (Berlin time, a session over midnight, one
over a month end, a running one, one held for review), from the roll-up and from the raw
tables, before and after the roll-up job, and after sessions end and costs change."""

from __future__ import annotations

from datetime import UTC, date

import pytest
from sqlalchemy import func, select
from sqlalchemy.engine import Engine
from sqlmodel import Session, col

from ccms_app.accounts.models import Organisation
from ccms_app.analytics.figures import Narrowing, Series, Totals, charging_by, charging_series
from ccms_app.analytics.models import (
    ChargingDay,
    ChargingHour,
    ChargingMonth,
    NetworkHour,
    RollupPending,
)
from ccms_app.analytics.raw_figures import raw_series
from ccms_app.analytics.rollup import ChargingRollupJob
from ccms_app.charging.models import ChargingSession
from ccms_app.core.db import read_session, session_scope
from ccms_app.finance.models import CostState, SessionCost
from ccms_app.finance.rules.revenue import PeriodKind, buckets_between
from tests.analytics import seed

ZONE = seed.BERLIN
NOW = seed.BERLIN_NOW
utc = seed.utc
Network = seed.BerlinNetwork


@pytest.fixture
def network(engine: Engine, organisation: Organisation) -> Network:
    return seed.berlin_network(int(organisation.id or 0))


def figures(t: Totals) -> tuple[int, int, int, int, int]:
    excl, incl = t.amounts.get("EUR", (0, 0))
    return t.orders, t.energy_wh, t.charging_us // 1_000_000, excl, incl


def series(network: Network, kind: PeriodKind, first: date, last: date, **narrow: int) -> Series:
    within = buckets_between(kind, first, last, ZONE)
    with read_session() as session:
        return charging_series(session, Narrowing(frozenset({network.org}), **narrow), within, NOW)


def check_hand_computed(network: Network) -> None:
    days = series(network, PeriodKind.DAYS, date(2026, 10, 31), date(2026, 11, 1))
    assert [b.key for b in days.buckets] == ["2026-10-31", "2026-11-01"]
    assert figures(days.values[0]) == (0, 5_000, 1_800, 0, 0)
    # the midnight session's second half and order, the 20 kWh one, 3 kWh running, review
    assert figures(days.values[1]) == (3, 33_000, 16_200, 1_428, 1_700)
    months = series(network, PeriodKind.MONTHS, date(2026, 9, 1), date(2026, 11, 30))
    assert [b.key for b in months.buckets] == ["2026-09", "2026-10", "2026-11"]
    assert [figures(v) for v in months.values] == [
        (0, 2_000, 3_600, 0, 0),  # 30 Sep 23:00-24:00 local
        (1, 7_000, 5_400, 300, 300),  # its second hour and order, the first midnight half
        (3, 33_000, 16_200, 1_428, 1_700),
    ]
    assert figures(months.total) == (4, 42_000, 25_200, 1_728, 2_000)
    depot = series(
        network, PeriodKind.DAYS, date(2026, 11, 1), date(2026, 11, 1), station_id=network.depot
    )
    assert figures(depot.total) == (3, 30_000, 12_600, 1_428, 1_700)
    north = series(
        network, PeriodKind.DAYS, date(2026, 11, 1), date(2026, 11, 1), area_id=network.area
    )
    assert figures(north.total) == figures(depot.total)
    cp3 = series(
        network,
        PeriodKind.MONTHS,
        date(2026, 10, 1),
        date(2026, 11, 1),
        charge_point_id=network.cp3,
    )
    assert [figures(v) for v in cp3.values] == [
        (1, 2_000, 3_600, 300, 300),
        (0, 3_000, 3_600, 0, 0),
    ]
    with read_session() as session:
        by_station = charging_by(
            session,
            Narrowing(frozenset({network.org})),
            "station",
            utc(10, 31, 23),
            utc(11, 30, 23),
            NOW,
        )
    assert {k: v.energy_wh for k, v in by_station.items()} == {
        network.depot: 30_000,
        network.street: 3_000,
    }


def check_equal_to_raw(network: Network, amounts: bool = True) -> None:
    narrowings = [
        {},
        {"station_id": network.depot},
        {"area_id": network.area},
        {"charge_point_id": network.cp3},
    ]
    for kind, first, last in [
        (PeriodKind.DAYS, date(2026, 9, 28), date(2026, 11, 3)),
        (PeriodKind.MONTHS, date(2026, 1, 1), date(2026, 12, 31)),
        (PeriodKind.YEARS, date(2025, 1, 1), date(2026, 1, 1)),
    ]:
        within = buckets_between(kind, first, last, ZONE)
        for narrow in narrowings:
            n = Narrowing(frozenset({network.org}), **narrow)
            with read_session() as session:
                rolled = charging_series(session, n, within, NOW)
                raw = raw_series(session, n, within, NOW)
            width = 5 if amounts else 3
            got = [figures(v)[:width] for v in rolled.values]
            assert got == [figures(v)[:width] for v in raw.values]


def test_figures_before_and_after_the_roll_up(network: Network) -> None:
    check_hand_computed(network)  # nothing rolled up yet: all computed live
    check_equal_to_raw(network)
    ChargingRollupJob().run(NOW)  # the first run rebuilds
    with read_session() as session:
        assert session.execute(select(func.count()).select_from(ChargingHour)).scalar()
        pending = session.execute(select(col(RollupPending.session_id))).scalars().all()
    assert pending == [network.running]
    check_hand_computed(network)
    check_equal_to_raw(network)
    check_days_and_months_sum_the_hours()


def test_the_roll_up_follows_stops_new_sessions_and_prices(network: Network) -> None:
    job = ChargingRollupJob()
    job.run(NOW)
    seed.stop(network.running, utc(11, 1, 12, 50), 4_200)
    seed.charging_session(
        network.org, network.cp2, utc(11, 1, 11, 30), utc(11, 1, 12, 10), 900, amount_incl_minor=90
    )
    with session_scope() as s:
        cost = s.get(SessionCost, network.review)
        assert cost is not None
        cost.state = CostState.FINAL
        cost.priced_at = NOW
        s.add(cost)
    # before the job: the new sessions come from the live part; a changed price waits for it
    check_equal_to_raw(network, amounts=False)
    job.run(NOW)
    with read_session() as session:
        assert session.execute(select(col(RollupPending.session_id))).scalars().all() == []
        network_sum = session.execute(select(func.sum(col(NetworkHour.energy_wh)))).scalar()
        hour_sum = session.execute(select(func.sum(col(ChargingHour.energy_wh)))).scalar()
    assert network_sum == hour_sum == 10_000 + 20_000 + 4_200 + 5_000 + 4_000 + 900
    check_equal_to_raw(network)
    day = series(network, PeriodKind.DAYS, date(2026, 11, 1), date(2026, 11, 1))
    assert figures(day.total) == (
        5,
        5_000 + 20_000 + 4_200 + 5_000 + 900,
        1_800 + 7_200 + 3_000 + 3_600 + 2_400,
        1_428 + 999 + 90,
        1_700 + 999 + 90,
    )
    job.run(NOW)  # again: nothing changes
    check_equal_to_raw(network)
    check_days_and_months_sum_the_hours()


def test_one_charge_points_separate_cells_in_one_month_give_one_row_per_day(
    network: Network,
) -> None:
    """Sessions hours apart on one charge point are separate cells of one run, in the same
    days and month: each day and month is summed, deleted and written once."""
    job = ChargingRollupJob()
    job.run(NOW)
    for start, stop in [
        (utc(11, 2, 6, 0), utc(11, 2, 6, 40)),
        (utc(11, 2, 15, 0), utc(11, 2, 15, 30)),
        (utc(11, 20, 9, 0), utc(11, 20, 9, 20)),
    ]:
        seed.charging_session(network.org, network.cp2, start, stop, 1_000, amount_incl_minor=50)
    job.run(NOW)
    with read_session() as session:
        keys = session.execute(
            select(ChargingDay.charge_point_id, ChargingDay.day, ChargingDay.currency)
        ).all()
        month_keys = session.execute(
            select(ChargingMonth.charge_point_id, ChargingMonth.month, ChargingMonth.currency)
        ).all()
    assert len(keys) == len(set(keys)) and len(month_keys) == len(set(month_keys))
    assert (network.cp2, date(2026, 11, 2), "EUR") in set(keys)
    check_days_and_months_sum_the_hours()
    check_equal_to_raw(network)


def check_days_and_months_sum_the_hours() -> None:
    """Each charge point's day and month rows are the sums of its hour rows."""
    with read_session() as session:
        hours = session.execute(select(ChargingHour)).scalars().all()
        days = {(r.charge_point_id, r.day, r.currency): r.energy_wh
                for r in session.execute(select(ChargingDay)).scalars()}  # fmt: skip
        months = {(r.charge_point_id, r.month, r.currency): (r.orders, r.energy_wh)
                  for r in session.execute(select(ChargingMonth)).scalars()}  # fmt: skip
    want_days: dict[tuple[int, date, str], int] = {}
    want_months: dict[tuple[int, date, str], tuple[int, int]] = {}
    for h in hours:
        day = h.hour.astimezone(UTC).date()
        key = (h.charge_point_id, day, h.currency)
        want_days[key] = want_days.get(key, 0) + h.energy_wh
        mkey = (h.charge_point_id, day.replace(day=1), h.currency)
        orders, energy = want_months.get(mkey, (0, 0))
        want_months[mkey] = (orders + h.orders, energy + h.energy_wh)
    assert days == want_days and months == want_months


def test_scope_is_the_organisations_given(network: Network, session: Session) -> None:
    with session_scope() as s:
        other = Organisation(name="Other")
        s.add(other)
        s.flush()
        other_id = int(other.id or 0)
    within = buckets_between(PeriodKind.YEARS, date(2026, 1, 1), date(2026, 1, 1), ZONE)
    ChargingRollupJob().run(NOW)
    with read_session() as s:
        assert (
            charging_series(s, Narrowing(frozenset({other_id})), within, NOW).total.energy_wh == 0
        )
        assert charging_series(s, Narrowing(frozenset()), within, NOW).total.orders == 0


def test_a_session_committed_after_a_higher_id_is_still_rolled_up(network: Network) -> None:
    job = ChargingRollupJob()
    job.run(NOW)
    late = seed.charging_session(network.org, network.cp2, utc(11, 1, 3), utc(11, 1, 4), 700)
    newer = seed.charging_session(network.org, network.cp2, utc(11, 1, 5), utc(11, 1, 6), 800)
    job.run(NOW)
    with session_scope() as s:  # `late` becomes visible only now (as if committed late)
        row = s.get(ChargingSession, late)
        assert row is not None
        s.delete(row)
    job.run(NOW)
    seed.charging_session(network.org, network.cp2, utc(11, 1, 3), utc(11, 1, 4), 700, id=late)
    assert late < newer
    job.run(NOW)
    with read_session() as session:
        energy = session.execute(
            select(func.sum(col(ChargingHour.energy_wh))).where(
                col(ChargingHour.charge_point_id) == network.cp2
            )
        ).scalar()
    assert energy == 20_000 + 700 + 800
    check_equal_to_raw(network)
