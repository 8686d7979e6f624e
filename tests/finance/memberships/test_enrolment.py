"""Enrolling and cancelling (finance.memberships.enrolment) with wallet plans, and the fees
job (finance.memberships.jobs): the first fee at enrolment, a fee per period taken once,
a wallet that cannot pay making the membership past due instead of going negative."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from sqlmodel import col, select

from ccms_app.core import db
from ccms_app.finance.errors import FinanceConflict, FinanceError, FinanceNotFound
from ccms_app.finance.memberships import enrolment, plans
from ccms_app.finance.memberships.benefits import active_membership
from ccms_app.finance.memberships.jobs import collect_membership_fees
from ccms_app.finance.memberships.models import Membership, MembershipStatus
from ccms_app.finance.wallets.ledger import account_balance
from ccms_app.finance.wallets.models import AccountKind, LedgerAccount, LedgerTransaction
from tests.finance.memberships.support import ACTOR, Club, fill_wallet, plan, wallet_minor

DRIVER = "driver"
ENROLLED = datetime(2026, 1, 31, 9, 30, tzinfo=UTC)  # 10:30 in Berlin


def _fee_references() -> list[str]:
    with db.read_session() as s:
        rows = s.exec(
            select(LedgerTransaction.reference)
            .where(col(LedgerTransaction.reference).startswith("membership:"))
            .order_by(col(LedgerTransaction.id))
        ).all()
    return list(rows)


def _fees_account_minor() -> int:
    with db.read_session() as s:
        account = s.exec(
            select(LedgerAccount).where(LedgerAccount.kind == AccountKind.MEMBERSHIP_FEES)
        ).one()
        return sum(account_balance(s, int(account.id or 0)).values())


def _membership(membership_id: int) -> Membership:
    with db.read_session() as s:
        found = s.get(Membership, membership_id)
        assert found is not None
        return found


def test_enrolling_takes_the_first_fee_and_starts_a_monthly_period(club: Club) -> None:
    gold = plan(club, "Gold")
    fill_wallet(club, DRIVER, club.driver, 2500)

    member = enrolment.enrol(club.scope, gold.id, DRIVER, club.driver, ACTOR, ENROLLED)

    assert (member.status, member.plan_name, member.holder_name) == (
        MembershipStatus.ACTIVE,
        "Gold",
        "Ada Lovelace",
    )
    assert (member.current_period_start, member.current_period_end) == (
        ENROLLED,
        datetime(2026, 2, 28, 9, 30, tzinfo=UTC),
    )
    assert wallet_minor(DRIVER, club.driver) == 2500 - 990
    assert _fee_references() == [f"membership:{member.id}:2026-01-31"]
    assert _fees_account_minor() == 990
    shown = enrolment.membership_of_holder(club.scope, DRIVER, club.driver)
    assert shown is not None and shown.id == member.id


def test_one_live_membership_per_holder(club: Club) -> None:
    gold, silver = plan(club, "Gold"), plan(club, "Silver", included_kwh="10")
    fill_wallet(club, DRIVER, club.driver, 5000)
    enrolment.enrol(club.scope, gold.id, DRIVER, club.driver, ACTOR, ENROLLED)

    with pytest.raises(FinanceConflict) as caught:
        enrolment.enrol(club.scope, silver.id, DRIVER, club.driver, ACTOR, ENROLLED)

    assert "member of Gold already" in caught.value.errors["holder_id"]
    assert wallet_minor(DRIVER, club.driver) == 5000 - 990  # nothing more taken


def test_a_wallet_that_cannot_pay_refuses_the_enrolment(club: Club) -> None:
    gold = plan(club, "Gold")
    fill_wallet(club, DRIVER, club.driver, 500)

    with pytest.raises(FinanceError) as caught:
        enrolment.enrol(club.scope, gold.id, DRIVER, club.driver, ACTOR, ENROLLED)

    assert caught.value.errors["holder_id"].startswith("The wallet holds 5.00 EUR, less than")
    assert wallet_minor(DRIVER, club.driver) == 500
    assert enrolment.membership_of_holder(club.scope, DRIVER, club.driver) is None


def test_wrong_enrolments_name_their_field(club: Club) -> None:
    gold = plan(club, "Gold")
    cases = [
        ((999_999, DRIVER, club.driver), "plan_id"),
        ((gold.id, "robot", club.driver), "holder_kind"),
        ((gold.id, DRIVER, club.stranger), "holder_id"),  # another operator's driver
    ]
    for (plan_id, kind, holder), field in cases:
        with pytest.raises(FinanceError) as caught:
            enrolment.enrol(club.scope, plan_id, kind, holder, ACTOR, ENROLLED)
        assert set(caught.value.errors) == {field}
    plans.set_plan_active(club.scope, gold.id, False)
    with pytest.raises(FinanceError) as closed:
        enrolment.enrol(club.scope, gold.id, DRIVER, club.driver, ACTOR, ENROLLED)
    assert "no new members" in closed.value.errors["plan_id"]


def test_a_group_account_pays_from_its_own_wallet(club: Club) -> None:
    gold = plan(club, "Fleet plan", included_kwh="100", monthly_fee="20")
    fill_wallet(club, "group", club.group, 2000)

    member = enrolment.enrol(club.scope, gold.id, "group", club.group, ACTOR, ENROLLED)

    assert member.holder_name == "Fleet GmbH" and wallet_minor("group", club.group) == 0


def test_the_job_takes_each_periods_fee_once(club: Club) -> None:
    gold = plan(club, "Gold")
    fill_wallet(club, DRIVER, club.driver, 5000)
    member = enrolment.enrol(club.scope, gold.id, DRIVER, club.driver, ACTOR, ENROLLED)

    assert collect_membership_fees(ENROLLED + timedelta(days=10)) == {}  # nothing due yet
    second = datetime(2026, 2, 28, 9, 30, tzinfo=UTC)
    assert collect_membership_fees(second) == {"charged": 1}
    assert collect_membership_fees(second + timedelta(minutes=10)) == {}
    third = datetime(2026, 3, 31, 8, 30, tzinfo=UTC)  # 10:30 CEST
    collect_membership_fees(third + timedelta(hours=1))

    assert _fee_references() == [
        f"membership:{member.id}:2026-01-31",
        f"membership:{member.id}:2026-02-28",
        f"membership:{member.id}:2026-03-31",
    ]
    assert wallet_minor(DRIVER, club.driver) == 5000 - 3 * 990
    renewed = _membership(member.id)
    assert (renewed.current_period_start, renewed.current_period_end) == (
        third,
        datetime(2026, 4, 30, 8, 30, tzinfo=UTC),
    )


def test_an_empty_wallet_makes_the_membership_past_due_until_topped_up(club: Club) -> None:
    gold = plan(club, "Gold")
    fill_wallet(club, DRIVER, club.driver, 1000)
    member = enrolment.enrol(club.scope, gold.id, DRIVER, club.driver, ACTOR, ENROLLED)
    renewal = datetime(2026, 2, 28, 9, 30, tzinfo=UTC)

    assert collect_membership_fees(renewal) == {"past_due": 1}

    assert wallet_minor(DRIVER, club.driver) == 10  # never below zero
    assert _membership(member.id).status == MembershipStatus.PAST_DUE
    with db.read_session() as s:  # benefits paused
        assert active_membership(s, DRIVER, club.driver, renewal + timedelta(hours=1)) is None
    assert collect_membership_fees(renewal + timedelta(minutes=10)) == {"past_due": 1}
    fill_wallet(club, DRIVER, club.driver, 2000, ref="t2")
    assert collect_membership_fees(renewal + timedelta(minutes=20)) == {"charged": 1}
    assert _membership(member.id).status == MembershipStatus.ACTIVE
    assert wallet_minor(DRIVER, club.driver) == 2010 - 990
    assert _fee_references()[-1] == f"membership:{member.id}:2026-02-28"


def test_cancel_at_period_end_keeps_the_benefits_then_takes_no_fee(club: Club) -> None:
    gold = plan(club, "Gold")
    fill_wallet(club, DRIVER, club.driver, 5000)
    member = enrolment.enrol(club.scope, gold.id, DRIVER, club.driver, ACTOR, ENROLLED)

    ending = enrolment.cancel(club.scope, member.id, True, ACTOR, ENROLLED + timedelta(days=3))

    end = datetime(2026, 2, 28, 9, 30, tzinfo=UTC)
    assert ending.status == MembershipStatus.ACTIVE and ending.ends_at_period_end
    assert ending.cancelled_at == end
    with db.read_session() as s:
        assert active_membership(s, DRIVER, club.driver, end - timedelta(minutes=1)) is not None
        assert active_membership(s, DRIVER, club.driver, end) is None
    assert collect_membership_fees(end) == {"cancelled": 1}
    assert _membership(member.id).status == MembershipStatus.CANCELLED
    assert wallet_minor(DRIVER, club.driver) == 5000 - 990
    with pytest.raises(FinanceConflict):
        enrolment.cancel(club.scope, member.id, False, ACTOR)


def test_cancel_now_ends_it_at_once_and_frees_the_holder(club: Club) -> None:
    gold, silver = plan(club, "Gold"), plan(club, "Silver", included_kwh="5")
    fill_wallet(club, DRIVER, club.driver, 5000)
    member = enrolment.enrol(club.scope, gold.id, DRIVER, club.driver, ACTOR, ENROLLED)
    when = ENROLLED + timedelta(days=1)

    ended = enrolment.cancel(club.scope, member.id, False, ACTOR, when)

    assert (ended.status, ended.cancelled_at) == (MembershipStatus.CANCELLED, when)
    again = enrolment.enrol(club.scope, silver.id, DRIVER, club.driver, ACTOR, when)
    assert again.plan_name == "Silver"
    with pytest.raises(FinanceNotFound):
        enrolment.cancel(frozenset({club.other_org}), again.id, False, ACTOR)
