"""Credit notes: a whole document cancelled with negative amounts, in its own number series.

Documents are never edited: a wrong receipt or invoice is credited, then issued again. A
document is credited once, and a credit note is not credited. Crediting an invoice frees its
sessions (SessionCost.invoice_id back to None) in the same transaction, so the next monthly
run (or a manual one) puts them on a corrected invoice.
"""

from __future__ import annotations

from collections.abc import Collection
from datetime import datetime

from sqlalchemy import update
from sqlmodel import Session, col, select

from ccms_app.core.db import session_scope
from ccms_app.core.i18n import tr
from ccms_app.core.types import utc_now
from ccms_app.finance.documents.content import Party, credit_content, load, totals_from_json
from ccms_app.finance.documents.errors import (
    AlreadyCreditedError,
    DocumentError,
    DocumentNotFoundError,
)
from ccms_app.finance.documents.issuing import Issue, store_document
from ccms_app.finance.documents.parties import Buyer, Seller
from ccms_app.finance.models import BillingDocument, DocumentKind, SessionCost
from ccms_app.finance.rules.documents import negated_totals

COSTS = SessionCost.__table__  # type: ignore[attr-defined]
MAX_REASON = 300


def credit_document(
    document_id: int,
    reason: str,
    actor_email: str,
    scope: Collection[int] | None = None,
    now: datetime | None = None,
) -> BillingDocument:
    """Credit document `document_id` in full; `scope` (organisation ids) limits what the
    caller may credit: a document outside it is not found."""
    reason = reason.strip()
    if not reason:
        raise DocumentError(
            tr("say why the document is credited (it is printed on the credit note)")
        )
    with session_scope() as session:
        original = session.exec(
            select(BillingDocument).where(BillingDocument.id == document_id).with_for_update()
        ).first()
        if original is None or (scope is not None and original.organisation_id not in scope):
            raise DocumentNotFoundError(
                tr("billing document {document_id} does not exist", document_id=document_id)
            )
        _check_creditable(session, original)
        note = _store_credit_note(session, original, reason[:MAX_REASON], actor_email, now)
        if original.kind == DocumentKind.INVOICE:
            session.execute(
                update(COSTS).where(COSTS.c.invoice_id == original.id).values(invoice_id=None)
            )
        return note


def _check_creditable(session: Session, original: BillingDocument) -> None:
    if original.kind == DocumentKind.CREDIT_NOTE:
        raise DocumentError(
            tr("{number} is a credit note; it cannot be credited", number=original.number)
        )
    existing = session.exec(
        select(BillingDocument.number).where(
            col(BillingDocument.credits_document_id) == original.id
        )
    ).first()
    if existing is not None:
        raise AlreadyCreditedError(
            tr(
                "{number} is already credited by {existing}",
                number=original.number,
                existing=existing,
            )
        )


def _store_credit_note(
    session: Session,
    original: BillingDocument,
    reason: str,
    actor_email: str,
    now: datetime | None,
) -> BillingDocument:
    """The credit note: the original's seller, buyer and zone, every amount negated."""
    content = load(original.content)
    seller = Seller(Party(**content["seller"]), content["time_zone"], original.currency, "")
    buyer = Buyer(Party(**content["buyer"]), original.driver_id, original.user_group_id)
    issue = Issue(
        original.organisation_id,
        DocumentKind.CREDIT_NOTE,
        seller,
        buyer,
        original.currency,
        now or utc_now(),
    )
    return store_document(
        session,
        issue,
        negated_totals(totals_from_json(content["totals"])),
        lambda head: credit_content(content, head, reason, actor_email),
        credits_document_id=original.id,
        session_id=original.session_id,
        period_start=original.period_start,
        period_end=original.period_end,
    )
