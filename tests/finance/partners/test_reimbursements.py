"""Home chargers and the monthly reimbursement per employee, on a real migrated database:
what counts (the employee's own cards, on the home charger, stopped in the month in the
employer's zone, since the charger was marked), the amount rounded once, the checks."""

from __future__ import annotations

from decimal import Decimal

import pytest
from sqlmodel import Session, select

from ccms_app.core import listing
from ccms_app.core.listing import ListQuery
from ccms_app.finance.errors import FinanceError, FinanceNotFound
from ccms_app.finance.partners.home_chargers import (
    HOME_CHARGER_LIST,
    HomeChargerInput,
    charge_point_by_identity,
    drivers_matching,
    mark_home_charger,
    shown_home_charger,
    unmark_home_charger,
)
from ccms_app.finance.partners.models import HomeCharger
from ccms_app.finance.partners.reimbursements import reimbursement_report, reimbursement_reports
from tests.finance.partners.support import EMPLOYEE, MARCH, ZONE, Network, charge, utc

SINCE = utc(2026, 3, 4, 23)  # 5 March 00:00 CET
NOW = utc(2026, 4, 2)


def home(network: Network, rate: str = "0.3125") -> None:
    mark_home_charger(
        network.scope,
        HomeChargerInput(network.cp_home, network.employee_id, rate, "EUR", SINCE),
        "hr@netz.example",
    )


def march(network: Network) -> dict[str, int]:
    op, cp = network.operator_id, network.cp_home
    return {
        "before since": charge(op, cp, utc(2026, 3, 4, 22), energy_wh=4_000, id_tag="ZOE-CARD"),
        "r1": charge(op, cp, utc(2026, 3, 10, 19), energy_wh=10_112, id_tag="ZOE-CARD"),
        # the charger sent the card in lower case; a fleet card naming Zoë as its driver
        "r2": charge(op, cp, utc(2026, 3, 31, 21, 30), energy_wh=7_784, id_tag="zoe-fleet"),
        "guest": charge(op, cp, utc(2026, 3, 21), energy_wh=5_000, id_tag="GUEST-CARD"),
        "jan": charge(op, cp, utc(2026, 3, 22), energy_wh=2_000, id_tag="JAN-CARD"),
        "april": charge(op, cp, utc(2026, 3, 31, 22), energy_wh=9_000, id_tag="ZOE-CARD"),
        "elsewhere": charge(
            network.sued_id, network.cp_markt, utc(2026, 3, 12), energy_wh=30_000, id_tag="ZOE-CARD"
        ),
        # no cost row at all (a home charger without a tariff): the energy still counts
        "unpriced": charge(
            op, cp, utc(2026, 3, 15), energy_wh=1_000, id_tag="ZOE-CARD", state=None
        ),
    }


def test_the_hand_computed_month(network: Network) -> None:
    home(network)
    ids = march(network)

    report = reimbursement_report(network.employee_id, MARCH, network.scope, now=NOW)

    money = report.reimbursement
    assert [s.session_id for s in money.sessions] == [ids["r1"], ids["unpriced"], ids["r2"]]
    assert money.energy_wh == 18_896
    # 18.896 kWh x 0.3125 = 5.905 exactly -> 5.91 (per session: 3.16 + 0.31 + 2.43 = 5.90)
    assert money.exact_amount == Decimal("5.9050")
    assert (money.amount_minor, money.currency) == (591, "EUR")
    assert (report.other_sessions, report.other_energy_wh) == (2, 7_000)
    assert (report.employee, report.time_zone, report.chargers) == (
        EMPLOYEE,
        ZONE,
        (("CP-HOME-ZOE", "0.3125 EUR/kWh"),),
    )
    assert not report.provisional
    assert [r.driver_id for r in reimbursement_reports(MARCH, network.scope, now=NOW)] == [
        network.employee_id
    ]


def test_nobody_outside_the_employers_scope_sees_it(network: Network) -> None:
    home(network)
    partner = frozenset({network.sued_id})
    assert reimbursement_reports(MARCH, partner) == []
    with pytest.raises(FinanceNotFound):
        reimbursement_report(network.employee_id, MARCH, partner)
    with pytest.raises(FinanceNotFound):
        reimbursement_report(network.colleague_id, MARCH, network.scope)  # no home charger
    with pytest.raises(FinanceNotFound):
        unmark_home_charger(partner, network.cp_home, "x")


def test_a_charge_point_is_one_employees_home_charger_in_one_currency(
    network: Network, session: Session
) -> None:
    home(network)
    again = HomeChargerInput(network.cp_home, network.colleague_id, "0.30", "EUR")
    with pytest.raises(FinanceError) as taken:
        mark_home_charger(network.scope, again, "hr")
    assert EMPLOYEE in taken.value.errors["charge_point_id"]
    francs = HomeChargerInput(network.cp_markt, network.employee_id, "0.30", "CHF")
    with pytest.raises(FinanceError) as other:
        mark_home_charger(network.scope, francs, "hr")
    assert set(other.value.errors) == {"currency"}
    wrong = HomeChargerInput(987654, 987654, "0", "EURO")
    with pytest.raises(FinanceError) as everything:
        mark_home_charger(network.scope, wrong, "hr")
    assert set(everything.value.errors) == {
        "charge_point_id",
        "driver_id",
        "rate_per_kwh",
        "currency",
    }
    assert len(session.exec(select(HomeCharger)).all()) == 1


def test_the_list_the_lookups_and_removal(network: Network, session: Session) -> None:
    home(network)
    row = listing.fetch_one(HOME_CHARGER_LIST, network.cp_home, network.scope)
    assert row is not None
    shown = shown_home_charger(row, ZONE)
    assert (shown["charge_point"], shown["employee"], shown["rate"], shown["since"]) == (
        "CP-HOME-ZOE",
        EMPLOYEE,
        "0.3125 EUR/kWh",
        "2026-03-05",
    )
    assert listing.fetch_page(HOME_CHARGER_LIST, ListQuery(), {network.sued_id}).total == 0
    assert charge_point_by_identity("cp-home-zoe", network.scope) == network.cp_home
    assert charge_point_by_identity("CP-HOME-ZOE", {network.sued_id}) is None
    assert drivers_matching("ZOE@netz.example", network.scope) == [(network.employee_id, EMPLOYEE)]
    unmark_home_charger(network.scope, network.cp_home, "hr")
    assert session.exec(select(HomeCharger)).all() == []
