"""The Finance overview's figures on a real migrated database, computed by hand: revenue by
day / month / year in Europe/Berlin across the 2026-03-29 spring-forward change and a month
and year boundary, two currencies (EUR, GBP from a sub-operator), top-ups and membership fees
(Stripe and wallet) as their own series, what is outstanding (card settlements failed /
pending, wallets in debt, not invoiced, invoiced) and refunds; the organisation scope; and
the issue-12 figures of this month still right.

`seed_overview` is shared with the API and browser tests of the overview.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import event

from ccms_app.accounts.models import Organisation
from ccms_app.charging.models import ChargingSession
from ccms_app.core import db
from ccms_app.drivers.models import Driver, IdTag, UserGroup
from ccms_app.finance.models import BillingDocument, BillingProfile, SessionCost
from ccms_app.finance.outstanding import Figure
from ccms_app.finance.overview import FinanceReport, finance_overview, finance_report
from ccms_app.finance.payments.models import (
    Payment,
    SessionPayment,
    TopUp,
)
from ccms_app.finance.revenue import Amounts
from ccms_app.finance.rules.revenue import PeriodKind
from ccms_app.finance.wallets.models import LedgerAccount, LedgerEntry, LedgerTransaction
from ccms_app.network.provisioning import register_charge_point
from tests.fixtures.db import only_sqlite

NOW = datetime(2026, 4, 5, 10, 0, tzinfo=UTC)  # Sunday 5 April 2026, 12:00 in Berlin
ZONE = "Europe/Berlin"  # CET (+1) until 2026-03-29 01:00 UTC, then CEST (+2)


def at(text_: str) -> datetime:
    return datetime.fromisoformat(text_).replace(tzinfo=UTC)


@dataclass(frozen=True)
class SeededOverview:
    operator_id: int
    partner_id: int  # a sub-operator of the operator (in scope), billing in GBP
    outsider_id: int  # another network (never counted)


class Seeder:
    """Rows written straight into the tables, as the use cases of issues 12 and 13 leave
    them (the figures are read from the tables, so the test controls every number)."""

    def __init__(self, partner_id: int) -> None:
        self.partner_id = partner_id  # its ledger is in GBP
        self.cps: dict[int, int] = {}
        self.accounts: dict[tuple[int, str, str, int], int] = {}
        self.docs = 0

    def charge_point(self, organisation_id: int, identity: str) -> None:
        result = register_charge_point(identity, f"Yard {identity}", organisation_id)
        self.cps[organisation_id] = result.charge_point_id

    def session(
        self,
        organisation_id: int,
        tag: str,
        stop: datetime | None,
        cost: tuple[str, str, int, int, int] | None,
        energy_wh: int = 0,
        **payment: object,
    ) -> int:
        """A session that stopped at `stop` (None: running), its cost (state, currency,
        excl, VAT, incl) and, when `payment` is given, its SessionPayment."""
        with db.session_scope() as s:
            start = (stop or NOW) - timedelta(hours=1)
            row = ChargingSession(
                organisation_id=organisation_id,
                charge_point_id=self.cps[organisation_id],
                connector_id=1,
                id_tag=tag,
                status="active" if stop is None else "completed",
                start_time=start,
                stop_time=stop,
                meter_start_wh=0,
                meter_stop_wh=None if stop is None else energy_wh,
                energy_wh=energy_wh,
            )
            s.add(row)
            s.flush()
            session_id = int(row.id or 0)
            if cost is not None:
                state, currency, excl, vat, incl = cost
                s.add(
                    SessionCost(
                        session_id=session_id,
                        organisation_id=organisation_id,
                        state=state,
                        currency=currency,
                        total_excl_minor=excl,
                        vat_minor=vat,
                        total_incl_minor=incl,
                    )
                )
            if payment:
                s.add(
                    SessionPayment(
                        session_id=session_id,
                        organisation_id=organisation_id,
                        **payment,  # type: ignore[arg-type]
                    )
                )
        return session_id

    def document(
        self,
        organisation_id: int,
        kind: str,
        issued: datetime,
        incl: int,
        credits: int | None = None,
        currency: str = "EUR",
    ) -> int:
        self.docs += 1
        with db.session_scope() as s:
            doc = BillingDocument(
                organisation_id=organisation_id,
                kind=kind,
                sequence_no=self.docs,
                number=f"{kind}-{self.docs}",
                issued_at=issued,
                currency=currency,
                total_excl_minor=incl,
                vat_minor=0,
                total_incl_minor=incl,
                credits_document_id=credits,
                content="{}",
            )
            s.add(doc)
            s.flush()
            return int(doc.id or 0)

    def ledger(
        self,
        organisation_id: int,
        kind: str,
        when: datetime,
        postings: list[tuple[tuple[str, str, int], str, int]],
    ) -> None:
        """One transaction: postings of ((account kind, holder kind, holder id), bucket,
        amount) in the currency of the organisation (EUR, GBP for the partner)."""
        currency = "GBP" if organisation_id == self.partner_id else "EUR"
        with db.session_scope() as s:
            posted = LedgerTransaction(
                organisation_id=organisation_id,
                kind=kind,
                reference=f"test:{kind}:{when.isoformat()}:{organisation_id}",
                created_at=when,
            )
            s.add(posted)
            s.flush()
            for (account_kind, holder_kind, holder_id), bucket, amount in postings:
                key = (organisation_id, account_kind, holder_kind, holder_id)
                if key not in self.accounts:
                    account = LedgerAccount(
                        organisation_id=organisation_id,
                        kind=account_kind,
                        holder_kind=holder_kind,
                        holder_id=holder_id,
                        currency=currency,
                    )
                    s.add(account)
                    s.flush()
                    self.accounts[key] = int(account.id or 0)
                s.add(
                    LedgerEntry(
                        transaction_id=int(posted.id or 0),
                        account_id=self.accounts[key],
                        bucket=bucket,
                        amount_minor=amount,
                    )
                )


def seed_overview(operator_id: int) -> SeededOverview:
    """Everything the figures below are computed from (see the module docstring)."""
    with db.session_scope() as s:
        partner = Organisation(name="Partner GB", parent_id=operator_id)
        outsider = Organisation(name="Other Network")
        s.add_all([partner, outsider])
        s.flush()
        partner_id, outsider_id = int(partner.id or 0), int(outsider.id or 0)
        s.add(BillingProfile(organisation_id=operator_id, currency="EUR", time_zone=ZONE))
        s.add(BillingProfile(organisation_id=partner_id, currency="GBP", time_zone="Europe/London"))
        alice = Driver(organisation_id=operator_id, name="Alice Wallet")
        bob = Driver(organisation_id=partner_id, name="Bob Debt")
        fleet = UserGroup(organisation_id=operator_id, name="Fleet", account_name="Fleet Ltd")
        s.add_all([alice, bob, fleet])
        s.flush()
        alice_id, bob_id, fleet_id = int(alice.id or 0), int(bob.id or 0), int(fleet.id or 0)
        s.add_all(
            [
                IdTag(organisation_id=operator_id, id_tag="OV-ALICE", driver_id=alice_id),
                IdTag(organisation_id=operator_id, id_tag="OV-FLEET", group_id=fleet_id),
                IdTag(organisation_id=operator_id, id_tag="OV-ANON"),
            ]
        )
    seed = Seeder(partner_id)
    for org, identity in ((operator_id, "CP-OV-1"), (partner_id, "CP-OV-2")):
        seed.charge_point(org, identity)
    seed.charge_point(outsider_id, "CP-OV-X")
    _sessions(seed, operator_id, partner_id, outsider_id)
    _money(seed, operator_id, partner_id, outsider_id, (alice_id, bob_id, fleet_id))
    return SeededOverview(operator_id, partner_id, outsider_id)


def _sessions(seed: Seeder, op: int, partner: int, outsider: int) -> None:
    card = {"method": "card", "holder_kind": "driver"}
    # 00:30 CET on Sun 29 March (before the change): day 29 March; not invoiced yet.
    seed.session(op, "ov-alice", at("2026-03-28 23:30"), ("final", "EUR", 500, 95, 595), 2000)
    # 23:30 CEST on 29 March (after the change): still 29 March; a card without an account.
    seed.session(op, "OV-ANON", at("2026-03-29 21:30"), ("final", "EUR", 1000, 190, 1190), 5000)
    # 00:30 CEST on 30 March: with a fixed +01:00 it would wrongly be 29 March. Paid by wallet.
    seed.session(
        op,
        "OV-ALICE",
        at("2026-03-29 22:30"),
        ("final", "EUR", 2000, 380, 2380),
        8000,
        method="wallet",
        state="settled",
        charged_minor=2380,
    )
    # 00:30 CEST on 1 April: April, on an invoice already.
    edge = seed.session(
        op, "OV-ALICE", at("2026-03-31 22:30"), ("final", "EUR", 100, 19, 119), 1000
    )
    invoice = seed.document(op, "invoice", at("2026-04-01 06:00"), 119)
    with db.session_scope() as s:
        cost = s.get(SessionCost, edge)
        assert cost is not None
        cost.invoice_id = invoice
    # 23:59 CET on 6 March: one minute before the 30 days start (7 March); not invoiced yet.
    seed.session(op, "OV-ALICE", at("2026-03-06 22:59"), ("final", "EUR", 300, 57, 357), 1500)
    # 00:30 CET on 1 January 2026: year 2026, January.
    seed.session(op, "OV-ANON", at("2025-12-31 23:30"), ("final", "EUR", 400, 76, 476))
    # The sub-operator, in GBP: the fleet's card, not invoiced yet.
    seed.session(partner, "OV-FLEET", at("2026-04-02 10:00"), ("final", "GBP", 800, 160, 960), 4000)
    # Card sessions: failed (2000 - 100 discount), to settle (700), held for review (300).
    seed.session(
        op,
        "OV-ALICE",
        at("2026-04-03 10:00"),
        ("final", "EUR", 1680, 320, 2000),
        3000,
        state="failed",
        discount_minor=100,
        **card,
    )
    seed.session(
        op,
        "OV-ALICE",
        at("2026-04-04 10:00"),
        ("final", "EUR", 588, 112, 700),
        2500,
        state="to_settle",
        **card,
    )
    seed.session(
        op,
        "OV-ALICE",
        at("2026-04-01 09:00"),
        ("review", "EUR", 252, 48, 300),
        state="held",
        **card,
    )
    # Still charging, hold in place: not outstanding; its cost so far is the running cost.
    seed.session(op, "OV-ALICE", None, ("running", "EUR", 378, 72, 450), state="held", **card)
    # Another network: never counted.
    seed.session(
        outsider,
        "OV-ALICE",
        at("2026-04-01 10:00"),
        ("final", "EUR", 9000, 999, 9999),
        state="failed",
        **card,
    )


def _money(
    seed: Seeder, op: int, partner: int, outsider: int, holders: tuple[int, int, int]
) -> None:
    alice, bob, fleet = holders
    wallet_a = ("wallet", "driver", alice)
    clearing, promotions = ("stripe_clearing", "", 0), ("promotions", "", 0)
    revenue, fees = ("charging_revenue", "", 0), ("membership_fees", "", 0)
    with db.session_scope() as s:
        s.add_all(
            [
                # Pay 50, get 55, paid at 00:15 on 30 March (CEST); an open one; another network's.
                TopUp(
                    organisation_id=op,
                    holder_kind="driver",
                    holder_id=alice,
                    pay_minor=5000,
                    bonus_minor=500,
                    currency="EUR",
                    state="paid",
                    paid_at=at("2026-03-29 22:15"),
                ),
                TopUp(
                    organisation_id=op,
                    holder_kind="driver",
                    holder_id=alice,
                    pay_minor=2000,
                    currency="EUR",
                ),
                TopUp(
                    organisation_id=partner,
                    holder_kind="driver",
                    holder_id=bob,
                    pay_minor=1000,
                    currency="GBP",
                    state="paid",
                    paid_at=at("2026-04-02 12:00"),
                ),
                TopUp(
                    organisation_id=outsider,
                    holder_kind="driver",
                    holder_id=alice,
                    pay_minor=7777,
                    currency="EUR",
                    state="paid",
                    paid_at=at("2026-04-02 12:00"),
                ),
                _payment(op, "membership_fee", "succeeded", 999, "2026-03-30 08:00", "fee-1"),
                _payment(op, "membership_fee", "failed", 999, "2026-03-30 08:05", "fee-2"),
                _payment(op, "refund", "succeeded", 250, "2026-04-02 09:00", "refund-1"),
                _payment(op, "refund", "failed", 100, "2026-04-02 09:05", "refund-2"),
                _payment(op, "refund", "succeeded", 120, "2026-01-15 09:00", "refund-3"),
                _payment(outsider, "refund", "succeeded", 5555, "2026-04-02 09:00", "refund-x"),
            ]
        )
    top_up = [(wallet_a, "paid", 5000), (wallet_a, "bonus", 500)]
    top_up += [(clearing, "paid", -5000), (promotions, "paid", -500)]
    seed.ledger(op, "top_up", at("2026-03-29 22:15"), top_up)
    charge = [(wallet_a, "paid", -2380), (revenue, "paid", 2380)]
    seed.ledger(op, "session_charge", at("2026-03-29 22:30"), charge)
    fee = [(wallet_a, "bonus", -200), (wallet_a, "paid", -300), (fees, "paid", 500)]
    seed.ledger(op, "membership_fee", at("2026-03-30 09:00"), fee)
    refund = [(wallet_a, "paid", -400), (clearing, "paid", 400)]
    seed.ledger(op, "refund", at("2026-04-03 12:00"), refund)
    fleet_charge = [(("wallet", "group", fleet), "paid", -700), (revenue, "paid", 700)]
    seed.ledger(op, "session_charge", at("2026-04-04 10:00"), fleet_charge)
    bob_w = ("wallet", "driver", bob)
    seed.ledger(
        partner, "top_up", at("2026-04-02 12:00"), [(bob_w, "paid", 100), (clearing, "paid", -100)]
    )
    seed.ledger(
        partner,
        "session_charge",
        at("2026-04-02 13:00"),
        [(bob_w, "paid", -150), (revenue, "paid", 150)],
    )
    outsider_w = ("wallet", "driver", alice)
    seed.ledger(
        outsider,
        "session_charge",
        at("2026-04-02 13:00"),
        [(outsider_w, "paid", -999), (revenue, "paid", 999)],
    )
    seed.ledger(
        outsider,
        "refund",
        at("2026-04-02 13:30"),
        [(outsider_w, "paid", -1), (clearing, "paid", 1)],
    )
    # Invoices: one credited in full (not counted), one in February (months only), a receipt.
    credited = seed.document(op, "invoice", at("2026-04-01 06:00"), 1000)
    seed.document(op, "credit_note", at("2026-04-02 06:00"), -1000, credits=credited)
    seed.document(op, "invoice", at("2026-02-01 06:00"), 333)
    seed.document(op, "receipt", at("2026-04-03 06:00"), 2000)
    seed.document(outsider, "invoice", at("2026-04-01 06:00"), 4444)


def _payment(org: int, kind: str, status: str, amount: int, when: str, key: str) -> Payment:
    """A payment as Stripe's answers leave it: what was taken is `captured_minor`."""
    return Payment(
        organisation_id=org,
        kind=kind,
        currency="EUR",
        amount_minor=amount,
        captured_minor=amount if status == "succeeded" else 0,
        status=status,
        idempotency_key=key,
        created_at=at(when),
    )


