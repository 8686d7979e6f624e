"""The wallet page's state: the signed-in driver's balance, top-ups (sent to Stripe's page
and shown on return), payment method and card, vouchers, membership, history and receipts.

Thin: every handler takes the driver the gate confirmed (`DriverAuthState._principal()`) and
calls the driver app's wallet use cases in a thread; ids in a payload (a plan, a top-up in
the address) are only ever looked up as the driver's own. Rows are plain strings.

A load of the same visit again (a reconnect, a reload, "refresh": same driver, same return
from Stripe in the address) keeps the top-up choice and typed amount, and the errors and
notices the driver may not have read yet (`ReopenAware`); a return from Stripe or another
driver is a new visit and starts afresh.
"""

from __future__ import annotations

import asyncio
from dataclasses import asdict
from typing import Any

import reflex as rx

from ccms_app.accounts.gate_marks import driver_state
from ccms_app.core.i18n import tr
from ccms_app.driver_app import wallet, wallet_memberships
from ccms_app.driver_app.driver_accounts import DriverPrincipal
from ccms_app.driver_app.errors import DriverAppError
from ccms_app.driver_app.rules import wallet as rules
from ccms_app.driver_app.state.auth import DriverAuthState, _base_url
from ccms_app.driver_app.wallet_page import WalletPage, wallet_page
from ccms_app.ui.events import event
from ccms_app.ui.reopen import ReopenAware

RETURN_PARAMS = ("top_up", "cancelled", "card")  # what Stripe's return adds to the address


def _visit(driver: DriverPrincipal, params: Any) -> str:
    """The record the wallet page opens: the driver's wallet as reached (a return from
    Stripe is a new visit: the choice it paid for is not offered again)."""
    back = "&".join(f"{name}={params.get(name, '')}" for name in RETURN_PARAMS)
    return f"{driver.account_id}?{back}"


def _rows(items: Any) -> list[dict[str, str]]:
    return [{k: str(v) for k, v in asdict(item).items()} for item in items]


