"""User groups service on a real database: group account, members, scope, list (no price:
members are billed with the group's tariff, tests/finance/test_group_price_migration.py)."""

from __future__ import annotations

from dataclasses import fields

import pytest

from ccms_app.core.db import read_session
from ccms_app.core.listing import ListQuery, fetch_page
from ccms_app.drivers import driver_admin as drivers
from ccms_app.drivers import id_tags, user_groups
from ccms_app.drivers.common import NotFoundError, RefusedError, Scope, UserInputError
from ccms_app.drivers.models import UserGroup
from ccms_app.drivers.user_groups import GroupInput, GroupView
from tests.drivers.support import partner_scope, scope

__all__ = ["partner_scope", "scope"]


def test_create_a_group_account(scope: Scope) -> None:
    group = user_groups.create_group(
        scope, GroupInput("ACME fleet", "ACME Ltd", "billing@acme.example")
    )
    assert (group.name, group.account_name, group.billing_email) == (
        "ACME fleet",
        "ACME Ltd",
        "billing@acme.example",
    )
    assert user_groups.get_group(scope, group.id) == group


def test_a_group_has_no_price_of_its_own(scope: Scope) -> None:
    """Members are billed with the group's tariff (Finance); the old price column stays empty."""
    group = user_groups.create_group(scope, GroupInput("Fleet"))
    assert not {"price_per_kwh_minor", "currency"} & {f.name for f in fields(GroupView)}
    assert not {"price_per_kwh", "currency"} & {f.name for f in fields(GroupInput)}
    with read_session() as session:
        stored = session.get(UserGroup, group.id)
        assert stored is not None and stored.price_per_kwh_minor is None


def test_every_field_error_at_once(scope: Scope) -> None:
    with pytest.raises(UserInputError) as caught:
        user_groups.create_group(scope, GroupInput(" ", "a" * 201, "nope"))
    assert set(caught.value.errors) == {"name", "account_name", "billing_email"}


def test_names_are_unique_per_organisation(scope: Scope, partner_scope: Scope) -> None:
    first = user_groups.create_group(scope, GroupInput("Fleet"))
    with pytest.raises(UserInputError) as caught:
        user_groups.create_group(scope, GroupInput("FLEET"))
    assert caught.value.errors == {"name": "A group named 'FLEET' already exists"}
    user_groups.update_group(scope, first.id, GroupInput("Fleet", "ACME Ltd"))
    user_groups.create_group(partner_scope, GroupInput("Fleet"))


def test_a_name_sqlite_does_not_fold_is_refused_not_an_error(scope: Scope) -> None:
    # SQLite's lower() leaves "Á" as it is: the unique constraint, not the check, finds the
    # second one (schemathesis found the 500 it was).
    user_groups.create_group(scope, GroupInput("Á"))
    other = user_groups.create_group(scope, GroupInput("B"))
    with pytest.raises(UserInputError) as created:
        user_groups.create_group(scope, GroupInput("Á"))
    with pytest.raises(UserInputError) as renamed:
        user_groups.update_group(scope, other.id, GroupInput(" Á "))
    for refused in (created, renamed):
        assert refused.value.errors == {"name": "A group named 'Á' already exists"}
    assert user_groups.get_group(scope, other.id).name == "B"


def test_members_add_authorise_remove(scope: Scope) -> None:
    group = user_groups.create_group(scope, GroupInput("Fleet"))
    ann = drivers.create_driver(scope, drivers.DriverInput("Ann"))
    bob = drivers.create_driver(scope, drivers.DriverInput("Bob"))
    user_groups.add_member(scope, group.id, bob.id)
    user_groups.add_member(scope, group.id, ann.id, authorised=False)

    with pytest.raises(UserInputError) as caught:
        user_groups.add_member(scope, group.id, ann.id)
    assert caught.value.errors == {"driver": "Ann is already in Fleet"}
    with pytest.raises(UserInputError):
        user_groups.add_member(scope, group.id, 0)

    detail = user_groups.group_detail(scope, group.id)
    assert [(m.name, m.authorised) for m in detail.members] == [("Ann", False), ("Bob", True)]

    user_groups.set_member_authorised(scope, group.id, ann.id, True)
    user_groups.remove_member(scope, group.id, bob.id)
    detail = user_groups.group_detail(scope, group.id)
    assert [(m.name, m.authorised) for m in detail.members] == [("Ann", True)]
    with pytest.raises(NotFoundError):
        user_groups.remove_member(scope, group.id, bob.id)


def test_delete_refused_with_group_cards(scope: Scope) -> None:
    group = user_groups.create_group(scope, GroupInput("Fleet"))
    driver = drivers.create_driver(scope, drivers.DriverInput("Member"))
    user_groups.add_member(scope, group.id, driver.id)
    card = id_tags.issue_id_tag(scope, id_tags.IdTagInput("FLEET-1", group_id=group.id))
    assert [c.id_tag for c in user_groups.group_detail(scope, group.id).cards] == ["FLEET-1"]

    with pytest.raises(RefusedError, match="1 group card"):
        user_groups.delete_group(scope, group.id)

    id_tags.delete_id_tag(scope, card.id)
    assert user_groups.delete_group(scope, group.id) == "Fleet"
    with pytest.raises(NotFoundError):
        user_groups.get_group(scope, group.id)
    assert [g.name for g in drivers.driver_detail(scope, driver.id).groups] == []


def test_scope(scope: Scope, partner_scope: Scope) -> None:
    mine = user_groups.create_group(scope, GroupInput("Operator group"))
    theirs = user_groups.create_group(partner_scope, GroupInput("Partner group"))
    partner_driver = drivers.create_driver(partner_scope, drivers.DriverInput("P"))
    operator_driver = drivers.create_driver(scope, drivers.DriverInput("O"))

    for call in (
        lambda: user_groups.get_group(partner_scope, mine.id),
        lambda: user_groups.update_group(partner_scope, mine.id, GroupInput("x")),
        lambda: user_groups.delete_group(partner_scope, mine.id),
        lambda: user_groups.add_member(partner_scope, mine.id, partner_driver.id),
    ):
        with pytest.raises(NotFoundError):
            call()
    with pytest.raises(UserInputError):  # the operator's driver is not the partner's to add
        user_groups.add_member(partner_scope, theirs.id, operator_driver.id)
    user_groups.add_member(scope, theirs.id, partner_driver.id)  # the parent may

    assert [n for _, n in user_groups.group_choices(partner_scope)] == ["Partner group"]
    assert user_groups.count_groups(scope) == 2
    assert user_groups.count_groups(partner_scope) == 1


def test_list_counts_members_and_sorts(scope: Scope) -> None:
    big = user_groups.create_group(scope, GroupInput("Big"))
    user_groups.create_group(scope, GroupInput("Alone"))
    for name in ("A", "B"):
        driver = drivers.create_driver(scope, drivers.DriverInput(name))
        user_groups.add_member(scope, big.id, driver.id)

    page = fetch_page(
        user_groups.GROUP_LIST,
        ListQuery(sort="members", descending=True),
        scope.organisation_ids,
    )
    assert [(r["name"], r["members"]) for r in page.rows] == [("Big", 2), ("Alone", 0)]
    assert not {"price_minor", "currency"} & set(page.rows[0])