# --- the figures -------------------------------------------------------------------------


@pytest.fixture
def seeded(organisation: Organisation) -> SeededOverview:
    return seed_overview(organisation.id or 0)


def report(seeded: SeededOverview, period: PeriodKind) -> FinanceReport:
    scope = frozenset({seeded.operator_id, seeded.partner_id})
    return finance_report(seeded.operator_id, scope, NOW, period)


def by_key(result: FinanceReport, currency: str) -> dict[str, Amounts]:
    """The non-empty buckets of one currency's series, by bucket key."""
    series = {s.currency: s for s in result.revenue.series}[currency]
    keys = [b.key for b in result.revenue.buckets]
    return {k: a for k, a in zip(keys, series.amounts, strict=True) if a != Amounts()}


def test_days_in_berlin_across_the_spring_forward_change(seeded: SeededOverview) -> None:
    result = report(seeded, PeriodKind.DAYS)
    days = result.revenue.buckets
    assert len(days) == 30 and (days[0].key, days[-1].key) == ("2026-03-07", "2026-04-05")
    assert result.since == at("2026-03-06 23:00")  # midnight CET
    assert result.until == at("2026-04-05 22:00")  # midnight CEST
    change = {b.key: b for b in days}["2026-03-29"]
    assert change.end - change.start == timedelta(hours=23)
    assert [s.currency for s in result.revenue.series] == ["EUR", "GBP"]
    assert by_key(result, "EUR") == {
        # 00:30 CET and 23:30 CEST on 29 March
        "2026-03-29": Amounts(2, 7000, 1500, 285, 1785),
        # 00:30 CEST: the session, the top-up paid at 00:15, a Stripe fee (9.99) and a fee
        # taken from the wallet (5.00: 2.00 bonus + 3.00 paid, one fee)
        "2026-03-30": Amounts(1, 8000, 2000, 380, 2380, 1, 5000, 2, 1499),
        "2026-04-01": Amounts(1, 1000, 100, 19, 119),
        "2026-04-03": Amounts(1, 3000, 1680, 320, 2000),
        "2026-04-04": Amounts(1, 2500, 588, 112, 700),
    }
    eur = result.revenue.series[0].totals
    assert eur == Amounts(6, 21500, 5868, 1116, 6984, 1, 5000, 2, 1499)
    assert by_key(result, "GBP") == {"2026-04-02": Amounts(1, 4000, 800, 160, 960, 1, 1000)}


