"""A driver's charging history: their sessions newest first, page by page, and one session
with its cost as finance computed it.

The sessions are those started with one of the driver's id tags (`charging_scope`: the app
tag and their cards, compared case-insensitively), read through finance's history list
(`finance.history.spec.HISTORY_LIST`, narrowed to those tags) so the columns, the cost and
the payment method are the operator's own. Pages are keyset pages (no row skipped or
repeated when a session starts meanwhile). The cost is worded honestly when it is not final
(`rules.history`); how it was paid comes from the session's payment record; the receipt link
appears when the session has a receipt issued to this driver that no credit note cancelled.
A session of anyone else is not found, the same answer as one that does not exist.
"""

from __future__ import annotations

from collections.abc import Collection, Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlmodel import Session, col, func, select

from ccms_app.charging.models import ChargingSession
from ccms_app.core import listing
from ccms_app.core.db import read_session
from ccms_app.core.display import format_time
from ccms_app.core.i18n import tr
from ccms_app.core.listing import Keyset, ListQuery, ListSpec
from ccms_app.core.types import utc_now
from ccms_app.driver_app.charging_scope import driver_tags, started_with
from ccms_app.driver_app.driver_accounts import DriverPrincipal
from ccms_app.driver_app.errors import DriverAppNotFound
from ccms_app.driver_app.rules import history as rules
from ccms_app.driver_app.rules.paths import receipt_path
from ccms_app.finance.history.detail import CostLineView, cost_view
from ccms_app.finance.history.queries import Period, narrowed
from ccms_app.finance.history.rows import duration_text, kwh_text, money_text
from ccms_app.finance.history.spec import HISTORY_LIST
from ccms_app.finance.models import BillingDocument, DocumentKind, SessionCost, Tariff
from ccms_app.finance.payments.models import SessionPayment


@dataclass(frozen=True)
class HistoryItem:
    """One session as the list shows it (texts in the driver's language)."""

    session_id: int
    station: str
    charge_point: str
    connector: str
    started: str
    duration: str
    energy: str  # "12.35 kWh"
    amount: str  # "" when the cost is not shown (being priced, not billed)
    cost_note: str  # "" for a final cost
    cost_tone: str
    paid: str
    receipt_url: str
    running: bool


@dataclass(frozen=True)
class HistoryPage:
    items: list[HistoryItem]
    after: Keyset | None  # where the next page starts; None: this was the last


@dataclass(frozen=True)
class SessionDetail:
    item: HistoryItem
    stopped: str
    tariff: str
    total_excl: str
    vat: str
    total_incl: str
    lines: tuple[CostLineView, ...]


def _spec(tags: Collection[str]) -> ListSpec:
    return narrowed(HISTORY_LIST, Period(), also=[started_with(frozenset(tags))])


def history_page(
    driver: DriverPrincipal, after: Keyset | None = None, page_size: int = rules.PAGE_SIZE
) -> HistoryPage:
    """The driver's sessions after `after` (None: the newest), newest first."""
    with read_session() as db:
        tags = driver_tags(db, driver)
    if not tags:
        return HistoryPage([], None)
    query = ListQuery(sort="start_time", descending=True, page_size=page_size)
    rows, last = listing.fetch_after(_spec(tags), query, None, after)
    ids = [int(row["id"]) for row in rows]
    with read_session() as db:
        payments = _payments(db, ids)
        receipts = _receipts(db, ids, driver.driver_id)
    now = utc_now()
    items = [_item(row, payments.get(int(row["id"])), receipts, now) for row in rows]
    return HistoryPage(items, last)


