"""Finance -> Wallets: every wallet of the operator's network (a ListState over
finance.wallets.listing.WALLET_LIST) and one wallet (/finance/wallets/<kind>/<id>) with its
balance, its ledger and the two things an operator does by hand: a manual adjustment and a
paid-out refund, each with a reason.

Times show in the operator's billing time zone. Every handler needs finance:view
(`@guarded`); the adjustment and the refund need finance:edit (`@requires`), the CSV export
finance:export. The use cases check the scope: a holder outside it is not found.
"""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import Collection
from typing import Any

import reflex as rx

from ccms_app.accounts import audit
from ccms_app.accounts.gate_marks import guarded, requires
from ccms_app.accounts.rules.permissions import Action, Module
from ccms_app.accounts.state.auth import SESSION_ENDED
from ccms_app.core.i18n import tr
from ccms_app.core.listing import ListQuery, ListSpec
from ccms_app.core.money import format_money
from ccms_app.finance.documents.listing import operator_zone, organisation_choices
from ccms_app.finance.errors import FinanceError, FinanceNotFound
from ccms_app.finance.rules.documents import local_text
from ccms_app.finance.state.list_links import url_filters
from ccms_app.finance.state.tariff_common import Caller, caller
from ccms_app.finance.wallets import listing
from ccms_app.finance.wallets.holders import KIND_LABELS
from ccms_app.finance.wallets.listing import WALLET_LIST
from ccms_app.finance.wallets.operations import adjust_wallet, refund_paid_out
from ccms_app.finance.wallets.wallet_view import KIND_LABELS as LEDGER_KIND_LABELS
from ccms_app.finance.wallets.wallet_view import LedgerLine, Wallet, get_wallet, reason_text
from ccms_app.finance.wallets.wallet_view import ledger_page as read_ledger
from ccms_app.ui.events import event
from ccms_app.ui.list_state import ListState
from ccms_app.ui.reopen import ReopenAware

WALLETS_ROUTE = "/finance/wallets"
LEDGER_PAGE_SIZE = 25
NONE = "—"  # an empty cell, as the lists write it
ADD, DEDUCT = "add", "deduct"


@guarded(Module.FINANCE)
class WalletListState(ListState, ReopenAware, rx.State):
    """Every driver and group account of the operator's network with its balance."""

    zone: str = "UTC"

    def _list_spec(self) -> ListSpec:
        return WALLET_LIST

    def _format_row(self, row: dict[str, Any]) -> dict[str, str]:
        return listing.shown_wallet(row, self.zone)

    def _export(self, query: ListQuery, scope: Collection[int]) -> str:
        return listing.export_wallets_csv(query, list(scope), self.zone)

    def _export_name(self) -> str:
        return "wallets.csv"

    def _filter_options(self, scope: Collection[int]) -> dict[str, list[tuple[str, str]]]:
        return {"organisation_id": organisation_choices(scope)}

    @event
    async def load_zone(self) -> None:
        """on_load, before `load`: the operator's billing time zone; `?balance=negative`
        (any filter) filters the list."""
        who = await caller(self)
        if who is not None:
            self.zone = await asyncio.to_thread(operator_zone, who.organisation_id)
        if self._same_url_again():  # the link's filters were applied; the operator's stand
            return
        params = self.router.url.query_parameters
        self.filters = {**self.filters, **url_filters(params, self._list_spec())}


def holder_from_path(path: str) -> tuple[str, int]:
    """`/finance/wallets/driver/12` -> ("driver", 12); ("", 0) when the path says no holder."""
    tail = path.split(WALLETS_ROUTE + "/", 1)[1] if WALLETS_ROUTE + "/" in path else ""
    parts = tail.strip("/").split("/")
    if len(parts) < 2 or parts[0] not in KIND_LABELS or not parts[1].isdigit():
        return "", 0
    return parts[0], int(parts[1])


def _line(line: LedgerLine, currency: str, zone: str) -> dict[str, str]:
    def money(minor: int) -> str:
        return format_money(minor, currency) if minor else NONE

    return {
        "id": str(line.transaction_id),
        "at": local_text(line.created_at, zone),
        "kind": LEDGER_KIND_LABELS.get(line.kind, line.kind),
        "paid": money(line.paid_minor),
        "bonus": money(line.bonus_minor),
        "amount": format_money(line.amount_minor, currency),
        "negative": "yes" if line.amount_minor < 0 else "",
        "balance": format_money(line.balance_after_minor, currency),
        "reason": reason_text(line.kind, line.reason) or NONE,
        "who": line.created_by or NONE,
        "session_id": str(line.session_id or ""),
    }


def _actor(who: Caller) -> audit.Actor:
    return audit.Actor(None, who.organisation_id, who.actor)


