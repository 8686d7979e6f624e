"""User groups service on a real database: group account and price, members, scope, list."""

from __future__ import annotations

import pytest

from ccms_app.core.listing import ListQuery, fetch_page
from ccms_app.drivers import driver_admin as drivers
from ccms_app.drivers import id_tags, user_groups
from ccms_app.drivers.common import NotFoundError, RefusedError, Scope, UserInputError
from ccms_app.drivers.user_groups import GroupInput
from tests.drivers.support import partner_scope, scope

__all__ = ["partner_scope", "scope"]


def test_create_a_group_with_a_price(scope: Scope) -> None:
    group = user_groups.create_group(
        scope, GroupInput("ACME fleet", "ACME Ltd", "billing@acme.example", "0.29", "eur")
    )
    assert (group.price_per_kwh_minor, group.currency, group.price_text) == (29, "EUR", "0.29")
    assert user_groups.get_group(scope, group.id) == group


@pytest.mark.parametrize(
    ("price", "currency", "minor"),
    [
        ("0.29", "EUR", 29),
        ("0,35", "EUR", 35),
        ("0.290", "EUR", 29),
        ("1", "EUR", 100),
        (".5", "GBP", 50),
        ("45", "JPY", 45),
        ("0.125", "KWD", 125),
        ("", "EUR", None),
    ],
)
def test_price_becomes_exact_minor_units(
    scope: Scope, price: str, currency: str, minor: int | None
) -> None:
    group = user_groups.create_group(scope, GroupInput("G", price_per_kwh=price, currency=currency))
    assert group.price_per_kwh_minor == minor


@pytest.mark.parametrize(
    ("price", "currency", "field", "message"),
    [
        ("0.295", "EUR", "price_per_kwh", "EUR amounts have at most 2 decimals"),
        ("4.5", "JPY", "price_per_kwh", "JPY amounts have no decimals"),
        ("-0.29", "EUR", "price_per_kwh", "is not an amount"),
        ("1,000.00", "EUR", "price_per_kwh", "is not an amount"),
        ("0.29", "EURO", "currency", "3 letters"),
        ("0.29", "ABC", "currency", "ABC is not an ISO 4217 currency code"),
        ("9999999999", "EUR", "price_per_kwh", "too large"),
    ],
)
def test_price_and_currency_errors(
    scope: Scope, price: str, currency: str, field: str, message: str
) -> None:
    with pytest.raises(UserInputError) as caught:
        user_groups.create_group(scope, GroupInput("G", price_per_kwh=price, currency=currency))
    assert set(caught.value.errors) == {field}
    assert message in caught.value.errors[field]


def test_every_field_error_at_once(scope: Scope) -> None:
    with pytest.raises(UserInputError) as caught:
        user_groups.create_group(scope, GroupInput(" ", "a" * 201, "nope", "0.001", "EUR"))
    assert set(caught.value.errors) == {"name", "account_name", "billing_email", "price_per_kwh"}


def test_names_are_unique_per_organisation(scope: Scope, partner_scope: Scope) -> None:
    first = user_groups.create_group(scope, GroupInput("Fleet"))
    with pytest.raises(UserInputError) as caught:
        user_groups.create_group(scope, GroupInput("FLEET"))
    assert caught.value.errors == {"name": "A group named 'FLEET' already exists"}
    user_groups.update_group(scope, first.id, GroupInput("Fleet", price_per_kwh="0.30"))
    user_groups.create_group(partner_scope, GroupInput("Fleet"))


def test_edit_keeps_price_in_the_new_currency(scope: Scope) -> None:
    group = user_groups.create_group(scope, GroupInput("G", price_per_kwh="0.29"))
    edited = user_groups.update_group(scope, group.id, GroupInput("G", "", "", "40", "JPY"))
    assert (edited.price_per_kwh_minor, edited.currency, edited.price_text) == (40, "JPY", "40")
    cleared = user_groups.update_group(scope, group.id, GroupInput("G", currency="JPY"))
    assert cleared.price_per_kwh_minor is None and cleared.price_text == ""


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
    assert [g for g, _ in drivers.driver_detail(scope, driver.id).groups] == []


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
    big = user_groups.create_group(scope, GroupInput("Big", price_per_kwh="0.25"))
    user_groups.create_group(scope, GroupInput("Alone"))
    for name in ("A", "B"):
        driver = drivers.create_driver(scope, drivers.DriverInput(name))
        user_groups.add_member(scope, big.id, driver.id)

    page = fetch_page(
        user_groups.GROUP_LIST,
        ListQuery(sort="members", descending=True),
        scope.organisation_ids,
    )
    assert [(r["name"], r["members"], r["price_minor"]) for r in page.rows] == [
        ("Big", 2, 25),
        ("Alone", 0, None),
    ]