def test_months_and_years(seeded: SeededOverview) -> None:
    months = report(seeded, PeriodKind.MONTHS)
    assert [b.key for b in months.revenue.buckets][::11] == ["2025-05", "2026-04"]
    assert months.revenue.buckets[-1].label == "Apr 2026"
    assert by_key(months, "EUR") == {
        "2026-01": Amounts(1, 0, 400, 76, 476),  # 00:30 CET on 1 January
        "2026-03": Amounts(4, 16500, 3800, 722, 4522, 1, 5000, 2, 1499),
        "2026-04": Amounts(3, 6500, 2368, 451, 2819),  # 00:30 CEST on 1 April included
    }
    years = report(seeded, PeriodKind.YEARS)
    assert [b.key for b in years.revenue.buckets] == ["2022", "2023", "2024", "2025", "2026"]
    assert years.since == at("2021-12-31 23:00")
    assert by_key(years, "EUR") == {"2026": Amounts(8, 23000, 6568, 1249, 7817, 1, 5000, 2, 1499)}


def test_outstanding_now_and_refunds_of_the_period(seeded: SeededOverview) -> None:
    days = report(seeded, PeriodKind.DAYS)
    owed = days.outstanding
    assert owed.card_failed == (Figure("EUR", 1, 1900),)  # 20.00 less the 1.00 discount
    assert owed.card_pending == (Figure("EUR", 2, 1000),)  # to settle 7.00 + held 3.00
    assert owed.wallets_in_debt == (Figure("EUR", 1, 700), Figure("GBP", 1, 50))
    # Alice's two uninvoiced sessions (one with her card's UID in lower case); the fleet's.
    assert owed.not_invoiced == (Figure("EUR", 2, 952), Figure("GBP", 1, 960))
    assert owed.invoiced == (Figure("EUR", 1, 119),)  # the credited invoice is not counted
    assert days.refunds.card == (Figure("EUR", 1, 250),)
    assert days.refunds.wallet == (Figure("EUR", 1, 400),)
    months = report(seeded, PeriodKind.MONTHS)
    assert months.outstanding.invoiced == (Figure("EUR", 2, 452),)
    assert months.outstanding.card_failed == owed.card_failed  # "now", whatever the period
    assert months.refunds.card == (Figure("EUR", 2, 370),)