@driver_state
class WalletState(ReopenAware, rx.State):
    """The wallet page of this tab. Underscored fields never reach the browser."""

    loaded: bool = False
    balance: str = ""
    bonus: str = ""
    minimum: str = ""
    payments_ready: bool = True
    method: str = ""
    card_label: str = ""
    choices: rx.Field[list[dict[str, str]]] = rx.field(default_factory=list)
    choice: str = ""
    amount: str = ""
    limits: str = ""
    top_up_error: str = ""
    busy: bool = False
    result: str = ""  # the top-up the driver came back from: paid, open, cancelled, ...
    result_text: str = ""
    result_url: str = ""  # still open: Stripe's page, to finish paying
    card_notice: str = ""
    method_error: str = ""
    voucher_error: str = ""
    voucher_notice: str = ""
    membership: rx.Field[dict[str, str]] = rx.field(default_factory=dict)  # {} = none
    plans: rx.Field[list[dict[str, str]]] = rx.field(default_factory=list)
    membership_error: str = ""
    membership_notice: str = ""
    top_ups: rx.Field[list[dict[str, str]]] = rx.field(default_factory=list)
    movements: rx.Field[list[dict[str, str]]] = rx.field(default_factory=list)
    receipts: rx.Field[list[dict[str, str]]] = rx.field(default_factory=list)

    async def _driver(self) -> DriverPrincipal:
        return (await self.get_state(DriverAuthState))._principal()

    def _show(self, page: WalletPage) -> None:
        found = page.summary
        self.balance, self.bonus, self.minimum = (
            found.balance_text,
            found.bonus_text,
            found.minimum_text,
        )
        self.payments_ready, self.method, self.card_label = (
            found.payments_ready,
            found.method,
            found.card_label,
        )
        self.choices = [
            {**row, "testid": "top-up-choice-" + row["key"].replace(":", "-")}
            for row in _rows(page.offer.choices)
        ]
        self.limits = tr(
            "Or type an amount from {minimum} to {maximum}.",
            minimum=page.offer.minimum_text,
            maximum=page.offer.maximum_text,
        )
        current = page.memberships.current
        self.membership = _rows([current])[0] if current is not None else {}
        self.plans = [
            {**_rows([plan])[0], "benefits": "\n".join(plan.benefits)}
            for plan in page.memberships.plans
        ]
        self.top_ups = _rows(page.top_ups)
        self.movements = _rows(page.movements)
        self.receipts = _rows(page.receipts)
        self.loaded = True

    async def _reload(self) -> None:
        self._show(await asyncio.to_thread(wallet_page, await self._driver()))

    @event
    async def load(self) -> None:
        """On load: the page, and how the top-up or card the driver comes back from stands."""
        await self._load()

    @event
    async def refresh(self) -> None:
        """The driver asks again (a top-up or card Stripe has not confirmed yet)."""
        await self._load()

    async def _load(self) -> None:
        params = self.router.url.query_parameters
        if self._opening_anew(_visit(await self._driver(), params)):
            self._start_afresh()
        self.result = self.result_text = self.result_url = self.card_notice = ""
        await self._reload()
        self._drop_withdrawn_choice()
        top_up_id = rules.parse_id(params.get("top_up", ""))
        if top_up_id is not None:
            await self._show_result(top_up_id, str(params.get("cancelled", "")) == "1")
        card = str(params.get("card", ""))
        if card == "added":
            self.card_notice = (
                tr("Your card is saved: {label}.", label=self.card_label)
                if self.card_label
                else tr("Stripe is saving your card. Refresh in a moment.")
            )
        elif card == "cancelled":
            self.card_notice = tr("No card was added.")

    def _start_afresh(self) -> None:
        """A new visit: no earlier messages, and a fresh choice (not the last one paid)."""
        self.top_up_error = self.voucher_error = self.voucher_notice = ""
        self.method_error = self.membership_error = self.membership_notice = ""
        self.choice = self.amount = ""

    def _drop_withdrawn_choice(self) -> None:
        """A kept package or amount the operator no longer offers is not chosen any more."""
        offered = {row["key"] for row in self.choices} | {rules.CUSTOM}
        if self.choice not in offered:
            self.choice = ""

    async def _show_result(self, top_up_id: int, cancelled: bool) -> None:
        driver = await self._driver()
        try:
            found = await asyncio.to_thread(wallet.top_up_result, driver, top_up_id, cancelled)
        except DriverAppError:
            return  # not the driver's: nothing to say about it
        self.result, self.result_text, self.result_url = (
            found.result,
            found.text,
            found.checkout_url,
        )

    @event
    def choose(self, key: str) -> None:
        self.choice, self.top_up_error = str(key), ""

    @event
    def set_amount(self, value: str) -> None:
        """The typed amount (on leaving the field): typing one chooses it. A refusal stays
        until the next top-up: it is shown above the button, and this arrives on the
        mousedown of the click on it (the button must not move before the mouseup)."""
        self.amount = str(value)[:32]
        if self.amount.strip():
            self.choice = rules.CUSTOM

    @event
    async def start_top_up(self) -> Any:
        """Open the top-up and send the browser to Stripe's page (same tab: the app comes
        back to /app/wallet?top_up=<id>)."""
        if self.busy:
            return None
        self.busy, self.top_up_error = True, ""
        try:
            driver = await self._driver()
            url = await asyncio.to_thread(
                wallet.start_top_up, driver, self.choice, self.amount, _base_url(self)
            )
        except DriverAppError as exc:
            self.top_up_error = str(exc)
            return None
        finally:
            self.busy = False
        return rx.redirect(url)

    @event
    async def redeem(self, form_data: dict[str, Any]) -> None:
        """The voucher form: its `code`."""
        self.voucher_error = self.voucher_notice = ""
        code = str(form_data.get("code", ""))[:64]
        try:
            said = await asyncio.to_thread(wallet.redeem, await self._driver(), code)
        except DriverAppError as exc:
            self.voucher_error = str(exc)
            return
        self.voucher_notice = said
        await self._reload()

    @event
    async def choose_method(self, method: str) -> None:
        self.method_error = ""
        try:
            await asyncio.to_thread(wallet.choose_method, await self._driver(), str(method))
        except DriverAppError as exc:
            self.method_error = str(exc)
            return
        await self._reload()

    @event
    async def add_card(self) -> Any:
        """Send the browser to Stripe's page that saves a card."""
        self.method_error = ""
        try:
            driver = await self._driver()
            url = await asyncio.to_thread(wallet.start_add_card, driver, _base_url(self))
        except DriverAppError as exc:
            self.method_error = str(exc)
            return None
        return rx.redirect(url)

    @event
    async def join(self, plan_id: str) -> None:
        self.membership_error = self.membership_notice = ""
        chosen = rules.parse_id(plan_id)
        try:
            if chosen is None:
                raise DriverAppError(tr("That plan is not offered."))
            name = await asyncio.to_thread(wallet_memberships.join, await self._driver(), chosen)
        except DriverAppError as exc:
            self.membership_error = str(exc)
            return
        self.membership_notice = tr("Welcome to {plan}.", plan=name)
        await self._reload()

    @event
    async def leave(self) -> None:
        self.membership_error = self.membership_notice = ""
        try:
            said = await asyncio.to_thread(wallet_memberships.leave, await self._driver())
        except DriverAppError as exc:
            self.membership_error = str(exc)
            return
        self.membership_notice = said
        await self._reload()
