"""Revenue-share agreements on a real migrated database: the operator above a partner makes
and changes them with every wrong field named; overlaps, another currency, a station of
someone else and a partner's own login are refused; the lists are scoped."""

from __future__ import annotations

from dataclasses import replace

import pytest
from sqlmodel import Session, select

from ccms_app.core import listing
from ccms_app.core.listing import ListQuery
from ccms_app.finance.errors import FinanceError, FinanceNotFound
from ccms_app.finance.models import BillingProfile
from ccms_app.finance.partners.agreements import (
    AGREEMENT_LIST,
    AgreementInput,
    PartnerRefused,
    agreement_input,
    create_agreement,
    edits_agreements,
    get_agreement,
    partner_choices,
    shown_agreement,
    station_choices,
    update_agreement,
)
from ccms_app.finance.partners.models import RevenueShareAgreement
from tests.finance.partners.support import NORD, SUED, ZONE, Network, agree, charge, utc

JAN = utc(2025, 12, 31, 23)  # 1 January 2026 00:00 CET


def test_an_agreement_is_stored_as_typed(network: Network, session: Session) -> None:
    row = agree(network, "Standard", "12,5", "0.30", "25", JAN, utc(2026, 6, 30, 22))
    stored = session.exec(select(RevenueShareAgreement)).one()
    assert stored.id == row.id
    assert (stored.organisation_id, stored.partner_organisation_id) == (
        network.operator_id,
        network.sued_id,
    )
    assert (stored.operator_percent, stored.fee_per_session_minor) == ("12.5", 30)
    assert (stored.platform_fee_minor, stored.currency, stored.station_id) == (2500, "EUR", None)
    assert stored.created_by == "ops@netz.example"
    shown = shown_agreement(listing.fetch_one(AGREEMENT_LIST, row.id, network.scope) or {}, ZONE)
    assert shown["valid_from"] == "2026-01-01 to 2026-06-30"
    assert (shown["partner"], shown["station"], shown["operator_percent"]) == (
        SUED,
        "All stations",
        "12.5 %",
    )
    assert (shown["fee_per_session_minor"], shown["platform_fee_minor"]) == ("€0.30", "€25.00")


def test_every_wrong_field_is_named_at_once(network: Network, session: Session) -> None:
    data = AgreementInput(
        partner_organisation_id=network.sued_id,
        station_id=network.hafen_id,  # Nord's station, not Süd's
        name="",
        operator_percent="150",
        fee_per_session="0.001",
        platform_fee="-5",
        currency="EUR",
        valid_from=None,
    )
    with pytest.raises(FinanceError) as refused:
        create_agreement(network.operator_id, network.scope, data, "ops")
    assert set(refused.value.errors) == {
        "station_id",
        "name",
        "operator_percent",
        "fee_per_session",
        "platform_fee",
        "valid_from",
    }
    assert session.exec(select(RevenueShareAgreement)).all() == []


def test_an_end_before_the_start_is_refused(network: Network) -> None:
    with pytest.raises(FinanceError) as refused:
        agree(network, "Backwards", "10", "0", "0", utc(2026, 3, 1), utc(2026, 2, 1))
    assert set(refused.value.errors) == {"valid_until"}


def test_overlaps_for_the_same_partner_and_stations_are_refused(network: Network) -> None:
    agree(network, "Standard", "10", "0", "0", JAN, utc(2026, 3, 31, 22))
    with pytest.raises(FinanceError) as refused:
        agree(network, "Second", "12", "0", "0", utc(2026, 3, 15))
    assert "Standard" in refused.value.errors["valid_from"]
    # the day after it ends, a station's own deal and another partner are all fine
    agree(network, "From April", "12", "0", "0", utc(2026, 3, 31, 22))
    agree(network, "Bahnhof", "15", "0", "0", JAN, station_id=network.bahnhof_id)
    agree(network, "Nord", "10", "0", "0", JAN, partner_id=network.nord_id)
    with pytest.raises(FinanceError) as again:
        agree(network, "Bahnhof 2", "15", "0", "0", utc(2026, 5, 1), station_id=network.bahnhof_id)
    assert "Bahnhof" in again.value.errors["valid_from"]