def test_this_months_figures_of_issue_12_stay(seeded: SeededOverview) -> None:
    month = report(seeded, PeriodKind.DAYS).month
    assert month.month_label == "April 2026" and month.time_zone == ZONE
    assert [(r.currency, r.sessions, r.incl_minor) for r in month.revenue] == [
        ("EUR", 3, 2819),
        ("GBP", 1, 960),
    ]
    assert (month.held_for_review, month.running_sessions) == (1, 1)
    assert month.running_cost == (("EUR", 450),)
    scope = frozenset({seeded.operator_id, seeded.partner_id})
    assert finance_overview(seeded.operator_id, scope, NOW) == month


def test_only_the_callers_organisations(seeded: SeededOverview) -> None:
    """The sub-operator sees its own figures only; the operator never sees the outsider's."""
    alone = finance_report(seeded.partner_id, frozenset({seeded.partner_id}), NOW, PeriodKind.DAYS)
    assert [s.currency for s in alone.revenue.series] == ["GBP"]
    assert alone.revenue.time_zone == "Europe/London"
    assert alone.outstanding.wallets_in_debt == (Figure("GBP", 1, 50),)
    assert alone.outstanding.card_failed == () and alone.refunds.card == ()
    outsider = finance_report(
        seeded.outsider_id, frozenset({seeded.outsider_id}), NOW, PeriodKind.DAYS
    )
    assert outsider.outstanding.card_failed == (Figure("EUR", 1, 9999),)
    assert outsider.refunds.wallet == (Figure("EUR", 1, 1),)


