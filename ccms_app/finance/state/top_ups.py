"""Finance -> Top-ups: the recharge history (a ListState over `TOP_UP_LIST`), the form that
starts a top-up for a driver or group account (a fixed recharge amount, a package or a typed
amount; the answer is Stripe's Checkout page to send the driver to), and the top-up packages.

Viewing needs finance:view (`@guarded`); starting a top-up and editing packages finance:edit.
Without Stripe keys the form says plainly that top-ups are not configured.

The page loading again for the same login (a reconnect, a reload) keeps the form, the
Checkout link not yet given to the driver and what the last start said; the holder's
amounts and packages are read again.
"""

from __future__ import annotations

import asyncio
from typing import Any

import reflex as rx

from ccms_app.accounts.gate_marks import guarded, requires
from ccms_app.accounts.rules.permissions import Action, Module
from ccms_app.accounts.state import AuthState
from ccms_app.accounts.state.auth import SESSION_ENDED, acting_email
from ccms_app.core.i18n import tr
from ccms_app.core.listing import ListSpec
from ccms_app.core.money import format_minor, format_money
from ccms_app.finance.documents.listing import operator_zone
from ccms_app.finance.errors import FinanceError, FinanceNotFound
from ccms_app.finance.payments import holders, packages, top_ups
from ccms_app.finance.payments import stripe_gateway as gateway
from ccms_app.finance.payments.listing import TOP_UP_LIST, shown_top_up
from ccms_app.finance.payments.models import TopUpPackage
from ccms_app.finance.state.tariff_common import as_id, caller
from ccms_app.ui.events import event
from ccms_app.ui.list_state import ListState
from ccms_app.ui.reopen import ReopenAware

MODES = ("amount", "package", "custom")


@guarded(Module.FINANCE)
class TopUpListState(ListState, rx.State):
    """Every top-up of the operator's network, newest first."""

    descending: bool = True
    zone: str = "UTC"

    def _list_spec(self) -> ListSpec:
        return TOP_UP_LIST

    def _format_row(self, row: dict[str, Any]) -> dict[str, str]:
        return shown_top_up(row, self.zone)

    def _export_name(self) -> str:
        return "top-ups.csv"

    @event
    async def load_zone(self) -> None:
        who = await caller(self)
        if who is not None:
            self.zone = await asyncio.to_thread(operator_zone, who.organisation_id)


def _package_label(found: TopUpPackage) -> str:
    pay = format_money(found.pay_minor, found.currency)
    credit = format_money(found.credit_minor, found.currency)
    return tr("{name}: pay {pay}, get {credit}", name=found.name, pay=pay, credit=credit)


@guarded(Module.FINANCE)
class TopUpFormState(ReopenAware, rx.State):
    """Start a top-up: pick the holder, what it pays, and get the Checkout link."""

    configured: bool = True
    kind: str = "driver"
    query: str = ""
    holders: rx.Field[list[list[str]]] = rx.field(default_factory=list)  # [id, label]
    holder_id: str = ""
    currency: str = ""
    limit_low: str = ""  # the smallest and largest amount a top-up may have
    limit_high: str = ""
    recharge_options: rx.Field[list[list[str]]] = rx.field(default_factory=list)  # [minor, label]
    package_options: rx.Field[list[list[str]]] = rx.field(default_factory=list)  # [id, label]
    mode: str = "amount"
    recharge: str = ""
    package_id: str = ""
    amount: str = ""
    errors: rx.Field[dict[str, str]] = rx.field(default_factory=dict)
    message: str = ""
    checkout_url: str = ""
    busy: bool = False

    @event
    async def load(self) -> None:
        """on_load: whether Stripe is configured; a new login in the tab starts without a
        link or a message, the same one loading again keeps them (module docstring)."""
        self.configured = gateway.configured()
        if self._opening_anew(acting_email(await self.get_state(AuthState))):
            self.checkout_url, self.message, self.errors = "", "", {}
        elif self.holder_id:
            await self._offer(self.holder_id)

    @event
    async def set_kind(self, value: str) -> None:
        self.kind = value if value in ("driver", "group") else "driver"
        self.holder_id, self.holders = "", []
        await self._search()

    @event
    async def set_query(self, value: str) -> None:
        self.query = value
        await self._search()

    async def _search(self) -> None:
        who = await caller(self)
        if who is None:
            return
        found = await asyncio.to_thread(holders.search_holders, who.scope, self.kind, self.query)
        self.holders = [[str(i), label] for i, label in found]

    @event
    async def choose_holder(self, value: str) -> None:
        self.holder_id, self.checkout_url, self.errors, self.message = value, "", {}, ""
        await self._offer(value)

    async def _offer(self, value: str) -> None:
        """What the holder may pay: the recharge amounts, the packages, the limits."""
        who = await caller(self)
        if who is None or not value:
            return
        try:
            offered = await asyncio.to_thread(top_ups.choices, who.scope, self.kind, as_id(value))
        except FinanceNotFound:
            self.message, self.holder_id = tr("No such holder in your network."), ""
            return
        self.currency = offered.currency
        self.recharge_options = [
            [str(a), format_money(a, offered.currency)] for a in offered.recharge_amounts
        ]
        self.package_options = [[str(p.id), _package_label(p)] for p in offered.packages]
        self.limit_low = format_minor(offered.minimum_minor, offered.currency)
        self.limit_high = format_minor(offered.maximum_minor, offered.currency)

    @event
    def set_mode(self, value: str) -> None:
        self.mode = value if value in MODES else "amount"
        self.errors = {}

    @event
    def set_recharge(self, value: str) -> None:
        self.recharge, self.errors = value, {}

    @event
    def set_package(self, value: str) -> None:
        self.package_id, self.errors = value, {}

    @event
    def set_amount(self, value: str) -> None:
        self.amount = value

    def _missing(self) -> dict[str, str]:
        """Every choice not made yet, under its field (all at once, not one per click)."""
        errors: dict[str, str] = {}
        if not self.holder_id:
            errors["holder"] = tr("Choose who tops up.")
        if self.mode == "package" and not self.package_id:
            errors["amount"] = tr("Choose a package.")
        elif self.mode == "custom" and not self.amount.strip():
            errors["amount"] = tr("Give the amount.")
        elif self.mode == "amount" and not self.recharge:
            errors["amount"] = tr("Choose an amount.")
        return errors

    def _request(self) -> top_ups.TopUpRequest:
        if self.mode == "package":
            return top_ups.TopUpRequest(package_id=as_id(self.package_id) or None)
        if self.mode == "custom":
            return top_ups.TopUpRequest(amount_text=self.amount)
        return top_ups.TopUpRequest(recharge_minor=as_id(self.recharge) or None)

    @requires(Action.EDIT)
    @event
    async def start(self) -> Any:
        """Open the top-up; show the Checkout link to give the driver."""
        who = await caller(self)
        if who is None:
            return rx.toast.error(tr(SESSION_ENDED))
        self.errors, self.message, self.checkout_url = self._missing(), "", ""
        if self.errors:
            return None
        self.busy = True
        try:
            opened = await asyncio.to_thread(
                top_ups.start,
                who.scope,
                self.kind,
                as_id(self.holder_id),
                self._request(),
                who.actor,
            )
        except FinanceNotFound:
            self.message = tr("No such holder or package in your network.")
            return None
        except FinanceError as exc:  # wrong choice, Stripe not configured or refusing
            self.errors, self.message = dict(exc.errors), "" if exc.errors else str(exc)
            if exc.errors.get("recharge_minor"):
                self.errors = {**self.errors, "amount": exc.errors["recharge_minor"]}
            if exc.errors.get("package_id"):
                self.errors = {**self.errors, "amount": exc.errors["package_id"]}
            return None
        finally:
            self.busy = False
        self.checkout_url = opened.checkout_url
        history = await self.get_state(TopUpListState)
        await history._reload()
        return rx.toast.success(
            tr("Top-up {id} opened: send the driver the Checkout link.", id=opened.id)
        )


