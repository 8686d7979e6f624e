"""Issued documents as the operator's pages and routes read them: scoped to the operator's
organisations (a document outside the scope does not exist for them)."""

from __future__ import annotations

from collections.abc import Collection

from ccms_app.accounts.organisations import organisation_scope
from ccms_app.core.db import read_session
from ccms_app.finance.documents.pdf import render_pdf
from ccms_app.finance.models import BillingDocument


def find_document(document_id: int, scope: Collection[int]) -> BillingDocument | None:
    with read_session() as session:
        document = session.get(BillingDocument, document_id)
    if document is None or document.organisation_id not in scope:
        return None
    return document


def document_pdf(document_id: int, operator_organisation_id: int) -> tuple[str, bytes] | None:
    """(file name, PDF bytes) of a document the operator's organisation may see, else None."""
    document = find_document(document_id, organisation_scope(operator_organisation_id))
    if document is None:
        return None
    return f"{document.number}.pdf", render_pdf(document)
