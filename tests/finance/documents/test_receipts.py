"""Receipts per session: contents from the SessionCost, one per session, final costs only."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from sqlmodel import Session, select

from ccms_app.core import db
from ccms_app.finance.documents.content import load
from ccms_app.finance.documents.errors import DocumentNotFoundError, NotBillableError
from ccms_app.finance.documents.receipts import issue_receipt
from ccms_app.finance.models import BillingDocument, BillingProfile, CostState
from tests.finance.documents.support import DRIVER, GROUP_ACCOUNT, SELLER, World, charge

STOP = datetime(2026, 2, 10, 10, 0, tzinfo=UTC)
ISSUED = datetime(2026, 2, 10, 10, 5, tzinfo=UTC)


def test_a_receipt_says_what_the_session_cost(world: World) -> None:
    session_id = charge(world, "CARD-ZOE", STOP, note="meterStop used: no meter values")
    receipt = issue_receipt(session_id, ISSUED)

    assert (receipt.kind, receipt.number, receipt.sequence_no) == ("receipt", "R-000001", 1)
    assert (receipt.total_excl_minor, receipt.vat_minor, receipt.total_incl_minor) == (
        700,
        133,
        833,
    )
    assert (receipt.driver_id, receipt.user_group_id) == (world.driver_id, None)
    assert (receipt.buyer_name, receipt.buyer_email) == (DRIVER, "zoe@example.com")
    assert receipt.session_id == session_id and receipt.organisation_id == world.organisation_id
    content = load(receipt.content)
    assert content["seller"]["name"] == SELLER
    assert content["seller"]["vat_id"] == "PL1234567890"
    assert content["issued_local"] == "2026-02-10"
    # Lines per price component: the two energy lines are one, each rounded once.
    assert [
        (line["description"], line["quantity"], line["unit"], line["unit_price"], line["vat"])
        for line in content["lines"]
    ] == [
        ("Start (fee per session)", "1", "session", "1", "19"),
        ("Energy", "10", "kWh", "0.3", "19"),
        ("Idle (parking time)", "0.5", "h", "6", "19"),
    ]
    assert [line["amount_minor"] for line in content["lines"]] == [100, 300, 300]
    assert content["vat"] == [{"rate": "19", "base_minor": 700, "vat_minor": 133}]
    assert content["totals"] == {"excl_minor": 700, "vat_minor": 133, "incl_minor": 833}
    # The session in the station's zone (Berlin, UTC+1 in February).
    assert content["session"] == {
        "station": "Müller Platz",
        "charge_point": "CP-1",
        "connector": "1",
        "id_tag": "CARD-ZOE",
        "start": "2026-02-10 10:00 CET",
        "stop": "2026-02-10 11:00 CET",
        "time_zone": "Europe/Berlin",
        "energy_kwh": "10",
    }
    assert content["notes"] == ["meterStop used: no meter values"]


def test_issuing_again_returns_the_same_receipt(world: World, session: Session) -> None:
    session_id = charge(world, "CARD-ZOE", STOP)
    first = issue_receipt(session_id, ISSUED)
    again = issue_receipt(session_id)
    assert again.id == first.id and again.number == "R-000001"
    assert len(session.exec(select(BillingDocument)).all()) == 1
    second_session = charge(world, "CARD-ZOE", STOP)
    assert issue_receipt(second_session).number == "R-000002"


@pytest.mark.parametrize(
    ("state", "why"),
    [
        (CostState.REVIEW, "held for review"),
        (CostState.RUNNING, "still running"),
        (CostState.UNPRICED, "no tariff applied"),
    ],
)
def test_only_a_final_cost_gets_a_receipt(
    world: World, session: Session, state: str, why: str
) -> None:
    session_id = charge(world, "CARD-ZOE", STOP, state=state)
    with pytest.raises(NotBillableError, match=why):
        issue_receipt(session_id)
    assert session.exec(select(BillingDocument)).all() == []


def test_an_unknown_or_unpriced_session_is_refused(world: World) -> None:
    with pytest.raises(DocumentNotFoundError):
        issue_receipt(999_999)


def test_a_group_card_is_billed_to_the_group_account(world: World) -> None:
    receipt = issue_receipt(charge(world, "CARD-JAN-FLEET", STOP))
    assert (receipt.buyer_name, receipt.user_group_id, receipt.driver_id) == (
        GROUP_ACCOUNT,
        world.group_id,
        None,
    )
    assert "card CARD-JAN-FLEET" in load(receipt.content)["buyer"]["reference"]


def test_a_card_without_account_gets_a_receipt_naming_the_card(world: World) -> None:
    receipt = issue_receipt(charge(world, "card-nobody", STOP))
    assert receipt.buyer_name == "Card card-nobody" and receipt.buyer_email == ""


def test_a_minimum_price_shows_as_an_adjustment_line(world: World) -> None:
    receipt = issue_receipt(charge(world, "CARD-ZOE", STOP, totals=(1000, 190, 1190)))
    content = load(receipt.content)
    adjustment = content["lines"][-1]
    assert adjustment["description"].startswith("Adjustment")
    assert (adjustment["amount_minor"], adjustment["vat"]) == (300, "19")
    assert sum(line["amount_minor"] for line in content["lines"]) == 1000
    assert content["vat"] == [{"rate": "19", "base_minor": 1000, "vat_minor": 133}]


def test_a_cost_without_breakdown_is_one_line(world: World) -> None:
    receipt = issue_receipt(charge(world, "CARD-ZOE", STOP, breakdown={}))
    content = load(receipt.content)
    assert [(line["description"], line["amount_minor"]) for line in content["lines"]] == [
        ("Charging session", 700)
    ]
    assert content["vat"] == [{"rate": None, "base_minor": 700, "vat_minor": 133}]


def test_without_a_billing_profile_the_organisation_sells(world: World) -> None:
    with db.session_scope() as s:
        profile = s.get(BillingProfile, world.organisation_id)
        s.delete(profile)
    receipt = issue_receipt(charge(world, "CARD-ZOE", STOP))
    content = load(receipt.content)
    assert content["seller"]["name"] == "Operator Ltd"
    assert content["time_zone"] == "UTC"
