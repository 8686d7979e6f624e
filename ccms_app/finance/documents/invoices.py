"""Monthly invoices: one per driver and one per group account (and currency) for the final
sessions that stopped in the month and were not invoiced yet, and that are paid by invoice:
a session's payment record (finance.payments.models.SessionPayment) says "invoice", or it has
none (sessions from before payments existed). Sessions paid from a wallet, by card or free
are never invoiced; they keep their receipts.

The month is read in the issuing organisation's billing zone. A session charged on a card
with a group goes on the group account's invoice (IdTag.group_id), other cards on their
driver's; sessions of cards without an account are not invoiced. Each session is marked
(SessionCost.invoice_id) in the invoice's own transaction, so a second run issues nothing
new and a session never lands on two invoices: the rows are locked (PostgreSQL) and the
mark only takes sessions still unmarked (a mismatch rolls the invoice back).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from sqlalchemy import or_, update
from sqlmodel import Session, col, select

from ccms_app.charging.models import ChargingSession
from ccms_app.core.db import session_scope
from ccms_app.core.i18n import tr
from ccms_app.core.types import utc_now
from ccms_app.finance.documents.content import Body, build_content
from ccms_app.finance.documents.errors import DocumentError
from ccms_app.finance.documents.issuing import Issue, store_document
from ccms_app.finance.documents.parties import (
    Place,
    Seller,
    buyers_of_tags,
    places_of,
    seller_of,
)
from ccms_app.finance.documents.receipts import cost_totals, receipt_lines
from ccms_app.finance.models import BillingDocument, CostState, DocumentKind, SessionCost
from ccms_app.finance.payments.models import PaymentMethod, SessionPayment
from ccms_app.finance.rules.documents import (
    DocumentLine,
    VatRow,
    energy_kwh,
    local_text,
    merge_vat_rows,
    month_bounds,
    sum_totals,
    vat_label,
)

COSTS = SessionCost.__table__  # type: ignore[attr-defined]


@dataclass(frozen=True)
class Billed:
    """One session on an invoice."""

    cost: SessionCost
    charging: ChargingSession
    place: Place


def issue_monthly_invoices(
    organisation_id: int, month: date, now: datetime | None = None
) -> list[BillingDocument]:
    """Invoices of `month` (any day of it) issued by `organisation_id`: only the new ones."""
    with session_scope() as session:
        seller = seller_of(session, organisation_id)
        start, end = month_bounds(month, seller.time_zone)
        rows = _uninvoiced(session, organisation_id, start, end)
        buyers = buyers_of_tags(session, [charging.id_tag for _, charging in rows])
        places = places_of(session, [charging.charge_point_id for _, charging in rows])
        accounts: dict[tuple[tuple[str, int], str], list[Billed]] = {}
        for cost, charging in rows:
            buyer = buyers.get(charging.id_tag.lower())
            if buyer is None:
                continue
            place = places.get(charging.charge_point_id, Place("", "", "UTC"))
            accounts.setdefault((buyer.key, cost.currency), []).append(
                Billed(cost, charging, place)
            )
        issued_at = now or utc_now()
        documents = []
        for (_key, currency), billed in accounts.items():
            buyer = buyers[billed[0].charging.id_tag.lower()]
            issue = Issue(organisation_id, DocumentKind.INVOICE, seller, buyer, currency, issued_at)
            documents.append(_invoice(session, issue, billed, (start, end)))
        return documents


def _uninvoiced(
    session: Session, organisation_id: int, start: datetime, end: datetime
) -> Sequence[tuple[SessionCost, ChargingSession]]:
    """Final, not yet invoiced sessions of the organisation that stopped in [start, end) and
    are paid by invoice (or have no payment record)."""
    return session.exec(
        select(SessionCost, ChargingSession)
        .join(ChargingSession, col(ChargingSession.id) == SessionCost.session_id)
        .outerjoin(SessionPayment, col(SessionPayment.session_id) == SessionCost.session_id)
        .where(
            ChargingSession.organisation_id == organisation_id,
            SessionCost.state == CostState.FINAL,
            col(SessionCost.invoice_id).is_(None),
            or_(
                col(SessionPayment.session_id).is_(None),
                col(SessionPayment.method) == PaymentMethod.INVOICE,
            ),
            col(ChargingSession.stop_time) >= start,
            col(ChargingSession.stop_time) < end,
        )
        .order_by(col(ChargingSession.stop_time), col(ChargingSession.id))
        .with_for_update(of=SessionCost)
    ).all()


def _invoice(
    session: Session, issue: Issue, billed: list[Billed], period: tuple[datetime, datetime]
) -> BillingDocument:
    """One account's invoice, its sessions marked in the same transaction."""
    lines: list[DocumentLine] = []
    vat: list[list[VatRow]] = []
    for item in billed:
        _lines, session_vat = receipt_lines(item.cost, issue.seller.rounding)
        lines.append(_session_line(item, session_vat, issue.seller))
        vat.append(session_vat)
    start, end = period
    zone = issue.seller.time_zone
    body = Body(
        lines=lines,
        vat=merge_vat_rows(vat),
        totals=sum_totals(cost_totals(item.cost) for item in billed),
        period={
            "start": local_text(start, zone, with_time=False),
            "end": local_text(end - timedelta(microseconds=1), zone, with_time=False),
        },
    )
    document = store_document(
        session,
        issue,
        body.totals,
        lambda head: build_content(head, body),
        period_start=start,
        period_end=end,
    )
    _mark_invoiced(session, [item.cost.session_id for item in billed], document)
    return document


def _session_line(item: Billed, vat: list[VatRow], seller: Seller) -> DocumentLine:
    """Date, station (charge point and connector), kWh and the session's amount excl. VAT."""
    rates = [row.rate for row in vat]
    where = item.place.station or item.place.charge_point
    description = f"{where} · {item.place.charge_point} #{item.charging.connector_id}"
    if len(set(rates)) > 1:
        description += f" (VAT {vat_label(rates)})"
    return DocumentLine(
        description=description,
        quantity=energy_kwh(item.charging.energy_wh),
        unit="kWh",
        unit_price=None,
        vat=rates[0] if len(set(rates)) == 1 else None,
        amount_minor=item.cost.total_excl_minor,
        day=local_text(item.charging.stop_time, seller.time_zone, with_time=False),
    )


def _mark_invoiced(session: Session, session_ids: list[int], document: BillingDocument) -> None:
    result = session.execute(
        update(COSTS)
        .where(COSTS.c.session_id.in_(session_ids), COSTS.c.invoice_id.is_(None))
        .values(invoice_id=document.id)
    )
    marked = int(result.rowcount or 0)  # type: ignore[attr-defined]
    if marked != len(session_ids):
        raise DocumentError(
            tr(
                "{len} of the sessions of {number} were invoiced meanwhile; "
                "nothing was issued, run the invoices again",
                len=len(session_ids) - marked,
                number=document.number,
            )
        )
