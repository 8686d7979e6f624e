"""Text the finance pages build on the server, in the reader's language: the history's status
and cost lines, the overview's days and chart series, why a tariff applies, a tariff row in
words, the reconciliation and pricing notes stored in English, the documents' e-mail column,
the billing settings' messages. Each in German and Chinese from the catalogs, English as
before."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest
from babel.dates import format_skeleton

from ccms_app.core.i18n import DEFAULT, branded, catalog, reading_as
from ccms_app.finance.documents.listing import shown_document
from ccms_app.finance.history.detail import line_view
from ccms_app.finance.history.rows import status_text
from ccms_app.finance.revenue import Amounts, RevenueSeries
from ccms_app.finance.rules import payments, pricing_policy
from ccms_app.finance.rules.billing_profile import BillingProfileError, check_profile
from ccms_app.finance.rules.fee_rows_read import describe_row
from ccms_app.finance.rules.revenue import PeriodKind, buckets
from ccms_app.finance.state.overview import revenue_figure
from ccms_app.finance.tariff_assignments import NO_PRICES, PASSED_OVER, reason_text

LANGUAGES = ("de", "zh_Hans")
FLAT_LINE = {"dimension": "FLAT", "fee": "start,service", "quantity": "1", "unit_price": "0.5"}
REASON = (
    "assigned to station Depot; passed over: Future (assigned to driver Ada) has no prices "
    "yet at that time"
)


def test_english_is_as_before() -> None:
    assert status_text("completed", "final") == "completed · priced"
    line = line_view(FLAT_LINE, "EUR", "UTC")
    assert (line.fee, line.quantity, line.unit_price) == (
        "start,service",
        "1 session",
        "0.50 EUR/session",
    )
    day = buckets(PeriodKind.DAYS, datetime(2026, 3, 29, 12, tzinfo=UTC), "UTC")[-1]
    assert day.label == "Sun 29 Mar"
    assert reason_text(REASON) == REASON
    assert describe_row({"fee": "energy", "days": "MONDAY", "min_kwh": "20"}) == "Mon · from 20 kWh"
    assert pricing_policy.note_text("") == ""


@pytest.mark.parametrize("language", LANGUAGES)
def test_history_status_and_cost_lines(language: str) -> None:
    words = catalog(language)
    with reading_as(language):
        status = status_text("completed", "final")
        line = line_view(FLAT_LINE, "EUR", "UTC")
    assert status == f"{words['completed']} · {words['priced']}"
    assert line.fee == f"{words['start']},{words['service']}"
    assert line.quantity == words["{quantity} session"].format(quantity="1")
    decimal = "," if language == "de" else "."
    price = words["{price} {currency}/session"].format(price=f"0{decimal}50", currency="EUR")
    assert line.unit_price == price


@pytest.mark.parametrize("language", LANGUAGES)
def test_overview_days_and_chart_series(language: str) -> None:
    words = catalog(language)
    with reading_as(language):
        within = buckets(PeriodKind.DAYS, datetime(2026, 3, 29, 12, tzinfo=UTC), "UTC")
        months = buckets(PeriodKind.MONTHS, datetime(2026, 3, 29, 12, tzinfo=UTC), "UTC")
        series = RevenueSeries("EUR", tuple(Amounts() for _ in within), Amounts())
        figure = revenue_figure(within, series, PeriodKind.DAYS)
    assert within[-1].label == format_skeleton("MMMEd", date(2026, 3, 29), locale=language)
    assert months[-1].label == format_skeleton("yMMM", date(2026, 3, 1), locale=language)
    assert within[-1].key == "2026-03-29"  # keys stay for machines
    names = [trace.name for trace in figure.data]
    assert names == [words["Charging incl. VAT"], words["Top-ups"], words["Membership fees"]]


@pytest.mark.parametrize("language", LANGUAGES)
def test_why_a_tariff_applies_and_a_row_in_words(language: str) -> None:
    words = catalog(language)
    with reading_as(language):
        reason = reason_text(REASON)
        row = describe_row({"fee": "energy", "days": "MONDAY", "min_kwh": "20"})
    skipped = words[NO_PRICES].format(
        tariff="Future", why=words["assigned to driver {name}"].format(name="Ada")
    )
    why = words["assigned to station {name}"].format(name="Depot")
    assert reason == words[PASSED_OVER].format(why=why, skipped=skipped)
    assert row == f"{words['Mon']} · {words['from {value}'].format(value='20 kWh')}"


@pytest.mark.parametrize("language", LANGUAGES)
def test_notes_stored_in_english_are_shown_in_the_readers_language(language: str) -> None:
    words = catalog(language)
    stored = payments.mismatch_note(
        status="authorized",
        amount_minor=1000,
        captured_minor=0,
        stripe_status="requires_capture",
        stripe_amount_minor=1200,
        currency="EUR",
    )
    assert stored == "Stripe holds 12.00, CCMS asked for 10.00"  # stored as before
    note = "meterStop 10 Wh is below meterStart 20 Wh; released by ops@example.com"
    with reading_as(language):
        mismatch = payments.mismatch_text(stored)
        released = pricing_policy.note_text(note)
    held = words[payments.STRIPE_HOLDS].format(held="12.00", asked="10.00")
    assert mismatch == branded(held)
    below = words[pricing_policy.BELOW_START].format(stop="10", start="20")
    assert released == words[pricing_policy.RELEASED].format(note=below, actor="ops@example.com")


@pytest.mark.parametrize("language", (DEFAULT, *LANGUAGES))
def test_documents_email_column_and_billing_settings_messages(language: str) -> None:
    words = catalog(language)
    sent_at = datetime(2026, 2, 1, 9, 30, tzinfo=UTC)
    row = {"id": 1, "kind": "receipt", "emailed_at": sent_at, "buyer_email": "a@b.example"}
    with reading_as(language):
        email = shown_document(row, "UTC")["email"]
        not_sent = shown_document({"id": 2, "kind": "receipt"}, "UTC")["email"]
        with pytest.raises(BillingProfileError) as refused:
            check_profile({"currency": "EUR", "rounding": "half_up", "seller_name": "x" * 201})
    message = "{label} has at most {limit} characters"
    if language == DEFAULT:
        assert (email, not_sent) == ("sent 2026-02-01 09:30 UTC", "not sent")
        assert refused.value.errors["seller_name"] == "The seller name has at most 200 characters"
        return
    assert email == words["sent {time}"].format(time="2026-02-01 09:30 UTC")
    assert not_sent == words["not sent"]
    label = words["The seller name"]
    assert refused.value.errors["seller_name"] == words[message].format(label=label, limit=200)


def test_a_stored_note_of_another_wording_is_shown_as_stored() -> None:
    cut = REASON[:40]  # a reason cut at the stored length fits no message
    with reading_as("de"):
        assert payments.mismatch_text("Stripe said something new") == "Stripe said something new"
        assert reason_text(cut) == cut
