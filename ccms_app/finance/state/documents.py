"""Finance -> Documents: the list of issued receipts, invoices and credit notes (a ListState
over finance.documents.listing.DOCUMENT_LIST) and what an operator does with them: credit a
document (a reason is required), send it again, issue a month's invoices.

Times show in the operator's billing time zone, read on load; the From / To days are days
there. Every handler needs finance:view (`@guarded`); crediting, sending and issuing need
finance:edit, the CSV export finance:export. The use cases check the operator's scope.
"""

from __future__ import annotations

import asyncio
from collections.abc import Collection
from typing import Any

import reflex as rx

from ccms_app.accounts.gate_marks import guarded, requires
from ccms_app.accounts.rules.permissions import Action, Module
from ccms_app.accounts.state.auth import SESSION_ENDED
from ccms_app.core.i18n import tr
from ccms_app.core.listing import ListPage, ListQuery, ListSpec
from ccms_app.finance.documents import listing
from ccms_app.finance.documents.credit_notes import credit_document
from ccms_app.finance.documents.errors import DocumentError
from ccms_app.finance.documents.listing import DOCUMENT_LIST, DocumentInputError, Issued
from ccms_app.finance.history.queries import period
from ccms_app.finance.state.tariff_common import as_id, caller
from ccms_app.ui.events import event
from ccms_app.ui.list_state import ListState, coerce_filter

DATE_FILTERS = ("since", "until")


@guarded(Module.FINANCE)
class DocumentListState(ListState, rx.State):
    """Every document of the operator's network, newest first."""

    descending: bool = True
    zone: str = "UTC"  # the operator's billing zone: what the times and days mean

    def _list_spec(self) -> ListSpec:
        return DOCUMENT_LIST

    def _query(self) -> ListQuery:
        self._issued()  # a wrong date is refused now, with its message
        filters = {
            key: coerce_filter(DOCUMENT_LIST, key, value)
            for key, value in self.filters.items()
            if value and key not in DATE_FILTERS
        }
        return ListQuery(
            search=self.search,
            filters=filters,
            sort=self.sort,
            descending=self.descending,
            page=self.page,
            page_size=self.page_size,
        )

    def _issued(self) -> Issued:
        days = period(self.filters.get("since", ""), self.filters.get("until", ""), self.zone)
        return Issued(days.since, days.until)

    def _fetch(self, query: ListQuery, scope: Collection[int]) -> ListPage:
        return listing.fetch_documents(query, scope, self._issued())

    def _export(self, query: ListQuery, scope: Collection[int]) -> str:
        return listing.export_documents_csv(query, scope, self._issued(), self.zone)

    def _format_row(self, row: dict[str, Any]) -> dict[str, str]:
        return listing.shown_document(row, self.zone)

    def _export_name(self) -> str:
        return "billing-documents.csv"

    def _filter_options(self, scope: Collection[int]) -> dict[str, list[tuple[str, str]]]:
        return {"organisation_id": listing.organisation_choices(scope)}

    @event
    async def load_zone(self) -> None:
        """on_load, before `load`: the operator's billing time zone."""
        who = await caller(self)
        if who is not None:
            self.zone = await asyncio.to_thread(listing.operator_zone, who.organisation_id)


async def _reload_list(state: rx.State) -> None:
    """Show the change in the list (the current page, same query)."""
    documents = await state.get_state(DocumentListState)
    await documents._reload()


