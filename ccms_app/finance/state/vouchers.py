"""Finance -> Vouchers: the list (redemptions used / allowed), the create / edit form with its
eligible groups and drivers, deactivation, one voucher's redemptions, and redeeming a code
for a holder.

Every handler needs finance:view (`@guarded`); saving, deactivating and redeeming need
finance:edit (`@requires`), the CSV export finance:export. The use cases check the scope.
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
from ccms_app.core import listing
from ccms_app.core.i18n import tr
from ccms_app.core.listing import ListPage, ListQuery, ListSpec
from ccms_app.core.money import format_money
from ccms_app.finance.documents.listing import operator_zone, organisation_choices
from ccms_app.finance.errors import FinanceError, FinanceNotFound
from ccms_app.finance.rules.vouchers import FORM_FIELDS
from ccms_app.finance.state.tariff_common import as_id, caller
from ccms_app.finance.wallets import voucher_listing
from ccms_app.finance.wallets.holders import holder_choices, organisation_currency_of
from ccms_app.finance.wallets.models import RedemptionState
from ccms_app.finance.wallets.voucher_admin import (
    VoucherView,
    create_voucher,
    deactivate_voucher,
    get_voucher,
    update_voucher,
    voucher_form,
)
from ccms_app.finance.wallets.voucher_listing import REDEMPTION_LIST, VOUCHER_LIST
from ccms_app.finance.wallets.vouchers import redeem_voucher
from ccms_app.ui.events import event
from ccms_app.ui.list_state import ListState

EMPTY_FORM: dict[str, str] = {
    **dict.fromkeys(FORM_FIELDS, ""),
    "kind": "value",
    "max_redemptions": "1",
    "per_holder_limit": "1",
}


@guarded(Module.FINANCE)
class VoucherListState(ListState, rx.State):
    """Every voucher of the operator's network, newest first."""

    descending: bool = True
    zone: str = "UTC"

    def _list_spec(self) -> ListSpec:
        return VOUCHER_LIST

    def _format_row(self, row: dict[str, Any]) -> dict[str, str]:
        return voucher_listing.shown_voucher(row, self.zone)

    def _export_name(self) -> str:
        return "vouchers.csv"

    def _filter_options(self, scope: Collection[int]) -> dict[str, list[tuple[str, str]]]:
        return {"organisation_id": organisation_choices(scope)}

    @event
    async def load_zone(self) -> None:
        """on_load, before `load`: the operator's billing time zone."""
        who = await caller(self)
        if who is not None:
            self.zone = await asyncio.to_thread(operator_zone, who.organisation_id)


async def _reload_list(state: rx.State) -> None:
    vouchers = await state.get_state(VoucherListState)
    await vouchers._reload()