def test_an_empty_network_has_empty_series(organisation: Organisation) -> None:
    result = finance_report(
        organisation.id or 0, frozenset({organisation.id or 0}), NOW, PeriodKind.MONTHS
    )
    assert result.revenue.series == () and result.revenue.time_zone == "UTC"
    assert len(result.revenue.buckets) == 12
    assert result.outstanding.not_invoiced == () and result.refunds.wallet == ()


@only_sqlite  # SQLite's query plan (EXPLAIN QUERY PLAN)
def test_figures_are_grouped_in_sql_through_indexes(seeded: SeededOverview) -> None:
    """As many statements for this network as for none (no row is read into Python to be
    added up there); the charging series reads final costs through ix_session_cost_org_state
    and their sessions by primary key, the ledger and Stripe figures go through their
    (organisation_id, created_at) indexes; no statement scans the cost or session table."""
    statements: list[tuple[str, object]] = []

    def seen(_conn: object, _cursor: object, sql: str, params: object, *_: object) -> None:
        statements.append((sql, params))

    engine = db.get_engine()
    event.listen(engine, "before_cursor_execute", seen)
    try:
        empty = frozenset({seeded.outsider_id + 1000})
        finance_report(seeded.operator_id, empty, NOW, PeriodKind.DAYS)
        on_nothing = len(statements)
        statements.clear()
        report(seeded, PeriodKind.DAYS)
    finally:
        event.remove(engine, "before_cursor_execute", seen)
    assert len(statements) == on_nothing  # as many statements as for no data at all
    plans = {}
    with engine.connect() as conn:
        for sql, params in statements:
            explain = "EXPLAIN QUERY PLAN " + sql
            rows = conn.exec_driver_sql(explain, params).all()  # type: ignore[arg-type]
            plans[sql] = " | ".join(str(row[-1]) for row in rows)
    charging = next(p for q, p in plans.items() if "JOIN charging_session" in q and "CASE" in q)
    assert "ix_session_cost_org_state" in charging, charging
    scans = [p for p in plans.values() if "SCAN session_cost" in p or "SCAN charging_" in p]
    assert not scans, scans
    ledger = [p for q, p in plans.items() if "ledger_transaction" in q and "GROUP BY" in q]
    assert ledger and all("ix_ledger_transaction_org_created" in p for p in ledger), ledger
    stripe = [p for q, p in plans.items() if "FROM payment" in q]
    assert stripe and all("ix_payment_org_created" in p for p in stripe), stripe
