"""Text the server builds for Finance -> Vouchers, Memberships, Top-ups, Wallets and
Settlements comes out in the reader's language (the catalog's words, numbers and dates as
the language writes them); English stays exactly as it was."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest

from ccms_app.core.display import format_date
from ccms_app.core.i18n import catalog, reading_as
from ccms_app.core.money import format_money
from ccms_app.finance.memberships import listing as membership_listing
from ccms_app.finance.memberships.enrolment import MembershipView
from ccms_app.finance.partners.settlement_files import due_label
from ccms_app.finance.payments.models import TopUpPackage
from ccms_app.finance.state.memberships import badge_text
from ccms_app.finance.state.top_ups import _package_label
from ccms_app.finance.wallets.voucher_listing import shown_voucher
from ccms_app.finance.wallets.wallet_view import reason_text

NOW = datetime(2026, 3, 20, 12, 0, tzinfo=UTC)
VOUCHER = {
    "id": 4,
    "code": "SPRING-25",
    "kind": "percent",
    "percent": "15",
    "currency": "EUR",
    "redemption_count": 3,
    "max_redemptions": None,
    "active": True,
    "valid_from": None,
    "valid_until": datetime(2026, 3, 1, 0, 0, tzinfo=UTC),
}
PLAN = {
    "id": 1,
    "name": "Gold",
    "discount_percent": "12.5",
    "member_tariff": "Members",
    "included_wh": 50_000,
    "active": True,
}
MEMBER = MembershipView(
    id=1,
    organisation_id=1,
    plan_id=1,
    plan_name="Gold",
    holder_kind="driver",
    holder_id=7,
    holder_name="Mia",
    status="active",
    fee_collection="wallet",
    started_at=datetime(2026, 2, 14, 10, 0, tzinfo=UTC),
    current_period_start=datetime(2026, 3, 14, 10, 0, tzinfo=UTC),
    current_period_end=datetime(2026, 4, 14, 10, 0, tzinfo=UTC),
    cancelled_at=None,
    stripe_subscription_id="",
    included_wh=50_000,
)
PACKAGE = TopUpPackage(id=2, organisation_id=1, name="Big", pay_minor=5000, credit_minor=5500)


def test_english_is_as_before() -> None:
    row = shown_voucher(VOUCHER, "UTC", NOW)
    assert (row["gives"], row["used"]) == ("15 % off the next session", "3 / unlimited")
    assert row["validity"] == "expired 2026-03-01 00:00 UTC"
    plan = membership_listing.shown_plan(PLAN)
    assert plan["benefits"] == "12.5 % off, tariff Members, 50 kWh included"
    assert badge_text(MEMBER, "UTC") == ("Gold", "active", "active, renews 2026-04-14")
    assert _package_label(PACKAGE) == "Big: pay €50.00, get €55.00"
    fee = "Membership Gold, period from 2026-03-14"
    assert reason_text("membership_fee", fee) == fee
    assert reason_text("adjustment", "voucher typed by hand") == "voucher typed by hand"
    assert due_label(-1) == "Amount the partner owes"


@pytest.mark.parametrize("language", ["de", "zh_Hans"])
def test_the_server_words_are_the_readers(language: str) -> None:
    words = catalog(language)
    with reading_as(language):
        row = shown_voucher(VOUCHER, "UTC", NOW)
        plan = membership_listing.shown_plan(PLAN)
        badge = badge_text(MEMBER, "UTC")
        package = _package_label(PACKAGE)
        fee = reason_text("membership_fee", "Membership Gold, period from 2026-03-14")
        day = format_date(date(2026, 3, 14), "%Y-%m-%d", "yMd")
        pay, credit = format_money(5000, "EUR"), format_money(5500, "EUR")
        owes = due_label(-1)

    assert row["gives"] == words["{percent} % off the next session"].format(percent="15")
    assert row["used"] == words["{count} / unlimited"].format(count=3)
    assert row["validity"] == words["expired {when}"].format(when="2026-03-01 00:00 UTC")
    percent = "12,5" if language == "de" else "12.5"  # the number as the language writes it
    assert plan["benefits"] == ", ".join(
        (
            words["{percent} % off"].format(percent=percent),
            words["tariff {tariff}"].format(tariff="Members"),
            words["{kwh} kWh included"].format(kwh="50"),
        )
    )
    status = words["{status}, renews {day}"].format(status=words["active"], day="2026-04-14")
    assert badge == ("Gold", "active", status)
    assert package == words["{name}: pay {pay}, get {credit}"].format(
        name="Big", pay=pay, credit=credit
    )
    assert fee == words["Membership {plan}, period from {day}"].format(plan="Gold", day=day)
    assert day != "2026-03-14"
    assert owes == words["Amount the partner owes"]