@guarded(Module.FINANCE)
class VoucherFormState(rx.State):
    """The create / edit dialog. `eligible` holds [key, label] pairs of chosen holders."""

    editing_id: rx.Field[int] = rx.field(0)  # 0 = a new voucher
    open: bool = False
    form: dict[str, str] = EMPTY_FORM
    errors: dict[str, str] = {}
    message: str = ""
    eligible: rx.Field[list[list[str]]] = rx.field(default_factory=list)
    holder_search: str = ""
    holder_options: rx.Field[list[list[str]]] = rx.field(default_factory=list)
    redeemed: bool = False  # what the code gives is fixed once redeemed
    busy: bool = False

    async def _options(self, scope: Collection[int]) -> None:
        found = await asyncio.to_thread(holder_choices, scope, self.holder_search)
        chosen = {key for key, _label in self.eligible}
        self.holder_options = [[key, label] for key, label in found if key not in chosen]

    @event
    async def open_new(self) -> Any:
        who = await caller(self)
        if who is None:
            return rx.toast.error(tr(SESSION_ENDED))
        currency = await asyncio.to_thread(organisation_currency_of, who.organisation_id)
        self.editing_id, self.redeemed = 0, False
        self.form = {**EMPTY_FORM, "currency": currency}
        self.errors, self.message, self.eligible, self.holder_search = {}, "", [], ""
        await self._options(who.scope)
        self.open = True
        return None

    @event
    async def open_edit(self, voucher_id: str) -> Any:
        who = await caller(self)
        if who is None:
            return rx.toast.error(tr(SESSION_ENDED))
        try:
            view = await asyncio.to_thread(get_voucher, as_id(voucher_id), who.scope)
        except FinanceNotFound as exc:
            return rx.toast.error(str(exc))
        self._show(view)
        self.errors, self.message, self.holder_search = {}, "", ""
        await self._options(who.scope)
        self.open = True
        return None

    def _show(self, view: VoucherView) -> None:
        self.editing_id = int(view.voucher.id or 0)
        self.form = voucher_form(view.voucher, view.zone)
        self.eligible = [[h.key, h.name] for h in view.eligible]
        self.redeemed = view.voucher.redemption_count > 0

    @event
    def set_field(self, name: str, value: str) -> None:
        if name in FORM_FIELDS:
            self.form = {**self.form, name: value}

    @event
    async def search_holders(self, value: str) -> None:
        self.holder_search = value
        who = await caller(self)
        if who is not None:
            await self._options(who.scope)

    @event
    def add_eligible(self, key: str) -> None:
        label = next((o[1] for o in self.holder_options if o[0] == key), key)
        if key and all(key != e[0] for e in self.eligible):
            self.eligible = [*self.eligible, [key, label]]
            self.holder_options = [o for o in self.holder_options if o[0] != key]

    @event
    def drop_eligible(self, key: str) -> None:
        self.eligible = [e for e in self.eligible if e[0] != key]

    @event
    def open_changed(self, is_open: bool) -> None:
        self.open = is_open

    @requires(Action.EDIT)
    @event
    async def save(self) -> Any:
        """Create the voucher, or save the changes of the one being edited."""
        who = await caller(self)
        if who is None:
            return rx.toast.error(tr(SESSION_ENDED))
        keys = [key for key, _label in self.eligible]
        self.errors, self.message, self.busy = {}, "", True
        try:
            if self.editing_id:
                view = await asyncio.to_thread(
                    update_voucher, self.editing_id, dict(self.form), keys, who.scope
                )
            else:
                view = await asyncio.to_thread(
                    create_voucher, dict(self.form), keys, who.organisation_id, who.scope, who.actor
                )
        except FinanceError as exc:
            self.errors, self.message = dict(exc.errors), "" if exc.errors else str(exc)
            return None
        except FinanceNotFound as exc:
            self.message = str(exc)
            return None
        finally:
            self.busy = False
        self.open = False
        await _reload_list(self)
        return rx.toast.success(tr("Voucher {code} saved.", code=view.voucher.code))

    @requires(Action.EDIT)
    @event
    async def deactivate(self, voucher_id: str) -> Any:
        """No more redemptions of this code."""
        who = await caller(self)
        if who is None:
            return rx.toast.error(tr(SESSION_ENDED))
        try:
            view = await asyncio.to_thread(deactivate_voucher, as_id(voucher_id), who.scope)
        except FinanceNotFound as exc:
            return rx.toast.error(str(exc))
        await _reload_list(self)
        return rx.toast.success(tr("Voucher {code} deactivated.", code=view.voucher.code))


