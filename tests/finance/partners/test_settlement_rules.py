"""The settlement maths (finance.rules.settlement), pure: which agreement covers a session,
the commission rounded once, fees, the platform fee pro rata, the amount due, the form."""

from __future__ import annotations

from datetime import UTC, datetime
from decimal import Decimal
from fractions import Fraction

import pytest

from ccms_app.finance.rules.documents import month_bounds
from ccms_app.finance.rules.settlement import (
    SessionIncome,
    Terms,
    agreement_for,
    check_agreement,
    local_day,
    local_day_after,
    local_day_start,
    month_share,
    parse_month,
    percent,
    settle,
    share_out,
)

START, END = month_bounds(datetime(2026, 3, 1).date(), "Europe/Berlin")


def terms(
    agreement_id: int,
    percent_: str = "10",
    fee: int = 0,
    platform: int = 0,
    station_id: int | None = None,
    valid_from: datetime = datetime(2026, 1, 1, tzinfo=UTC),
    valid_until: datetime | None = None,
    currency: str = "EUR",
) -> Terms:
    return Terms(
        agreement_id,
        f"A{agreement_id}",
        station_id,
        Decimal(percent_),
        fee,
        platform,
        currency,
        valid_from,
        valid_until,
    )


def income(
    session_id: int,
    excl: int,
    station_id: int | None = 1,
    stopped_at: datetime = datetime(2026, 3, 10, 12, tzinfo=UTC),
    currency: str = "EUR",
) -> SessionIncome:
    return SessionIncome(
        session_id, stopped_at, station_id, "S", "CP", 1, "TAG", 1000, currency, excl, 0, excl
    )


def test_a_dst_month_is_743_hours_in_utc_bounds() -> None:
    assert datetime(2026, 2, 28, 23, tzinfo=UTC) == START
    assert datetime(2026, 3, 31, 22, tzinfo=UTC) == END
    assert (END - START).total_seconds() == 743 * 3600
    october = month_bounds(datetime(2026, 10, 1).date(), "Europe/Berlin")
    assert october == (
        datetime(2026, 9, 30, 22, tzinfo=UTC),
        datetime(2026, 10, 31, 23, tzinfo=UTC),
    )


def test_the_station_agreement_wins_over_the_partner_wide_one_while_in_force() -> None:
    wide = terms(1)
    station = terms(2, station_id=7, valid_until=datetime(2026, 3, 15, tzinfo=UTC))
    found = [wide, station]
    assert agreement_for(found, 7, datetime(2026, 3, 10, tzinfo=UTC)) is station
    assert agreement_for(found, 7, datetime(2026, 3, 15, tzinfo=UTC)) is wide  # ended
    assert agreement_for(found, 8, datetime(2026, 3, 10, tzinfo=UTC)) is wide
    assert agreement_for([station], 8, datetime(2026, 3, 10, tzinfo=UTC)) is None


def test_the_commission_is_rounded_once_for_the_settlement_not_per_agreement() -> None:
    # 10 % of 13.35 = 1.335 and 12.5 % of 30.04 = 3.755: 5.09 in all (per agreement 5.10)
    found = settle(
        [terms(1, "10"), terms(2, "12.5", station_id=2)],
        [income(1, 1000), income(2, 335), income(3, 2001, 2), income(4, 1003, 2)],
        START,
        END,
        "EUR",
    )
    assert found.commission_exact == Decimal("509")  # exact: 133.5 + 375.5
    assert found.totals.commission_minor == 509
    assert [a.figures.commission_minor for a in found.agreements] == [134, 375]
    assert [a.figures.excl_minor for a in found.agreements] == [1335, 3004]


def test_fees_platform_fee_and_a_negative_amount_due() -> None:
    found = settle(
        [terms(1, "10", fee=50, platform=2000)],
        [income(1, 1000), income(2, 335)],
        START,
        END,
        "EUR",
    )
    figures = found.agreements[0].figures
    assert (figures.sessions, figures.session_fees_minor, figures.platform_fee_minor) == (
        2,
        100,
        2000,
    )
    assert figures.due_minor == 1335 - 134 - 100 - 2000 == -899  # the partner owes 8.99