def session_detail(driver: DriverPrincipal, session_id: int) -> SessionDetail:
    """One of the driver's sessions with its cost breakdown; DriverAppNotFound otherwise."""
    with read_session() as db:
        tags = driver_tags(db, driver)
    row = listing.fetch_one(_spec(tags), session_id, None) if tags else None
    if row is None:
        raise DriverAppNotFound(tr("This charging session does not exist."), code="not_found")
    zone = str(row.get("timezone") or "UTC")
    with read_session() as db:
        payment = _payments(db, [session_id]).get(session_id)
        receipts = _receipts(db, [session_id], driver.driver_id)
        cost = db.get(SessionCost, session_id)
        tariff = db.get(Tariff, cost.tariff_id) if cost and cost.tariff_id else None
    now = utc_now()
    item = _item(row, payment, receipts, now)
    shown = cost_view(cost, tariff.name if tariff else "", zone) if cost is not None else None
    return SessionDetail(
        item=item,
        stopped=_when(row.get("stop_time"), zone) if row.get("stop_time") else "",
        tariff=shown.tariff if shown else "",
        total_excl=shown.total_excl if shown and item.amount else "",
        vat=shown.vat if shown and item.amount else "",
        total_incl=shown.total_incl if shown and item.amount else "",
        lines=shown.lines if shown and item.amount else (),
    )


def _when(value: datetime | None, zone: str) -> str:
    """A date and time in the station's zone, in the reader's way (always with the date:
    `format_time` leaves it out for today, as live pages want)."""
    if value is None:
        return ""
    return format_time(value, zone, value + timedelta(days=2))


def _item(
    row: Mapping[str, Any],
    payment: SessionPayment | None,
    receipts: Mapping[int, int],
    now: datetime,
) -> HistoryItem:
    session_id = int(row["id"])
    zone = str(row.get("timezone") or "UTC")
    status = str(row.get("status") or "")
    words = rules.cost_words(status, row.get("cost_state"))
    amount = money_text(row.get("total_incl_minor"), row.get("currency"))
    paid = rules.payment_words(
        payment.method if payment else None,
        payment.state if payment else None,
        str(row.get("payment_method") or ""),
    )
    energy = kwh_text(row.get("energy_wh"))
    receipt = receipts.get(session_id)
    return HistoryItem(
        session_id=session_id,
        station=str(row.get("station") or row.get("charge_point") or ""),
        charge_point=str(row.get("charge_point") or ""),
        connector=str(row.get("connector_id") or ""),
        started=_when(row.get("start_time"), zone),
        duration=duration_text(row.get("start_time"), row.get("stop_time"), now),
        energy=tr("{energy} kWh", energy=energy) if energy else "",
        amount=amount if words.show_amount else "",
        cost_note=tr(words.label) if words.label else "",
        cost_tone=words.tone,
        paid=tr(paid) if paid and status != "refused" else "",
        receipt_url=receipt_path(receipt) if receipt is not None else "",
        running=status == "active",
    )


def _payments(db: Session, session_ids: Collection[int]) -> dict[int, SessionPayment]:
    if not session_ids:
        return {}
    rows = db.exec(
        select(SessionPayment).where(col(SessionPayment.session_id).in_(list(session_ids)))
    ).all()
    return {row.session_id: row for row in rows}


def _receipts(db: Session, session_ids: Collection[int], driver_id: int) -> dict[int, int]:
    """Per session, its receipt issued to this driver that no credit note cancels."""
    if not session_ids:
        return {}
    credited = select(BillingDocument.credits_document_id).where(
        col(BillingDocument.credits_document_id).is_not(None)
    )
    rows = db.exec(
        select(BillingDocument.session_id, func.max(BillingDocument.id))
        .where(
            BillingDocument.kind == DocumentKind.RECEIPT,
            col(BillingDocument.session_id).in_(list(session_ids)),
            BillingDocument.driver_id == driver_id,
            col(BillingDocument.id).not_in(credited),
        )
        .group_by(col(BillingDocument.session_id))
    ).all()
    return {int(session_id): int(doc_id) for session_id, doc_id in rows if session_id and doc_id}


def charge_points_of(session_ids: Collection[int]) -> list[int]:
    """The charge points these sessions run on (what a page showing them watches live)."""
    if not session_ids:
        return []
    with read_session() as db:
        rows = db.exec(
            select(ChargingSession.charge_point_id).where(
                col(ChargingSession.id).in_(list(session_ids))
            )
        ).all()
    return sorted(set(rows))
