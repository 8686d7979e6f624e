"""A partner's monthly settlement on a real migrated database, figures computed by hand
(tests/finance/partners/support.py): March 2026 in Europe/Berlin (a DST month), sessions on
two stations under two agreements, sessions just outside the month, sessions not final,
another partner's sessions; the partner's own view is the operator's."""

from __future__ import annotations

import pytest

from ccms_app.finance.errors import FinanceError, FinanceNotFound
from ccms_app.finance.models import CostState
from ccms_app.finance.partners.settlements import SettlementReport, settlement_report
from tests.finance.partners.support import (
    MARCH,
    MARCH_END,
    MARCH_START,
    SUED,
    Network,
    agree,
    charge,
    utc,
)

JAN = utc(2025, 12, 31, 23)
NOW = utc(2026, 4, 2, 8)


def march(network: Network) -> dict[str, int]:
    """The month of support.py's comment, and sessions that must stay out of it."""
    agree(network, "Standard", "10", "0.50", "20.00", JAN)
    agree(network, "Bahnhof deal", "12.5", "0.25", "5.00", JAN, station_id=network.bahnhof_id)
    sued, markt, bahnhof = network.sued_id, network.cp_markt, network.cp_bahnhof
    return {
        # 28 Feb 23:59:59 CET: February, out
        "s0": charge(sued, markt, utc(2026, 2, 28, 22, 59, 59), (500, 95, 595)),
        # 1 March 00:00 CET: in
        "s1": charge(sued, markt, MARCH_START, (1000, 190, 1190), 10_000),
        "s2": charge(sued, markt, utc(2026, 3, 20, 10), (335, 64, 399), 3_350),
        # 30 March, after the switch to summer time: in
        "s3": charge(sued, bahnhof, utc(2026, 3, 30, 12), (2001, 380, 2381), 20_010),
        # 31 March 23:59:59 CEST: in
        "s4": charge(sued, bahnhof, utc(2026, 3, 31, 21, 59, 59), (1003, 191, 1194), 9_990),
        # 1 April 00:00 CEST: out
        "s5": charge(sued, markt, MARCH_END, (700, 133, 833)),
        # held for review / still running: out
        "s6": charge(sued, markt, utc(2026, 3, 10), (900, 171, 1071), state=CostState.REVIEW),
        "s7": charge(sued, markt, utc(2026, 3, 11), (800, 152, 952), state=CostState.RUNNING),
        # another partner's session in the month: never in Süd's settlement
        "nord": charge(network.nord_id, network.cp_hafen, utc(2026, 3, 15), (5000, 950, 5950)),
    }


def figures(report: SettlementReport) -> list[tuple[object, ...]]:
    return [
        (
            a.terms.name,
            a.figures.sessions,
            a.figures.energy_wh,
            a.figures.excl_minor,
            a.figures.vat_minor,
            a.figures.incl_minor,
            a.figures.commission_minor,
            a.figures.session_fees_minor,
            a.figures.platform_fee_minor,
            a.figures.due_minor,
        )
        for a in report.settlement.agreements
    ]


def test_the_hand_computed_month(network: Network) -> None:
    ids = march(network)

    report = settlement_report(network.sued_id, MARCH, network.scope, now=NOW)

    assert (report.partner_name, report.month, report.time_zone) == (SUED, MARCH, "Europe/Berlin")
    assert (report.start, report.end) == (MARCH_START, MARCH_END)
    assert not report.provisional and report.currency == "EUR"
    assert figures(report) == [
        ("Standard", 2, 13_350, 1335, 254, 1589, 134, 100, 2000, -899),
        ("Bahnhof deal", 2, 30_000, 3004, 571, 3575, 375, 50, 500, 2079),
    ]
    totals = report.settlement.totals
    assert (totals.sessions, totals.energy_wh) == (4, 43_350)
    assert (totals.excl_minor, totals.vat_minor, totals.incl_minor) == (4339, 825, 5164)
    assert (totals.commission_minor, totals.session_fees_minor) == (509, 150)
    assert (totals.platform_fee_minor, totals.due_minor) == (2500, 1180)
    settled = [s.session_id for a in report.settlement.agreements for s in a.sessions]
    assert settled == [ids["s1"], ids["s2"], ids["s3"], ids["s4"]]
    assert report.settlement.uncovered == ()


def test_the_partner_sees_the_same_figures_as_the_operator(network: Network) -> None:
    march(network)
    operator = settlement_report(network.sued_id, MARCH, network.scope, now=NOW)
    partner = settlement_report(network.sued_id, MARCH, frozenset({network.sued_id}), now=NOW)
    assert partner.settlement == operator.settlement
    assert (partner.start, partner.end, partner.time_zone) == (
        operator.start,
        operator.end,
        operator.time_zone,
    )


def test_another_partners_settlement_is_not_found_and_never_mixed(network: Network) -> None:
    march(network)
    with pytest.raises(FinanceNotFound):
        settlement_report(network.sued_id, MARCH, frozenset({network.nord_id}))
    with pytest.raises(FinanceNotFound):
        settlement_report(network.operator_id, MARCH, network.scope)  # no partner
    nord = settlement_report(network.nord_id, MARCH, network.scope, now=NOW)
    assert nord.settlement.agreements == ()
    assert [u.session.excl_minor for u in nord.settlement.uncovered] == [5000]
    assert nord.settlement.totals.excl_minor == 0


def test_october_ends_an_hour_later_in_utc(network: Network) -> None:
    agree(network, "Standard", "10", "0", "0", JAN)
    last = charge(network.sued_id, network.cp_markt, utc(2026, 10, 31, 22, 30), (1000, 0, 1000))
    charge(network.sued_id, network.cp_markt, utc(2026, 9, 30, 21, 59), (500, 0, 500))
    charge(network.sued_id, network.cp_markt, utc(2026, 10, 31, 23), (300, 0, 300))
    report = settlement_report(network.sued_id, "2026-10", network.scope, now=NOW)
    assert (report.start, report.end) == (utc(2026, 9, 30, 22), utc(2026, 10, 31, 23))
    assert [s.session_id for s in report.settlement.agreements[0].sessions] == [last]
    assert report.settlement.totals.commission_minor == 100
    assert report.provisional  # NOW is before October ends


def test_a_month_must_be_written_yyyy_mm(network: Network) -> None:
    with pytest.raises(FinanceError) as refused:
        settlement_report(network.sued_id, "März 2026", network.scope)
    assert set(refused.value.errors) == {"month"}
