"""The one place a BillingDocument row is created: number, frozen content and totals."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlmodel import Session

from ccms_app.finance.documents.content import Heading, dump
from ccms_app.finance.documents.numbering import take_number
from ccms_app.finance.documents.parties import Buyer, Seller
from ccms_app.finance.models import BillingDocument
from ccms_app.finance.rules.documents import Totals, document_number, local_text


@dataclass(frozen=True)
class Issue:
    """What a new document is: its kind, who issues it to whom, and when."""

    organisation_id: int
    kind: str
    seller: Seller
    buyer: Buyer
    currency: str
    issued_at: datetime


def heading(issue: Issue, number: str) -> Heading:
    zone = issue.seller.time_zone
    return Heading(
        kind=issue.kind,
        number=number,
        issued_at=issue.issued_at.isoformat(),
        issued_local=local_text(issue.issued_at, zone, with_time=False),
        time_zone=zone,
        currency=issue.currency,
        seller=issue.seller.party,
        buyer=issue.buyer.party,
    )


ContentOf = Callable[[Heading], dict[str, Any]]


def store_document(
    session: Session, issue: Issue, totals: Totals, content_of: ContentOf, **links: Any
) -> BillingDocument:
    """Take the next number and add the document (flushed: its id is known). `content_of`
    makes the frozen content under the numbered heading; `links` are the row's other
    columns (session_id, period_start, credits_document_id ...)."""
    sequence_no = take_number(session, issue.organisation_id, issue.kind)
    number = document_number(issue.kind, sequence_no)
    content = content_of(heading(issue, number))
    document = BillingDocument(
        organisation_id=issue.organisation_id,
        kind=issue.kind,
        sequence_no=sequence_no,
        number=number,
        issued_at=issue.issued_at,
        currency=issue.currency,
        total_excl_minor=totals.excl_minor,
        vat_minor=totals.vat_minor,
        total_incl_minor=totals.incl_minor,
        driver_id=issue.buyer.driver_id,
        user_group_id=issue.buyer.group_id,
        buyer_name=issue.buyer.party.name[:200],
        buyer_email=issue.buyer.party.email[:320],
        content=dump(content),
        **links,
    )
    session.add(document)
    session.flush()
    return document