def test_the_currency_must_be_the_partners_sessions(network: Network, session: Session) -> None:
    with pytest.raises(FinanceError) as refused:
        agree(network, "Dollars", "10", "0", "0", JAN, currency="USD")
    assert "EUR" in refused.value.errors["currency"]  # the operator's settings' currency
    charge(network.sued_id, network.cp_markt, utc(2026, 2, 1), (100, 0, 100), currency="CHF")
    with pytest.raises(FinanceError) as priced:
        agree(network, "Euros", "10", "0", "0", JAN)
    assert "priced in CHF" in priced.value.errors["currency"]
    agree(network, "Francs", "10", "0.50", "0", JAN, currency="CHF")


def test_a_partners_own_login_cannot_make_or_change_agreements(network: Network) -> None:
    row = agree(network, "Standard", "10", "0", "0", JAN)
    own = frozenset({network.sued_id})
    data = agreement_input(row)
    with pytest.raises(PartnerRefused):
        create_agreement(network.sued_id, own, replace(data, name="Mine"), "partner")
    with pytest.raises(PartnerRefused):
        update_agreement(
            network.sued_id, own, row.id or 0, replace(data, operator_percent="0"), "p"
        )
    assert not edits_agreements(network.sued_id) and edits_agreements(network.operator_id)
    # ... but sees its own agreements, read-only, and nobody else's
    assert get_agreement(row.id or 0, own).name == "Standard"
    with pytest.raises(FinanceNotFound):
        get_agreement(row.id or 0, frozenset({network.nord_id}))
    page = listing.fetch_page(AGREEMENT_LIST, ListQuery(), own)
    assert [r["name"] for r in page.rows] == ["Standard"]
    assert listing.fetch_page(AGREEMENT_LIST, ListQuery(), {network.nord_id}).total == 0


def test_only_sub_operators_are_partners(network: Network) -> None:
    data = AgreementInput(network.operator_id, None, "Self", "10", "0", "0", "EUR", JAN)
    with pytest.raises(FinanceError) as refused:
        create_agreement(network.operator_id, network.scope, data, "ops")
    assert set(refused.value.errors) == {"partner_organisation_id"}
    stranger = replace(data, partner_organisation_id=987654)
    with pytest.raises(FinanceError):
        create_agreement(network.operator_id, network.scope, stranger, "ops")
    assert [name for _, name in partner_choices(network.scope)] == [NORD, SUED]
    assert [name for _, name in station_choices(network.sued_id, network.scope)] == [
        "Bahnhof",
        "Marktplatz",
    ]
    assert station_choices(network.sued_id, frozenset({network.nord_id})) == []


def test_a_change_keeps_the_partner_and_checks_again(network: Network, session: Session) -> None:
    row = agree(network, "Standard", "10", "0.50", "20", JAN)
    data = agreement_input(row)
    assert (data.fee_per_session, data.platform_fee) == ("0.50", "20.00")
    changed = update_agreement(
        network.operator_id, network.scope, row.id or 0, replace(data, operator_percent="11"), "o"
    )
    assert changed.operator_percent == "11"
    with pytest.raises(FinanceError) as moved:
        update_agreement(
            network.operator_id,
            network.scope,
            row.id or 0,
            replace(data, partner_organisation_id=network.nord_id),
            "o",
        )
    assert set(moved.value.errors) == {"partner_organisation_id"}
    with pytest.raises(FinanceNotFound):
        update_agreement(network.operator_id, network.scope, 987654, data, "o")


def test_a_partner_without_sessions_takes_its_own_settings_currency(
    network: Network, session: Session
) -> None:
    session.add(BillingProfile(organisation_id=network.nord_id, currency="DKK"))
    session.commit()
    with pytest.raises(FinanceError):
        agree(network, "Nord", "10", "0", "0", JAN, partner_id=network.nord_id)
    agree(network, "Nord", "10", "0", "0", JAN, partner_id=network.nord_id, currency="DKK")