@guarded(Module.FINANCE)
class WalletDetailState(ReopenAware, rx.State):
    """One wallet: balance cards, the ledger (newest first, paged), the two forms."""

    wallet_kind: str = ""
    wallet_holder: rx.Field[int] = rx.field(0)
    loaded: bool = False
    found: bool = False
    zone: str = "UTC"
    currency: str = "EUR"
    name: str = ""
    detail: str = ""
    kind_label: str = ""
    method: str = ""
    paid: str = ""
    bonus: str = ""
    total: str = ""
    negative: bool = False
    lines: rx.Field[list[dict[str, str]]] = rx.field(default_factory=list)
    ledger_page: rx.Field[int] = rx.field(1)
    ledger_pages: rx.Field[int] = rx.field(1)
    ledger_total: rx.Field[int] = rx.field(0)
    adjust_direction: str = ADD
    adjust_amount: str = ""
    adjust_bucket: str = "paid"
    adjust_reason: str = ""
    adjust_errors: dict[str, str] = {}
    refund_amount: str = ""
    refund_reason: str = ""
    refund_errors: dict[str, str] = {}
    busy: bool = False

    @event
    async def load(self) -> None:
        """on_load (after the login check): the wallet named by the URL. Another wallet (or
        another login in the tab) opens on the first ledger page with empty forms; the same
        one again (a reconnect, a reload) keeps the page, what was typed and its errors."""
        self.loaded, self.found = False, False
        who = await caller(self)
        if who is None:
            return
        self.wallet_kind, self.wallet_holder = holder_from_path(self.router.url.path)
        self.zone = await asyncio.to_thread(operator_zone, who.organisation_id)
        if self._opening_anew(f"{who.actor}|{self.wallet_kind}:{self.wallet_holder}"):
            self._fresh_forms()
        await self._show(who)
        if not self.found:
            self._closed()
        self.loaded = True

    def _fresh_forms(self) -> None:
        self.ledger_page = 1
        self.adjust_direction, self.adjust_amount = ADD, ""
        self.adjust_bucket, self.adjust_reason = "paid", ""
        self.refund_amount = self.refund_reason = ""
        self.adjust_errors, self.refund_errors = {}, {}

    async def _show(self, who: Caller) -> None:
        try:
            wallet = await asyncio.to_thread(
                get_wallet, self.wallet_kind, self.wallet_holder, who.scope
            )
            page = await asyncio.to_thread(
                read_ledger,
                self.wallet_kind,
                self.wallet_holder,
                who.scope,
                self.ledger_page,
                LEDGER_PAGE_SIZE,
            )
        except FinanceNotFound:
            self.found = False
            return
        self._show_wallet(wallet)
        self.lines = [_line(line, wallet.holder.currency, self.zone) for line in page.lines]
        self.ledger_page, self.ledger_pages, self.ledger_total = page.page, page.pages, page.total
        self.found = True

    def _show_wallet(self, wallet: Wallet) -> None:
        holder, money = wallet.holder, wallet.balance
        self.currency, self.name, self.detail = holder.currency, holder.name, holder.detail
        self.kind_label = KIND_LABELS.get(holder.kind, holder.kind)
        self.method = listing.METHOD_LABELS.get(wallet.method, wallet.method)
        self.paid = format_money(money.paid_minor, money.currency)
        self.bonus = format_money(money.bonus_minor, money.currency)
        self.total = format_money(money.total_minor, money.currency)
        self.negative = money.paid_minor < 0 or money.total_minor < 0

    @event
    async def next_ledger_page(self) -> None:
        await self._turn(self.ledger_page + 1)

    @event
    async def previous_ledger_page(self) -> None:
        await self._turn(self.ledger_page - 1)

    async def _turn(self, page: int) -> None:
        who = await caller(self)
        if who is None:
            return
        self.ledger_page = max(1, min(page, self.ledger_pages))
        await self._show(who)

    # --- the forms' fields ---------------------------------------------------------------

    @event
    def set_adjust_direction(self, value: str) -> None:
        self.adjust_direction = DEDUCT if value == DEDUCT else ADD

    @event
    def set_adjust_amount(self, value: str) -> None:
        self.adjust_amount = value

    @event
    def set_adjust_bucket(self, value: str) -> None:
        self.adjust_bucket = value

    @event
    def set_adjust_reason(self, value: str) -> None:
        self.adjust_reason = value

    @event
    def set_refund_amount(self, value: str) -> None:
        self.refund_amount = value

    @event
    def set_refund_reason(self, value: str) -> None:
        self.refund_reason = value

    # --- the actions ---------------------------------------------------------------------

    @requires(Action.EDIT)
    @event
    async def submit_adjustment(self) -> Any:
        """Post the adjustment typed in the form (its reason is kept and audited)."""
        who = await caller(self)
        if who is None:
            return rx.toast.error(tr(SESSION_ENDED))
        sign = "-" if self.adjust_direction == DEDUCT else ""
        amount = self.adjust_amount.strip().lstrip("+-")
        form = {
            "amount": f"{sign}{amount}",
            "bucket": self.adjust_bucket,
            "reason": self.adjust_reason,
        }
        self.adjust_errors, self.busy = {}, True
        try:
            await asyncio.to_thread(
                adjust_wallet,
                self.wallet_kind,
                self.wallet_holder,
                form,
                who.scope,
                _actor(who),
                uuid.uuid4().hex,
            )
        except FinanceError as exc:
            self.adjust_errors = dict(exc.errors) or {"amount": str(exc)}
            return None
        except FinanceNotFound as exc:
            return rx.toast.error(str(exc))
        finally:
            self.busy = False
        self.adjust_amount, self.adjust_reason = "", ""
        self.ledger_page = 1
        await self._show(who)
        return rx.toast.success(tr("Adjustment posted."))

    @requires(Action.EDIT)
    @event
    async def submit_refund(self) -> Any:
        """Record paid money returned outside Stripe (bank transfer ...), with its reason."""
        who = await caller(self)
        if who is None:
            return rx.toast.error(tr(SESSION_ENDED))
        form = {"amount": self.refund_amount, "reason": self.refund_reason}
        self.refund_errors, self.busy = {}, True
        try:
            await asyncio.to_thread(
                refund_paid_out,
                self.wallet_kind,
                self.wallet_holder,
                form,
                who.scope,
                _actor(who),
                uuid.uuid4().hex,
            )
        except FinanceError as exc:
            self.refund_errors = dict(exc.errors) or {"amount": str(exc)}
            return None
        except FinanceNotFound as exc:
            return rx.toast.error(str(exc))
        finally:
            self.busy = False
        self.refund_amount, self.refund_reason = "", ""
        self.ledger_page = 1
        await self._show(who)
        return rx.toast.success(tr("Refund recorded."))
