"""Finance -> Payments: every payment (card holds and excess charges, top-ups, membership
fees, refunds) as a ListState over `finance.payments.listing.PAYMENT_LIST`, the
Reconciliation view (the payments Stripe reports differently: `mismatch`), and the refund
dialog (an amount, empty for all that is left, and a required reason).

Times show in the operator's billing time zone. Viewing needs finance:view (`@guarded`),
refunding finance:edit (the gate audits it; the use case records the reason in the audit
log too), the CSV export finance:export.
"""

from __future__ import annotations

import asyncio
from collections.abc import Collection
from typing import Any

import reflex as rx

from ccms_app.accounts import audit
from ccms_app.accounts.gate_marks import guarded, requires
from ccms_app.accounts.rules.permissions import Action, Module
from ccms_app.accounts.state.auth import SESSION_ENDED
from ccms_app.core import listing as core_listing
from ccms_app.core.i18n import tr
from ccms_app.core.listing import ListQuery, ListSpec
from ccms_app.finance.documents.listing import operator_zone
from ccms_app.finance.errors import FinanceError, FinanceNotFound
from ccms_app.finance.payments import refunds
from ccms_app.finance.payments.listing import PAYMENT_EXPORT, PAYMENT_LIST, shown_payment
from ccms_app.finance.state.list_links import url_filters
from ccms_app.finance.state.tariff_common import Caller, as_id, caller
from ccms_app.ui.events import event
from ccms_app.ui.list_state import ListState
from ccms_app.ui.reopen import ReopenAware

ALL_VIEW, RECONCILIATION = "all", "reconciliation"


@guarded(Module.FINANCE)
class PaymentListState(ListState, ReopenAware, rx.State):
    """The operator's payments, newest first; `view` "reconciliation" shows the mismatches."""

    descending: bool = True
    zone: str = "UTC"
    view: str = ALL_VIEW

    def _list_spec(self) -> ListSpec:
        return PAYMENT_LIST

    def _format_row(self, row: dict[str, Any]) -> dict[str, str]:
        return shown_payment(row, self.zone)

    def _export(self, query: ListQuery, scope: Collection[int]) -> str:
        rows = (
            shown_payment(row, self.zone)
            for row in core_listing.iter_rows(PAYMENT_LIST, query, scope)
        )
        return core_listing.to_csv(PAYMENT_EXPORT, rows)

    def _export_name(self) -> str:
        return "reconciliation.csv" if self.view == RECONCILIATION else "payments.csv"

    @event
    async def load_zone(self) -> None:
        """on_load, before `load`: the operator's billing time zone; `?view=reconciliation`
        opens the Reconciliation view, `?kind=refund` (any filter) filters the list."""
        who = await caller(self)
        if who is not None:
            self.zone = await asyncio.to_thread(operator_zone, who.organisation_id)
        if self._same_url_again():  # the link's filters were applied; the operator's stand
            return
        params = self.router.url.query_parameters
        self.filters = {**self.filters, **url_filters(params, self._list_spec())}
        if params.get("view", "") == RECONCILIATION:
            self.view, self.filters = RECONCILIATION, {**self.filters, "mismatch": "true"}

    @event
    async def show_view(self, view: str) -> None:
        """All payments, or only those Stripe reports differently from CCMS."""
        self.view = RECONCILIATION if view == RECONCILIATION else ALL_VIEW
        rest = {k: v for k, v in self.filters.items() if k != "mismatch"}
        self.filters = {**rest, "mismatch": "true"} if self.view == RECONCILIATION else rest
        self.page = 1
        await self._reload()


def _actor(who: Caller) -> audit.Actor:
    return audit.Actor(None, who.organisation_id, who.actor)


@guarded(Module.FINANCE)
class RefundState(rx.State):
    """The refund dialog of one payment."""

    payment_id: str = ""  # "" = dialog closed
    left: str = ""  # what can still be refunded, as shown
    amount: str = ""
    reason: str = ""
    errors: rx.Field[dict[str, str]] = rx.field(default_factory=dict)
    message: str = ""
    busy: bool = False

    @event
    def open_refund(self, payment_id: str, left: str) -> None:
        self.payment_id, self.left = str(payment_id), left
        self.amount, self.reason, self.errors, self.message = "", "", {}, ""

    @event
    def set_amount(self, value: str) -> None:
        self.amount = value

    @event
    def set_reason(self, value: str) -> None:
        self.reason = value

    @event
    def open_changed(self, is_open: bool) -> None:
        if not is_open:
            self.payment_id = ""

    @requires(Action.EDIT)
    @event
    async def refund(self) -> Any:
        """Refund the amount typed (all that is left when empty), with the reason."""
        who = await caller(self)
        if who is None:
            return rx.toast.error(tr(SESSION_ENDED))
        self.busy, self.errors, self.message = True, {}, ""
        try:
            made = await asyncio.to_thread(
                refunds.refund,
                who.scope,
                as_id(self.payment_id),
                self.amount,
                self.reason,
                _actor(who),
            )
        except FinanceNotFound:
            self.message = tr("No such payment in your network.")
            return None
        except FinanceError as exc:  # field errors, a refusal, Stripe not configured / refusing
            self.errors, self.message = dict(exc.errors), "" if exc.errors else str(exc)
            return None
        finally:
            self.busy = False
        self.payment_id = ""
        payments = await self.get_state(PaymentListState)
        await payments._reload()
        return rx.toast.success(
            tr("Refund {id} recorded ({status}).", id=made.id, status=made.status)
        )
