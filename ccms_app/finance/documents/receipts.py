"""Receipts: one per charged session, issued by the session's organisation once its cost is
final (priced at the stop). Lines per price component, VAT per rate, the session's facts.

Idempotent: asking again for a session that has a receipt returns that receipt. Only a
receipt that was credited lets a new one be issued (the corrected receipt).
"""

from __future__ import annotations

import json
from datetime import datetime
from decimal import Decimal
from typing import Any

from sqlmodel import Session, col, select

from ccms_app.charging.models import ChargingSession
from ccms_app.core.db import session_scope
from ccms_app.core.i18n import N_, tr
from ccms_app.core.types import utc_now
from ccms_app.finance.documents.content import Body, build_content
from ccms_app.finance.documents.errors import DocumentNotFoundError, NotBillableError
from ccms_app.finance.documents.issuing import Issue, store_document
from ccms_app.finance.documents.parties import (
    Place,
    anonymous_buyer,
    buyer_of_tag,
    places_of,
    seller_of,
    session_facts,
)
from ccms_app.finance.models import BillingDocument, CostState, DocumentKind, SessionCost
from ccms_app.finance.rules.documents import (
    DocumentLine,
    Totals,
    VatRow,
    breakdown_lines,
    breakdown_notes,
    breakdown_vat,
    component_lines,
    rounding_mode,
    vat_rows,
)

_WHY_NOT = {
    CostState.RUNNING: N_("the session is still running; its cost is not final"),
    CostState.REVIEW: N_("its cost is held for review; release it first"),
    CostState.UNPRICED: N_("no tariff applied to it: there is nothing to charge"),
}


def issue_receipt(session_id: int, now: datetime | None = None) -> BillingDocument:
    """The receipt of charging session `session_id` (issued now unless it has one)."""
    with session_scope() as session:
        return issue_receipt_in(session, session_id, now or utc_now())


def issue_receipt_in(session: Session, session_id: int, now: datetime) -> BillingDocument:
    """issue_receipt inside the caller's transaction."""
    cost = session.exec(
        select(SessionCost).where(SessionCost.session_id == session_id).with_for_update()
    ).first()
    charging = session.get(ChargingSession, session_id)
    if charging is None:
        raise DocumentNotFoundError(
            tr("charging session {session_id} does not exist", session_id=session_id)
        )
    if cost is None:
        raise NotBillableError(
            tr("no receipt for session {session_id}: it has not been priced", session_id=session_id)
        )
    existing = current_receipt(session, session_id)
    if existing is not None:
        return existing
    if cost.state != CostState.FINAL:
        state = CostState(cost.state)
        why = tr(_WHY_NOT[state]) if state in _WHY_NOT else tr("its cost is {state}", state=state)
        raise NotBillableError(
            tr("no receipt for session {session_id}: {why}", session_id=session_id, why=why)
        )
    seller = seller_of(session, charging.organisation_id)
    buyer = buyer_of_tag(session, charging.id_tag) or anonymous_buyer(charging.id_tag)
    place = places_of(session, [charging.charge_point_id]).get(
        charging.charge_point_id, Place("", "", "UTC")
    )
    lines, vat = receipt_lines(cost, seller.rounding)
    notes = [cost.note] if cost.note else []
    body = Body(
        lines=lines,
        vat=vat,
        totals=cost_totals(cost),
        session=session_facts(charging, place),
        notes=notes + breakdown_notes(_breakdown(cost)),
    )
    issue = Issue(charging.organisation_id, DocumentKind.RECEIPT, seller, buyer, cost.currency, now)
    return store_document(
        session, issue, body.totals, lambda head: build_content(head, body), session_id=session_id
    )


def current_receipt(session: Session, session_id: int) -> BillingDocument | None:
    """The session's receipt that no credit note cancels, if any."""
    credited = select(BillingDocument.credits_document_id).where(
        col(BillingDocument.credits_document_id).is_not(None)
    )
    return session.exec(
        select(BillingDocument)
        .where(
            BillingDocument.kind == DocumentKind.RECEIPT,
            BillingDocument.session_id == session_id,
            col(BillingDocument.id).not_in(credited),
        )
        .order_by(col(BillingDocument.id).desc())
    ).first()


def cost_totals(cost: SessionCost) -> Totals:
    return Totals(cost.total_excl_minor, cost.vat_minor, cost.total_incl_minor)


def receipt_lines(cost: SessionCost, rounding: str) -> tuple[list[DocumentLine], list[VatRow]]:
    """The session's lines per price component and its VAT per rate."""
    breakdown = _breakdown(cost)
    lines = component_lines(
        breakdown_lines(breakdown), cost.currency, cost.total_excl_minor, rounding_mode(rounding)
    )
    vat = breakdown_vat(breakdown) or _vat_without_breakdown(cost, lines)
    return lines, vat_rows(lines, vat)


def _breakdown(cost: SessionCost) -> dict[str, Any]:
    try:
        data = json.loads(cost.breakdown or "{}")
    except ValueError:
        return {}
    return data if isinstance(data, dict) else {}


def _vat_without_breakdown(
    cost: SessionCost, lines: list[DocumentLine]
) -> list[tuple[Decimal | None, int]]:
    """A cost stored without VAT per rate: all its VAT at the lines' one rate (if one)."""
    if not cost.vat_minor:
        return []
    rates = {line.vat for line in lines}
    return [(next(iter(rates)) if len(rates) == 1 else None, cost.vat_minor)]
