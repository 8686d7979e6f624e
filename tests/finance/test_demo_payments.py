"""The demo's payments (finance.demo_payments) on a real migrated database, after the demo
network: made through the use cases (balances are ledger sums, the member's first fee was
taken by the enrolment), shown on the Finance overview, and made once."""

from __future__ import annotations

from sqlmodel import Session, col, func, select

from ccms_app.accounts.models import Organisation
from ccms_app.core.db import read_session
from ccms_app.core.types import utc_now
from ccms_app.demo import seed_demo
from ccms_app.drivers.models import Driver
from ccms_app.finance.demo_payments import seed_demo_payments
from ccms_app.finance.memberships import enrolment
from ccms_app.finance.memberships.models import Membership, MembershipPlan
from ccms_app.finance.overview import finance_report
from ccms_app.finance.payments.models import PaymentAccount, TopUpPackage
from ccms_app.finance.rules.revenue import PeriodKind
from ccms_app.finance.wallets.ledger import balance
from ccms_app.finance.wallets.models import LedgerTransaction, Voucher


def _operator(session: Session) -> int:
    found = session.exec(select(Organisation).where(col(Organisation.parent_id).is_(None))).one()
    return int(found.id or 0)


def _driver(session: Session, email: str) -> int:
    return int(session.exec(select(Driver.id).where(Driver.email == email)).one() or 0)


def test_the_demo_payments(session: Session) -> None:
    summary = seed_demo(3)  # the demo seed calls seed_demo_payments for the operator
    operator_id = _operator(session)
    # the package, 2 payment methods, 2 top-ups, the voucher, the plan, the membership
    assert summary.created["payment rows"] == 8
    assert seed_demo_payments(operator_id) == 0  # made once
    anna = _driver(session, "anna.de.vries@example.com")
    lukas = _driver(session, "lukas.schmidt@example.com")
    with read_session() as db:
        package = db.exec(select(TopUpPackage)).one()
        assert (package.name, package.pay_minor, package.credit_minor) == (
            "Pay 50, get 55",
            5000,
            5500,
        )
        methods = db.exec(
            select(PaymentAccount.holder_id, PaymentAccount.method).where(
                col(PaymentAccount.holder_id).in_([anna, lukas])
            )
        ).all()
        assert sorted(methods) == sorted([(anna, "wallet"), (lukas, "wallet")])
        # 50.00 paid + 5.00 bonus, less the 9.90 fee (taken from the bonus first)
        assert balance(db, "driver", anna, "EUR").total_minor == 5500 - 990
        assert balance(db, "driver", anna, "EUR").paid_minor == 5000 - 490
        assert balance(db, "driver", lukas, "EUR").total_minor == 2000
        voucher = db.exec(select(Voucher)).one()
        assert (voucher.code, voucher.value_minor, voucher.redemption_count) == ("WELCOME5", 500, 0)
        plan = db.exec(select(MembershipPlan)).one()
        assert (plan.name, plan.monthly_fee_minor, plan.fee_collection) == (
            "Commuter",
            990,
            "wallet",
        )
        member = db.exec(select(Membership)).one()
        assert (member.holder_id, member.status) == (anna, "active")
        references = db.exec(select(LedgerTransaction.reference)).all()
        assert {f"demo:top_up:{anna}", f"demo:top_up:{lukas}"} <= set(references)

    report = finance_report(operator_id, frozenset({operator_id}), utc_now(), PeriodKind.DAYS)
    (eur,) = report.revenue.series
    assert (eur.totals.membership_fees, eur.totals.membership_fees_minor) == (1, 990)
    assert report.outstanding.wallets_in_debt == ()


def test_made_once_and_an_operators_changes_are_kept(session: Session) -> None:
    seed_demo(3)
    operator_id = _operator(session)
    seed_demo_payments(operator_id)
    scope = frozenset({operator_id})
    anna = _driver(session, "anna.de.vries@example.com")
    with read_session() as db:
        member = db.exec(select(Membership.id)).one()
    enrolment.cancel(scope, int(member or 0), False, "operator@example.com")

    assert seed_demo_payments(operator_id) == 0
    assert seed_demo(3).created == {}
    with read_session() as db:
        # the two drivers' top-ups, the membership fee, the driver app demo account's top-up
        assert db.exec(select(func.count()).select_from(LedgerTransaction)).one() == 4
        statuses = db.exec(select(Membership.status)).all()
        assert statuses == ["cancelled"]  # not enrolled again
        assert balance(db, "driver", anna, "EUR").total_minor == 4510
