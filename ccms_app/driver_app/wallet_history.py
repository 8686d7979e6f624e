"""The driver's recharge history: their top-ups (state and amounts) and every movement of
their wallet (top-ups, bonus, charging sessions, vouchers, refunds, membership fees), newest
first, with the balance after each. Read through finance's own lists, filtered to the
driver as holder; times in the driver's organisation's billing zone."""

from __future__ import annotations

from dataclasses import dataclass

from ccms_app.core.db import read_session
from ccms_app.core.display import format_time
from ccms_app.core.i18n import tr
from ccms_app.core.listing import ListQuery, fetch_page
from ccms_app.core.money import format_money
from ccms_app.core.types import utc_now
from ccms_app.driver_app.driver_accounts import DriverPrincipal
from ccms_app.driver_app.rules import wallet as rules
from ccms_app.driver_app.wallet import DRIVER, scope_of
from ccms_app.finance.payments.listing import TOP_UP_LIST
from ccms_app.finance.wallets.holders import organisation_currency, organisation_zone
from ccms_app.finance.wallets.wallet_view import KIND_LABELS, ledger_page, reason_text

SHOWN = 20  # the latest rows of each list: a phone page, not an archive


@dataclass(frozen=True)
class TopUpRow:
    id: int
    when: str
    paid: str  # what was paid through Stripe
    bonus: str  # a package's bonus; "" without
    state: str  # "paid", "not paid yet" ... in the reader's language
    state_key: str


@dataclass(frozen=True)
class Movement:
    id: int
    when: str
    kind: str  # "top-up", "session charge" ... in the reader's language
    what: str  # the reason ("charging session 12"), as the reader reads it
    amount: str  # signed: "+€20.00", "-€3.10"
    balance_after: str


def _zone_and_currency(driver: DriverPrincipal) -> tuple[str, str]:
    with read_session() as db:
        return (
            organisation_zone(db, driver.organisation_id),
            organisation_currency(db, driver.organisation_id),
        )


def top_up_rows(driver: DriverPrincipal) -> list[TopUpRow]:
    query = ListQuery(
        filters={"holder_kind": DRIVER, "holder_id": driver.driver_id},
        sort="created_at",
        descending=True,
        page_size=SHOWN,
    )
    page = fetch_page(TOP_UP_LIST, query, scope_of(driver))
    (zone, _currency), now = _zone_and_currency(driver), utc_now()
    rows = []
    for row in page.rows:
        currency, state = str(row["currency"]), str(row["state"])
        bonus = int(row["bonus_minor"] or 0)
        label = rules.STATE_LABELS.get(state)
        rows.append(
            TopUpRow(
                id=int(row["id"]),
                when=format_time(row["created_at"], zone, now),
                paid=format_money(int(row["pay_minor"]), currency),
                bonus=format_money(bonus, currency) if bonus else "",
                state=tr(label) if label else state,
                state_key=state,
            )
        )
    return rows


def _signed(minor: int, currency: str) -> str:
    return ("+" if minor > 0 else "") + format_money(minor, currency)


def movements(driver: DriverPrincipal) -> list[Movement]:
    page = ledger_page(DRIVER, driver.driver_id, scope_of(driver), page=1, page_size=SHOWN)
    if not page.lines:
        return []
    (zone, currency), now = _zone_and_currency(driver), utc_now()
    return [
        Movement(
            id=line.transaction_id,
            when=format_time(line.created_at, zone, now),
            kind=tr(KIND_LABELS[line.kind]) if line.kind in KIND_LABELS else line.kind,
            what=reason_text(line.kind, line.reason),
            amount=_signed(line.amount_minor, currency),
            balance_after=format_money(line.balance_after_minor, currency),
        )
        for line in page.lines
    ]
