"""Id tag (RFID card) service on a real database: issue, owner, expiry, parent, block, delete,
scope, the list, and what Authorize answers for cards of suspended drivers and groups."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest
from ocpp.v16 import call

from ccms_app.core.db import read_session, session_scope
from ccms_app.core.listing import ListQuery, fetch_page
from ccms_app.core.types import utc_now
from ccms_app.drivers import driver_admin as drivers
from ccms_app.drivers import id_tags, user_groups
from ccms_app.drivers.authorization import check_id_tag
from ccms_app.drivers.common import NotFoundError, RefusedError, Scope, UserInputError
from ccms_app.drivers.id_tags import IdTagInput
from ccms_app.drivers.models import IdTag, LocalAuthList, LocalAuthListEntry
from ccms_app.network.provisioning import add_id_tag, register_charge_point
from tests.drivers.support import partner_scope, record_session, scope
from tests.fixtures.ocpp import connect_charge_point

__all__ = ["partner_scope", "scope"]

TOMORROW = (utc_now() + timedelta(days=1)).date().isoformat()


def authorize(id_tag: str) -> str:
    """What Authorize answers for `id_tag` (on a registered charge point)."""
    from ccms_app.network.models import ChargePoint, RegistrationState

    with read_session() as session:
        cp = ChargePoint(identity="X", organisation_id=1)
        cp.registration_state = RegistrationState.REGISTERED
        return check_id_tag(session, id_tag, cp, utc_now()).status


def test_issue_a_card_for_a_driver(scope: Scope) -> None:
    driver = drivers.create_driver(scope, drivers.DriverInput("Ann"))
    card = id_tags.issue_id_tag(
        scope,
        IdTagInput(" 04A2B3C4D5 ", expiry=TOMORROW, driver_id=driver.id, description="Blue"),
    )
    assert (card.id_tag, card.status, card.authorization) == ("04A2B3C4D5", "active", "Accepted")
    assert (card.driver_id, card.driver_name, card.description) == (driver.id, "Ann", "Blue")
    assert card.expiry_date == datetime.combine(
        date.fromisoformat(TOMORROW), datetime.max.time().replace(microsecond=0), tzinfo=UTC
    )
    assert authorize("04a2b3c4d5") == "Accepted"


def test_issue_reports_every_field_error_at_once(scope: Scope) -> None:
    with pytest.raises(UserInputError) as caught:
        id_tags.issue_id_tag(
            scope,
            IdTagInput(
                "X" * 21,
                expiry="31/12/2030",
                parent_id_tag="NOPE",
                driver_id=1,
                group_id=1,
                description="d" * 201,
            ),
        )
    errors = caught.value.errors
    assert set(errors) == {"id_tag", "expiry", "parent_id_tag", "owner", "description"}
    assert "at most 20" in errors["id_tag"]
    assert "YYYY-MM-DD" in errors["expiry"]
    assert "must be an existing card" in errors["parent_id_tag"]
    assert errors["owner"] == "A card belongs to a driver or to a group, not both"


@pytest.mark.parametrize(
    ("value", "message"),
    [
        ("", "Id tag is required"),
        ("CARD\u00e9", "printable ASCII"),
    ],
)
def test_id_tag_format(scope: Scope, value: str, message: str) -> None:
    with pytest.raises(UserInputError) as caught:
        id_tags.issue_id_tag(scope, IdTagInput(value))
    assert message in caught.value.errors["id_tag"]


def test_id_tags_are_unique_ignoring_case(scope: Scope, partner_scope: Scope) -> None:
    id_tags.issue_id_tag(scope, IdTagInput("abc123"))
    with pytest.raises(UserInputError) as caught:
        id_tags.issue_id_tag(partner_scope, IdTagInput("ABC123"))
    assert caught.value.errors == {"id_tag": "Card abc123 already exists (id tags ignore case)"}


def test_expiry_in_the_past_is_refused_unless_unchanged(scope: Scope) -> None:
    with pytest.raises(UserInputError) as caught:
        id_tags.issue_id_tag(scope, IdTagInput("OLD", expiry="2020-01-01"))
    assert "in the past" in caught.value.errors["expiry"]

    provisioned = add_id_tag("OLD", expires=date(2020, 1, 1), organisation_id=scope.organisation_id)
    card = id_tags.update_id_tag(
        scope, provisioned.id_tag_pk, IdTagInput(expiry="2020-01-01", description="kept")
    )
    assert (card.description, card.authorization) == ("kept", "Expired")
    assert authorize("OLD") == "Expired"
    assert id_tags.update_id_tag(scope, card.id, IdTagInput()).authorization == "Accepted"


def test_owner_is_a_driver_or_a_group_in_scope(scope: Scope, partner_scope: Scope) -> None:
    mine = drivers.create_driver(scope, drivers.DriverInput("Operator's"))
    group = user_groups.create_group(scope, user_groups.GroupInput("Fleet"))
    card = id_tags.issue_id_tag(partner_scope, IdTagInput("P-1"))

    with pytest.raises(UserInputError) as caught:
        id_tags.update_id_tag(partner_scope, card.id, IdTagInput(driver_id=mine.id))
    assert caught.value.errors == {"owner": f"Driver {mine.id} not found"}
    with pytest.raises(UserInputError) as caught:
        id_tags.update_id_tag(partner_scope, card.id, IdTagInput(group_id=group.id))
    assert caught.value.errors == {"owner": f"Group {group.id} not found"}

    moved = id_tags.update_id_tag(scope, card.id, IdTagInput(group_id=group.id))
    assert (moved.group_id, moved.group_name, moved.driver_id) == (group.id, "Fleet", None)


def test_parent_must_exist_and_not_make_a_cycle(scope: Scope) -> None:
    a = id_tags.issue_id_tag(scope, IdTagInput("A"))
    b = id_tags.issue_id_tag(scope, IdTagInput("B", parent_id_tag="a"))
    assert b.parent_id_tag == "A"  # stored as the parent is spelled
    c = id_tags.issue_id_tag(scope, IdTagInput("C", parent_id_tag="B"))

    with pytest.raises(UserInputError) as caught:
        id_tags.update_id_tag(scope, a.id, IdTagInput(parent_id_tag="a"))
    assert caught.value.errors == {"parent_id_tag": "A card cannot be its own parent"}
    with pytest.raises(UserInputError) as caught:
        id_tags.update_id_tag(scope, a.id, IdTagInput(parent_id_tag="C"))
    assert "cycle" in caught.value.errors["parent_id_tag"]
    with pytest.raises(UserInputError) as caught:
        id_tags.update_id_tag(scope, a.id, IdTagInput(parent_id_tag="ZZZ"))
    assert "existing card" in caught.value.errors["parent_id_tag"]

    assert id_tags.update_id_tag(scope, c.id, IdTagInput(parent_id_tag="A")).parent_id_tag == "A"


def test_block_and_unblock_answer_the_next_authorize(scope: Scope) -> None:
    card = id_tags.issue_id_tag(scope, IdTagInput("RFID-9"))
    blocked = id_tags.block_id_tag(scope, card.id)
    assert (blocked.status, blocked.authorization) == ("blocked", "Blocked")
    assert authorize("rfid-9") == "Blocked"
    assert id_tags.unblock_id_tag(scope, card.id).authorization == "Accepted"
    assert authorize("RFID-9") == "Accepted"


def test_suspended_driver_cards_are_blocked(scope: Scope) -> None:
    driver = drivers.create_driver(scope, drivers.DriverInput("Dee"))
    card = id_tags.issue_id_tag(scope, IdTagInput("DEE-1", driver_id=driver.id))
    drivers.suspend_driver(scope, driver.id)
    assert authorize("DEE-1") == "Blocked"
    assert id_tags.get_id_tag(scope, card.id).authorization == "Blocked"
    assert id_tags.get_id_tag(scope, card.id).status == "active"  # the card itself is fine
    drivers.reactivate_driver(scope, driver.id)
    assert authorize("DEE-1") == "Accepted"


def test_group_card_needs_an_authorised_active_member(scope: Scope) -> None:
    group = user_groups.create_group(scope, user_groups.GroupInput("Pool cars"))
    id_tags.issue_id_tag(scope, IdTagInput("POOL-1", group_id=group.id))
    assert authorize("POOL-1") == "Blocked"  # nobody may charge on the account yet

    member = drivers.create_driver(scope, drivers.DriverInput("Member"))
    own_card = id_tags.issue_id_tag(scope, IdTagInput("MEMBER-1", driver_id=member.id))
    user_groups.add_member(scope, group.id, member.id, authorised=False)
    assert authorize("POOL-1") == "Blocked"
    assert authorize("MEMBER-1") == "Accepted"  # own card: not the group account

    user_groups.set_member_authorised(scope, group.id, member.id, True)
    assert authorize("POOL-1") == "Accepted"
    drivers.suspend_driver(scope, member.id)
    assert authorize("POOL-1") == "Blocked"
    assert authorize(own_card.id_tag) == "Blocked"
    drivers.reactivate_driver(scope, member.id)
    user_groups.remove_member(scope, group.id, member.id)
    assert authorize("POOL-1") == "Blocked"


def test_delete_refused_when_used_in_sessions(scope: Scope) -> None:
    card = id_tags.issue_id_tag(scope, IdTagInput("USED-1"))
    record_session(scope.organisation_id, "used-1")
    with pytest.raises(RefusedError) as caught:
        id_tags.delete_id_tag(scope, card.id)
    assert "block it instead" in str(caught.value)


def test_delete_refused_for_parents_and_local_list_entries(scope: Scope) -> None:
    parent = id_tags.issue_id_tag(scope, IdTagInput("PARENT"))
    child = id_tags.issue_id_tag(scope, IdTagInput("CHILD", parent_id_tag="PARENT"))
    with pytest.raises(RefusedError, match="parent of CHILD"):
        id_tags.delete_id_tag(scope, parent.id)

    with session_scope() as s:
        listed = LocalAuthList(organisation_id=scope.organisation_id, name="Depot")
        s.add(listed)
        s.flush()
        assert listed.id is not None
        s.add(LocalAuthListEntry(list_id=listed.id, id_tag_id=child.id))
    with pytest.raises(RefusedError, match="local authorization list"):
        id_tags.delete_id_tag(scope, child.id)


def test_delete_an_unused_card(scope: Scope) -> None:
    card = id_tags.issue_id_tag(scope, IdTagInput("SPARE"))
    assert id_tags.delete_id_tag(scope, card.id) == "SPARE"
    with read_session() as s:
        assert s.get(IdTag, card.id) is None
    assert authorize("SPARE") == "Invalid"


def test_scope(scope: Scope, partner_scope: Scope) -> None:
    mine = id_tags.issue_id_tag(scope, IdTagInput("OP-1"))
    theirs = id_tags.issue_id_tag(partner_scope, IdTagInput("PT-1"))
    assert id_tags.get_id_tag(scope, theirs.id).id_tag == "PT-1"
    for attempt in (
        lambda: id_tags.get_id_tag(partner_scope, mine.id),
        lambda: id_tags.block_id_tag(partner_scope, mine.id),
        lambda: id_tags.delete_id_tag(partner_scope, mine.id),
        lambda: id_tags.update_id_tag(partner_scope, mine.id, IdTagInput()),
    ):
        with pytest.raises(NotFoundError):
            attempt()
    with pytest.raises(UserInputError):  # the parent is not the partner's to use
        id_tags.issue_id_tag(partner_scope, IdTagInput("PT-2", parent_id_tag="OP-1"))
    assert id_tags.count_id_tags(partner_scope) == {"total": 1, "blocked": 0}
    assert id_tags.count_id_tags(scope) == {"total": 2, "blocked": 0}


def test_list_search_filter_and_authorization_column(scope: Scope) -> None:
    driver = drivers.create_driver(scope, drivers.DriverInput("Rita Listed"))
    group = user_groups.create_group(scope, user_groups.GroupInput("Listed fleet"))
    id_tags.issue_id_tag(scope, IdTagInput("L-DRIVER", driver_id=driver.id))
    id_tags.issue_id_tag(scope, IdTagInput("L-GROUP", group_id=group.id))
    loose = id_tags.issue_id_tag(scope, IdTagInput("L-NONE"))
    id_tags.block_id_tag(scope, loose.id)
    add_id_tag("L-OLD", expires=date(2021, 5, 1), organisation_id=scope.organisation_id)
    ids = scope.organisation_ids

    def tags(**query) -> list[str]:
        return [r["id_tag"] for r in fetch_page(id_tags.ID_TAG_LIST, ListQuery(**query), ids).rows]

    assert tags() == ["L-DRIVER", "L-GROUP", "L-NONE", "L-OLD"]
    assert tags(search="rita") == ["L-DRIVER"]
    assert tags(search="fleet") == ["L-GROUP"]  # group owners are searched too
    assert tags(search="l-") == ["L-DRIVER", "L-GROUP", "L-NONE", "L-OLD"]
    assert tags(filters={"status": "blocked"}) == ["L-NONE"]
    assert tags(filters={"owner_kind": "group"}) == ["L-GROUP"]
    assert tags(filters={"owner_kind": "none"}) == ["L-NONE", "L-OLD"]
    assert tags(filters={"driver_id": driver.id}) == ["L-DRIVER"]
    page = fetch_page(id_tags.ID_TAG_LIST, ListQuery(), ids)
    assert {r["id_tag"]: r["authorization"] for r in page.rows} == {
        "L-DRIVER": "Accepted",
        "L-GROUP": "Blocked",  # no authorised member
        "L-NONE": "Blocked",
        "L-OLD": "Expired",
    }
    assert {r["id_tag"]: r["owner"] for r in page.rows}["L-GROUP"] == "Listed fleet"
    assert tags(filters={"authorization": "Expired"}) == ["L-OLD"]


# --- over a real websocket ------------------------------------------------------------------


async def test_block_and_suspend_reach_the_next_authorize_over_ocpp(
    scope: Scope, ocpp_url: str
) -> None:
    register_charge_point("CP-AUTH-1", "Auth Depot", scope.organisation_id)
    driver = drivers.create_driver(scope, drivers.DriverInput("Wes"))
    card = id_tags.issue_id_tag(scope, IdTagInput("WS-CARD-1", driver_id=driver.id))
    second = id_tags.issue_id_tag(scope, IdTagInput("WS-CARD-2", driver_id=driver.id))

    async with connect_charge_point(ocpp_url, "CP-AUTH-1") as cp:

        async def status(tag: str) -> str:
            return (await cp.call(call.Authorize(id_tag=tag))).id_tag_info["status"]

        await cp.call(call.BootNotification(charge_point_vendor="Acme", charge_point_model="V"))
        assert await status("ws-card-1") == "Accepted"

        id_tags.block_id_tag(scope, card.id)
        assert await status("WS-CARD-1") == "Blocked"
        assert await status("WS-CARD-2") == "Accepted"

        drivers.suspend_driver(scope, driver.id)
        assert await status("WS-CARD-2") == "Blocked"
        started = await cp.call(
            call.StartTransaction(
                connector_id=1, id_tag=second.id_tag, meter_start=0, timestamp=utc_now().isoformat()
            )
        )
        assert started.id_tag_info["status"] == "Blocked"

        drivers.reactivate_driver(scope, driver.id)
        id_tags.unblock_id_tag(scope, card.id)
        assert await status("WS-CARD-1") == "Accepted"


def test_a_fleet_card_is_set_and_cleared(scope: Scope) -> None:
    card = id_tags.issue_id_tag(scope, IdTagInput("FLEET-7", concurrent_transactions=True))
    assert card.concurrent_transactions
    assert id_tags.get_id_tag(scope, card.id).concurrent_transactions
    cleared = id_tags.update_id_tag(scope, card.id, IdTagInput(description="one at a time"))
    assert not cleared.concurrent_transactions