@guarded(Module.FINANCE)
class PackageState(rx.State):
    """The operator's top-up packages and the package dialog."""

    rows: rx.Field[list[dict[str, str]]] = rx.field(default_factory=list)
    editing: str = ""  # "" closed, "new", or the package id
    values: rx.Field[dict[str, str]] = rx.field(default_factory=dict)
    errors: rx.Field[dict[str, str]] = rx.field(default_factory=dict)
    busy: bool = False

    @event
    async def load(self) -> None:
        await self._load()

    async def _load(self) -> None:
        who = await caller(self)
        if who is None:
            return
        found = await asyncio.to_thread(packages.packages, who.scope)
        self.rows = [
            {
                "id": str(p.id),
                "name": p.name,
                "pay": format_money(p.pay_minor, p.currency),
                "credit": format_money(p.credit_minor, p.currency),
                "bonus": format_money(p.credit_minor - p.pay_minor, p.currency),
                "active": "yes" if p.active else "",
            }
            for p in found
        ]

    @event
    def open_new(self) -> None:
        self.editing, self.errors = "new", {}
        self.values = {"name": "", "pay": "", "credit": "", "active": "true"}

    @event
    async def open_edit(self, package_id: str) -> Any:
        who = await caller(self)
        if who is None:
            return rx.toast.error(tr(SESSION_ENDED))
        try:
            found = await asyncio.to_thread(packages.get, as_id(package_id), who.scope)
        except FinanceNotFound:
            return rx.toast.error(tr("No such package in your network."))
        self.editing, self.errors = str(package_id), {}
        self.values = packages.package_form(found)
        return None

    @event
    def set_value(self, name: str, value: str) -> None:
        self.values = {**self.values, name: value}

    @event
    def open_changed(self, is_open: bool) -> None:
        if not is_open:
            self.editing = ""

    @requires(Action.EDIT)
    @event
    async def save(self) -> Any:
        who = await caller(self)
        if who is None:
            return rx.toast.error(tr(SESSION_ENDED))
        self.busy = True
        try:
            if self.editing == "new":
                saved = await asyncio.to_thread(
                    packages.create, who.organisation_id, dict(self.values), who.actor, who.scope
                )
            else:
                saved = await asyncio.to_thread(
                    packages.update, as_id(self.editing), dict(self.values), who.actor, who.scope
                )
        except FinanceNotFound:
            return rx.toast.error(tr("No such package in your network."))
        except FinanceError as exc:
            self.errors = dict(exc.errors) or {"name": str(exc)}
            return None
        finally:
            self.busy = False
        self.editing = ""
        await self._load()
        return rx.toast.success(tr("Package {saved} saved.", saved=saved.name))

    @requires(Action.EDIT)
    @event
    async def toggle_active(self, package_id: str, active: bool) -> Any:
        who = await caller(self)
        if who is None:
            return rx.toast.error(tr(SESSION_ENDED))
        form = {"active": "true" if active else "false"}
        try:
            await asyncio.to_thread(packages.update, as_id(package_id), form, who.actor, who.scope)
        except (FinanceNotFound, FinanceError) as exc:
            return rx.toast.error(tr("Not changed: {exc}", exc=exc))
        await self._load()
        return None