@guarded(Module.FINANCE)
class DocumentActionsState(rx.State):
    """The credit-note dialog, "send again" and the invoice run."""

    credit_id: str = ""  # the document being credited ("" = dialog closed)
    credit_number: str = ""
    credit_reason: str = ""
    credit_error: str = ""
    invoices_open: bool = False
    invoice_month: str = ""
    invoice_organisation: str = ""
    organisations: list[list[str]] = []
    invoice_errors: dict[str, str] = {}
    invoice_message: str = ""
    invoice_result: str = ""
    busy: bool = False

    # --- credit note ---------------------------------------------------------------------

    @event
    def open_credit(self, document_id: str, number: str) -> None:
        self.credit_id, self.credit_number = str(document_id), number
        self.credit_reason, self.credit_error = "", ""

    @event
    def set_credit_reason(self, value: str) -> None:
        self.credit_reason = value

    @event
    def close_credit(self) -> None:
        self.credit_id = ""

    @event
    def credit_open_changed(self, is_open: bool) -> None:
        if not is_open:
            self.credit_id = ""

    @requires(Action.EDIT)
    @event
    async def credit_document(self) -> Any:
        """Credit the chosen document in full, with the reason typed."""
        who = await caller(self)
        if who is None:
            return rx.toast.error(tr(SESSION_ENDED))
        self.busy = True
        try:
            note = await asyncio.to_thread(
                credit_document, as_id(self.credit_id), self.credit_reason, who.actor, who.scope
            )
        except DocumentError as exc:
            self.credit_error = str(exc)
            return None
        finally:
            self.busy = False
        self.credit_id = ""
        await _reload_list(self)
        return rx.toast.success(
            tr(
                "{number} issued: {credit_number} is credited.",
                number=note.number,
                credit_number=self.credit_number,
            )
        )

    # --- send again ----------------------------------------------------------------------

    @requires(Action.EDIT)
    @event
    async def send_again(self, document_id: str) -> Any:
        """E-mail the document to its buyer now (again, if it went out before)."""
        who = await caller(self)
        if who is None:
            return rx.toast.error(tr(SESSION_ENDED))
        try:
            document, sent = await asyncio.to_thread(
                listing.send_again, as_id(document_id), who.scope
            )
        except DocumentError as exc:
            return rx.toast.error(tr("Not sent: {exc}", exc=exc))
        await _reload_list(self)
        if not sent.ok:
            return rx.toast.error(
                tr(
                    "{number} not sent: {outcome}",
                    number=document.number,
                    outcome=sent.error or sent.outcome,
                )
            )
        return rx.toast.success(
            tr(
                "{number} sent to {buyer_email}.",
                number=document.number,
                buyer_email=document.buyer_email,
            )
        )

    # --- invoice run ---------------------------------------------------------------------

    @event
    async def open_invoices(self) -> Any:
        """The dialog: the organisations in scope, the operator's own and last month first."""
        who = await caller(self)
        if who is None:
            return rx.toast.error(tr(SESSION_ENDED))
        choices = await asyncio.to_thread(listing.organisation_choices, who.scope)
        self.organisations = [[value, label] for value, label in choices]
        self.invoice_organisation = str(who.organisation_id)
        self.invoice_month = await asyncio.to_thread(listing.last_month, who.organisation_id)
        self.invoice_errors, self.invoice_message, self.invoice_result = {}, "", ""
        self.invoices_open = True
        return None

    @event
    def set_invoice_month(self, value: str) -> None:
        self.invoice_month = value

    @event
    def set_invoice_organisation(self, value: str) -> None:
        self.invoice_organisation = value
        self.invoice_result = ""

    @event
    def invoices_open_changed(self, is_open: bool) -> None:
        self.invoices_open = is_open

    @requires(Action.EDIT)
    @event
    async def issue_invoices(self) -> Any:
        """Issue the chosen organisation's invoices of the chosen month; say how many."""
        who = await caller(self)
        if who is None:
            return rx.toast.error(tr(SESSION_ENDED))
        self.invoice_errors, self.invoice_message, self.invoice_result = {}, "", ""
        self.busy = True
        try:
            issued = await asyncio.to_thread(
                listing.issue_invoices,
                as_id(self.invoice_organisation),
                self.invoice_month,
                who.scope,
            )
        except DocumentInputError as exc:
            self.invoice_errors = dict(exc.errors)
            return None
        except DocumentError as exc:
            self.invoice_message = str(exc)
            return None
        finally:
            self.busy = False
        self.invoice_result = _issued_text(len(issued), self.invoice_month)
        await _reload_list(self)
        return rx.toast.success(self.invoice_result)


def _issued_text(count: int, month: str) -> str:
    """What the invoice run did, in the reader's language."""
    if count == 0:
        return tr(
            "No new invoices for {month}: every final session of it is invoiced.", month=month
        )
    if count == 1:
        return tr("1 invoice issued for {month}.", month=month)
    return tr("{count} invoices issued for {month}.", count=count, month=month)
