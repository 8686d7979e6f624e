"""Membership plans (finance.memberships.plans) on a real migrated database: what a plan
holds, every wrong field named at once, names unique per organisation, deactivation, scope."""

from __future__ import annotations

from decimal import Decimal

import pytest

from ccms_app.finance import tariffs
from ccms_app.finance.errors import FinanceError, FinanceNotFound
from ccms_app.finance.memberships import plans
from tests.finance.memberships.support import ACTOR, Club, plan


def test_a_plan_keeps_what_was_typed_in_the_organisations_currency(club: Club) -> None:
    made = plan(
        club,
        "Gold",
        description="For regulars",
        monthly_fee="9,90",
        fee_collection="wallet",
        discount_percent="12.5",
        member_tariff_id=str(club.member_tariff),
        included_kwh="50.5",
    )
    assert (made.monthly_fee_minor, made.currency, made.fee_text) == (990, "EUR", "9.90 EUR")
    assert made.discount_percent == Decimal("12.5") and made.included_wh == 50_500
    assert (made.member_tariff_id, made.member_tariff_name) == (club.member_tariff, "Members")
    assert made.active and made.members == 0
    assert plans.plan_form(made)["included_kwh"] == "50.5"
    assert plans.plan_form(made)["monthly_fee"] == "9.90"
    assert plans.get_plan(club.scope, made.id) == made
    assert plans.plan_choices(club.scope) == [(made.id, "Gold · 9.90 EUR / month")]


def test_every_wrong_field_is_named_at_once(club: Club) -> None:
    with pytest.raises(FinanceError) as caught:
        plans.create_plan(
            club.scope,
            club.org,
            {
                "name": " ",
                "monthly_fee": "-1",
                "fee_collection": "cash",
                "discount_percent": "120",
                "member_tariff_id": "999999",
                "included_kwh": "lots",
            },
            ACTOR,
        )
    assert set(caught.value.errors) == {
        "name",
        "monthly_fee",
        "fee_collection",
        "discount_percent",
        "member_tariff_id",
        "included_kwh",
    }
    assert "between 0 and 100" in caught.value.errors["discount_percent"]


def test_a_plan_needs_a_benefit_and_a_card_plan_a_fee(club: Club) -> None:
    with pytest.raises(FinanceError) as caught:
        plan(club, "Nothing", monthly_fee="5", fee_collection="wallet")
    assert set(caught.value.errors) == {"benefits"}
    with pytest.raises(FinanceError) as free_card:
        plan(club, "Free card", monthly_fee="0", fee_collection="stripe", included_kwh="10")
    assert set(free_card.value.errors) == {"monthly_fee"}
    free_wallet = plan(club, "Free", monthly_fee="0", fee_collection="wallet", included_kwh="10")
    assert free_wallet.monthly_fee_minor == 0


def test_names_are_unique_per_organisation_whatever_the_case(club: Club) -> None:
    first = plan(club, "Gold")
    with pytest.raises(FinanceError) as caught:
        plan(club, "gold")
    assert "exists already" in caught.value.errors["name"]
    renamed = plans.update_plan(club.scope, first.id, plans.plan_form(first) | {"name": "Gold"})
    assert renamed.name == "Gold"  # its own name is no clash


def test_an_archived_or_foreign_tariff_is_refused(club: Club) -> None:
    tariffs.archive_tariff(club.scope, club.member_tariff)
    with pytest.raises(FinanceError) as archived:
        plan(club, "Gold", member_tariff_id=str(club.member_tariff))
    assert "archived" in archived.value.errors["member_tariff_id"]
    assert (club.member_tariff, "Members") not in plans.tariff_choices(club.scope)


def test_deactivated_plans_stay_listed_but_are_not_offered(club: Club) -> None:
    made = plan(club, "Gold")
    off = plans.set_plan_active(club.scope, made.id, False)
    assert not off.active and plans.plan_choices(club.scope) == []
    edited = plans.update_plan(club.scope, made.id, plans.plan_form(off) | {"active": "true"})
    assert edited.active


def test_plans_of_other_organisations_do_not_exist_for_the_caller(club: Club) -> None:
    made = plan(club, "Gold")
    other = frozenset({club.other_org})
    with pytest.raises(FinanceNotFound):
        plans.get_plan(other, made.id)
    with pytest.raises(FinanceNotFound):
        plans.update_plan(other, made.id, plans.plan_form(made))
    with pytest.raises(FinanceError) as caught:
        plans.create_plan(club.scope, club.other_org, {"name": "X"}, ACTOR)
    assert set(caught.value.errors) == {"organisation_id"}