@guarded(Module.FINANCE)
class VoucherRedemptionListState(ListState, rx.State):
    """The redemptions of the voucher chosen in the list (a dialog)."""

    descending: bool = True
    voucher_id: rx.Field[int] = rx.field(0)
    voucher_code: str = ""
    open: bool = False
    zone: str = "UTC"
    currency: str = "EUR"

    def _list_spec(self) -> ListSpec:
        return REDEMPTION_LIST

    def _fetch(self, query: ListQuery, scope: Collection[int]) -> ListPage:
        return voucher_listing.fetch_redemptions(self.voucher_id, query, scope)

    def _export(self, query: ListQuery, scope: Collection[int]) -> str:
        return listing.export_csv(voucher_listing.redemptions_of(self.voucher_id), query, scope)

    def _format_row(self, row: dict[str, Any]) -> dict[str, str]:
        return voucher_listing.shown_redemption(row, self.zone, self.currency)

    @event
    async def show(self, voucher_id: str) -> Any:
        who = await caller(self)
        if who is None:
            return rx.toast.error(tr(SESSION_ENDED))
        try:
            view = await asyncio.to_thread(get_voucher, as_id(voucher_id), who.scope)
        except FinanceNotFound as exc:
            return rx.toast.error(str(exc))
        self.voucher_id, self.voucher_code = int(view.voucher.id or 0), view.voucher.code
        self.zone, self.currency = view.zone, view.voucher.currency
        self.page, self.search, self.filters = 1, "", {}
        self.open = True
        await self.load()
        return None

    @event
    def open_changed(self, is_open: bool) -> None:
        self.open = is_open


def missing_redeem_fields(code: str, holder_id: str) -> dict[str, str]:
    """What the redeem form still needs, by field (the use case is not asked before)."""
    errors: dict[str, str] = {}
    if not code.strip():
        errors["code"] = tr("Give the code, e.g. SPRING-25.")
    if not holder_id.isdigit():
        errors["holder"] = tr("Choose the driver or group account.")
    return errors


def _result_text(state: str, amount: str, code: str) -> str:
    if state == RedemptionState.CREDITED:
        return tr("{code}: {amount} credited to the wallet as bonus.", code=code, amount=amount)
    return tr("{code}: the discount applies to the holder's next charged session.", code=code)


@guarded(Module.FINANCE)
class VoucherRedeemState(rx.State):
    """Redeem a code for a driver or group account (e.g. a code a driver phoned in)."""

    open: bool = False
    code: str = ""
    holder: str = ""  # "driver:12"
    holder_search: str = ""
    holder_options: rx.Field[list[list[str]]] = rx.field(default_factory=list)
    errors: dict[str, str] = {}  # a missing code / holder, shown under its field
    error: str = ""  # why the code was refused
    result: str = ""
    busy: bool = False

    @event
    async def open_redeem(self) -> Any:
        who = await caller(self)
        if who is None:
            return rx.toast.error(tr(SESSION_ENDED))
        self.code, self.holder, self.holder_search, self.error, self.result = "", "", "", "", ""
        self.errors = {}
        self.holder_options = [
            [k, v] for k, v in await asyncio.to_thread(holder_choices, who.scope)
        ]
        self.open = True
        return None

    @event
    def set_code(self, value: str) -> None:
        self.code = value

    @event
    def set_holder(self, value: str) -> None:
        self.holder, self.result = value, ""
        self.errors = {k: v for k, v in self.errors.items() if k != "holder"}

    @event
    async def search_holders(self, value: str) -> None:
        self.holder_search = value
        who = await caller(self)
        if who is not None:
            found = await asyncio.to_thread(holder_choices, who.scope, value)
            self.holder_options = [[k, v] for k, v in found]

    @event
    def open_changed(self, is_open: bool) -> None:
        self.open = is_open

    @requires(Action.EDIT)
    @event
    async def redeem(self) -> Any:
        who = await caller(self)
        if who is None:
            return rx.toast.error(tr(SESSION_ENDED))
        kind, _, number = self.holder.partition(":")
        self.error, self.result = "", ""
        self.errors = missing_redeem_fields(self.code, number)
        if self.errors:
            return None
        self.busy = True
        try:
            redemption = await asyncio.to_thread(
                redeem_voucher,
                self.code,
                kind,
                int(number),
                who.scope,
                audit.Actor(None, who.organisation_id, who.actor),
            )
        except (FinanceError, FinanceNotFound) as exc:
            self.error = str(exc)
            return None
        finally:
            self.busy = False
        view = await asyncio.to_thread(get_voucher, redemption.voucher_id, who.scope)
        amount = format_money(redemption.amount_minor, view.voucher.currency)
        self.result = _result_text(redemption.state, amount, view.voucher.code)
        await _reload_list(self)
        return rx.toast.success(self.result)
