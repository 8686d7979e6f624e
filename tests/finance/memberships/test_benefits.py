"""A membership's benefit on a session (finance.memberships.benefits.benefit_for_session), as
the settlement asks for it: discount and included energy of the period, never used twice;
nothing for a past-due, not yet started or cancelled membership."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from ccms_app.core import db
from ccms_app.finance.memberships import enrolment
from ccms_app.finance.memberships.benefits import Benefit, benefit_for_session
from ccms_app.finance.memberships.jobs import collect_membership_fees
from ccms_app.finance.models import SessionCost
from tests.finance.memberships.support import (
    ACTOR,
    Club,
    fill_wallet,
    plan,
    priced_session,
    record_payment,
)

DRIVER = "driver"
ENROLLED = datetime(2026, 3, 2, 8, 0, tzinfo=UTC)


def _benefit(club: Club, session_id: int, cost: SessionCost, start: datetime, wh: int) -> Benefit:
    with db.session_scope() as s:
        return benefit_for_session(
            s,
            holder_kind=DRIVER,
            holder_id=club.driver,
            session_id=session_id,
            cost=cost,
            energy_wh=wh,
            started_at=start,
        )


def _settle(club: Club, start: datetime, wh: int = 10_000) -> Benefit:
    """Price a session, take its benefit and store it as the settlement does."""
    session_id, cost = priced_session(club, start, energy_wh=wh)
    benefit = _benefit(club, session_id, cost, start, wh)
    record_payment(
        club, session_id, (DRIVER, club.driver), benefit.membership_id, benefit.included_wh
    )
    return benefit


def _member(club: Club, **form: str) -> int:
    gold = plan(club, "Gold", **form)
    fill_wallet(club, DRIVER, club.driver, 10_000)
    return enrolment.enrol(club.scope, gold.id, DRIVER, club.driver, ACTOR, ENROLLED).id


def test_no_membership_no_benefit(club: Club) -> None:
    session_id, cost = priced_session(club, ENROLLED)
    assert _benefit(club, session_id, cost, ENROLLED, 10_000) == Benefit(None, 0, 0, "")


def test_the_discount_comes_off_the_total_incl_vat(club: Club) -> None:
    member = _member(club, discount_percent="10")
    benefit = _settle(club, ENROLLED + timedelta(hours=1))
    assert (benefit.membership_id, benefit.discount_minor, benefit.included_wh) == (member, 83, 0)
    assert benefit.note == "membership Gold: 10 % off (0.83 EUR off)"


def test_included_energy_is_shared_out_over_the_periods_sessions_once(club: Club) -> None:
    _member(club, included_kwh="15")
    first = _settle(club, ENROLLED + timedelta(days=1))
    second = _settle(club, ENROLLED + timedelta(days=2))
    third = _settle(club, ENROLLED + timedelta(days=3))

    assert [b.included_wh for b in (first, second, third)] == [10_000, 5_000, 0]
    assert [b.discount_minor for b in (first, second, third)] == [357, 179, 0]  # 178.5 up
    # April's period starts 2 April 09:00 Berlin (07:00 UTC): a new allowance, counted from
    # the enrolment, even while the renewal is a little late (RENEWAL_GRACE)
    early_april = _settle(club, datetime(2026, 4, 2, 9, 0, tzinfo=UTC))
    assert early_april.included_wh == 10_000
    collect_membership_fees(datetime(2026, 4, 2, 10, 0, tzinfo=UTC))
    later_april = _settle(club, datetime(2026, 4, 3, 9, 0, tzinfo=UTC))
    assert later_april.included_wh == 5_000


def test_settling_the_same_session_again_does_not_count_itself(club: Club) -> None:
    _member(club, included_kwh="15")
    start = ENROLLED + timedelta(days=1)
    session_id, cost = priced_session(club, start)
    first = _benefit(club, session_id, cost, start, 10_000)
    record_payment(club, session_id, (DRIVER, club.driver), first.membership_id, first.included_wh)
    again = _benefit(club, session_id, cost, start, 10_000)
    assert again.included_wh == first.included_wh == 10_000


def test_sessions_before_enrolment_or_after_cancelling_get_nothing(club: Club) -> None:
    member = _member(club, discount_percent="50")
    before = _settle(club, ENROLLED - timedelta(hours=1))
    assert before.membership_id is None and before.discount_minor == 0
    enrolment.cancel(club.scope, member, False, ACTOR, ENROLLED + timedelta(days=1))
    after = _settle(club, ENROLLED + timedelta(days=2))
    assert after == Benefit(None, 0, 0, "")