def test_an_agreement_starting_mid_month_pays_its_platform_fee_pro_rata_across_dst() -> None:
    # from 16 March 00:00 CET: 383 of the month's 743 hours (DST took one)
    starts = datetime(2026, 3, 15, 23, tzinfo=UTC)
    late = terms(1, platform=2000, valid_from=starts)
    assert month_share(late, START, END) == Fraction(383, 743)
    found = settle([late], [], START, END, "EUR")
    assert found.agreements[0].figures.platform_fee_minor == 1031  # 2000 x 383/743 = 1030.96
    assert found.totals.due_minor == -1031


def test_sessions_no_agreement_covers_are_listed_apart_and_settle_nothing() -> None:
    starts = datetime(2026, 3, 15, 23, tzinfo=UTC)
    found = settle(
        [terms(1, valid_from=starts)],
        [
            income(1, 1000, stopped_at=datetime(2026, 3, 10, tzinfo=UTC)),
            income(2, 500, stopped_at=datetime(2026, 3, 20, tzinfo=UTC)),
            income(3, 700, stopped_at=datetime(2026, 3, 21, tzinfo=UTC), currency="CHF"),
        ],
        START,
        END,
        "EUR",
    )
    assert [u.session.session_id for u in found.uncovered] == [1, 3]
    assert "no agreement in force" in found.uncovered[0].reason
    assert "CHF" in found.uncovered[1].reason
    assert found.totals.excl_minor == 500


def test_agreements_outside_the_month_or_in_another_currency_are_left_out() -> None:
    ended = terms(1, valid_until=START)
    usd = terms(2, currency="USD")
    assert settle([ended, usd], [], START, END, "EUR").agreements == ()


def test_share_out_gives_the_units_to_the_largest_remainders() -> None:
    assert share_out([Decimal("133.5"), Decimal("375.5")], 509) == [134, 375]
    assert share_out([Decimal("1.2"), Decimal("1.7"), Decimal("0.1")], 3) == [1, 2, 0]
    assert share_out([], 0) == []


def test_months_and_days_in_a_zone() -> None:
    assert parse_month("2026-03") == datetime(2026, 3, 1).date()
    for wrong in ("2026-13", "2026-3", "March", "", "1900-01"):
        assert parse_month(wrong) is None
    assert local_day_start("2026-03-29", "Europe/Berlin") == datetime(2026, 3, 28, 23, tzinfo=UTC)
    assert local_day_after("2026-03-29", "Europe/Berlin") == datetime(2026, 3, 29, 22, tzinfo=UTC)
    assert local_day_start("2026-02-30", "Europe/Berlin") is None
    assert local_day(datetime(2026, 3, 29, 22, tzinfo=UTC), "Europe/Berlin", last=True) == (
        "2026-03-29"
    )


def test_the_form_names_every_wrong_field() -> None:
    values, errors = check_agreement(
        {
            "name": "",
            "operator_percent": "101",
            "fee_per_session": "0.505",
            "platform_fee": "abc",
            "currency": "EUR",
        }
    )
    assert values is None
    assert set(errors) == {"name", "operator_percent", "fee_per_session", "platform_fee"}
    values, errors = check_agreement(
        {
            "name": "  Standard   deal ",
            "operator_percent": "12,5",
            "fee_per_session": "0.30",
            "platform_fee": "",
            "currency": "eur",
        }
    )
    assert errors == {}
    assert values is not None
    assert (values.name, values.operator_percent, values.fee_per_session_minor) == (
        "Standard deal",
        Decimal("12.5"),
        30,
    )
    assert (values.platform_fee_minor, values.currency) == (0, "EUR")


@pytest.mark.parametrize(
    ("text", "expected"),
    [("0", Decimal(0)), ("100", Decimal(100)), ("12.3456", Decimal("12.3456"))],
)
def test_percentages_between_0_and_100_with_4_decimals(text: str, expected: Decimal) -> None:
    assert percent(text) == expected


@pytest.mark.parametrize("text", ["-1", "100.01", "12.34567", "1e2", "NaN", "", "1_0"])
def test_wrong_percentages_are_refused(text: str) -> None:
    with pytest.raises(ValueError):
        percent(text)
