"""The member tariff in the tariff resolution (finance.tariff_assignments): after the driver's
own assignment, before the group, connector, charge point, station and network; only while
the membership counts; explained as "membership <plan>"."""

from __future__ import annotations

from datetime import timedelta

from ccms_app.core.types import utc_now
from ccms_app.finance import tariff_assignments as ta
from ccms_app.finance import tariffs
from ccms_app.finance.memberships import enrolment
from ccms_app.finance.models import AssignmentTarget
from tests.finance.memberships.support import ACTOR, Club, energy, fill_wallet, plan


def _applies(club: Club, id_tag: str = "TAG-ADA") -> ta.Resolution | None:
    return ta.explain(club.scope, club.charge_point, 1, id_tag, utc_now())


def _tariff(club: Club, name: str) -> int:
    hour_ago = utc_now() - timedelta(hours=1)
    return tariffs.create_tariff(club.scope, club.org, name, energy("0.5"), valid_from=hour_ago).id


def _enrol(club: Club, holder_kind: str = "driver", holder_id: int | None = None) -> int:
    gold = plan(club, "Gold", member_tariff_id=str(club.member_tariff))
    holder = holder_id or club.driver
    fill_wallet(club, holder_kind, holder, 5000)
    enrolled = utc_now() - timedelta(days=1)
    return enrolment.enrol(club.scope, gold.id, holder_kind, holder, ACTOR, enrolled).id


def test_the_member_tariff_comes_after_the_driver_and_before_everything_else(club: Club) -> None:
    for target, target_id in (
        (AssignmentTarget.NETWORK, club.org),
        (AssignmentTarget.CHARGE_POINT, club.charge_point),
        (AssignmentTarget.CONNECTOR, club.connector),
        (AssignmentTarget.GROUP, club.group),
    ):
        ta.assign(club.scope, _tariff(club, f"{target.value} price"), target, target_id, ACTOR)
    assert (found := _applies(club)) is not None and found.tariff_name == "group price"

    member = _enrol(club)

    found = _applies(club)
    assert found is not None
    assert (found.tariff_name, found.reason) == ("Members", "membership Gold")
    assert (found.target, found.membership_id) == (None, member)
    other = _applies(club, "NOBODY")
    assert other is not None and other.tariff_name == "connector price"

    ta.assign(club.scope, _tariff(club, "Ada's own"), AssignmentTarget.DRIVER, club.driver, ACTOR)
    found = _applies(club)
    assert found is not None and found.tariff_name == "Ada's own"
    assert found.reason == "assigned to driver Ada Lovelace"


def test_a_group_cards_sessions_get_the_group_accounts_member_tariff(club: Club) -> None:
    _enrol(club, "group", club.group)
    fleet = _applies(club, "FLEET-1")
    assert fleet is not None and fleet.reason == "membership Gold"
    assert _applies(club, "TAG-ADA") is None  # Ada herself is no member; nothing assigned


def test_only_a_counting_membership_gives_its_tariff(club: Club) -> None:
    network = _tariff(club, "Network")
    ta.assign(club.scope, network, AssignmentTarget.NETWORK, club.org, ACTOR)
    member = _enrol(club)
    assert (found := _applies(club)) is not None and found.tariff_name == "Members"

    enrolment.cancel(club.scope, member, False, ACTOR)

    assert (found := _applies(club)) is not None and found.tariff_name == "Network"


def test_a_member_tariff_without_prices_yet_is_passed_over_and_said_so(club: Club) -> None:
    network = _tariff(club, "Network")
    ta.assign(club.scope, network, AssignmentTarget.NETWORK, club.org, ACTOR)
    later = tariffs.create_tariff(
        club.scope, club.org, "Later", energy("0.1"), valid_from=utc_now() + timedelta(days=1)
    )
    gold = plan(club, "Gold", member_tariff_id=str(later.id))
    fill_wallet(club, "driver", club.driver, 5000)
    enrolment.enrol(club.scope, gold.id, "driver", club.driver, ACTOR, utc_now() - timedelta(1))

    found = _applies(club)

    assert found is not None and found.tariff_name == "Network"
    assert "passed over: Later (membership Gold) has no prices yet" in found.reason
