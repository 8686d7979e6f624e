"""Finance -> Reimbursements: the home chargers (a ListState over
finance.partners.home_chargers.HOME_CHARGER_LIST), the form that marks one, and the month's
report per employee.

The form takes what an operator knows: the charge point's identity and the employee's
e-mail (or exact name); the state finds their ids in the operator's scope and names the
field when it finds none (or several). The "since" day is a day in the operator's billing
zone. Every handler needs finance:view (`@guarded`); marking and removing finance:edit.
"""

from __future__ import annotations

import asyncio
from typing import Any

import reflex as rx

from ccms_app.accounts.gate_marks import guarded, requires
from ccms_app.accounts.rules.permissions import Action, Module
from ccms_app.accounts.state.auth import SESSION_ENDED
from ccms_app.core.i18n import tr
from ccms_app.core.listing import ListSpec
from ccms_app.finance.documents.listing import operator_zone
from ccms_app.finance.errors import FinanceError, FinanceNotFound
from ccms_app.finance.partners import home_chargers, views
from ccms_app.finance.partners.agreements import operator_of
from ccms_app.finance.partners.home_chargers import HOME_CHARGER_LIST, HomeChargerInput
from ccms_app.finance.rules.settlement import local_day_start
from ccms_app.finance.state.tariff_common import Caller, as_id, caller
from ccms_app.ui.events import event
from ccms_app.ui.list_state import ListState

# The use case's fields -> the form's (the form asks for an identity and an e-mail).
FORM_FIELDS = {"charge_point_id": "charge_point", "driver_id": "employee"}


def _zone_of(organisation_id: int) -> str:
    return operator_zone(operator_of(organisation_id))


@guarded(Module.FINANCE)
class HomeChargerListState(ListState, rx.State):
    """The home chargers of the operator's network, by employee."""

    zone: str = "UTC"

    def _list_spec(self) -> ListSpec:
        return HOME_CHARGER_LIST

    def _format_row(self, row: dict[str, Any]) -> dict[str, str]:
        return home_chargers.shown_home_charger(row, self.zone)

    def _export_name(self) -> str:
        return "home-chargers.csv"

    @event
    async def load_zone(self) -> None:
        """on_load, before `load`: the zone the "since" days are shown in."""
        who = await caller(self)
        if who is not None:
            self.zone = await asyncio.to_thread(_zone_of, who.organisation_id)


def _resolve(values: dict[str, str], who: Caller) -> tuple[int, int, dict[str, str]]:
    """The charge point and the employee the form names, or why they are not found."""
    errors: dict[str, str] = {}
    identity = values.get("charge_point", "").strip()
    charge_point = home_chargers.charge_point_by_identity(identity, who.scope)
    if charge_point is None:
        errors["charge_point"] = (
            tr("No charge point {identity} in your network", identity=repr(identity))
            if identity
            else tr("Give its identity")
        )
    wanted = values.get("employee", "").strip()
    found = home_chargers.drivers_matching(wanted, who.scope)
    if len(found) != 1:
        if not wanted:
            errors["employee"] = tr("Give the employee's e-mail or name")
        elif not found:
            errors["employee"] = tr("No driver {wanted} in your network", wanted=repr(wanted))
        else:
            errors["employee"] = tr(
                "{count} drivers match {wanted}: give the e-mail",
                count=len(found),
                wanted=repr(wanted),
            )
    driver = found[0][0] if len(found) == 1 else 0
    return charge_point or 0, driver, errors


def _save(values: dict[str, str], who: Caller, zone: str) -> str:
    """Mark the home charger; FinanceError with the form's field names."""
    charge_point, driver, errors = _resolve(values, who)
    since_text = values.get("since", "").strip()
    since = local_day_start(since_text, zone) if since_text else None
    if since_text and since is None:
        errors["since"] = tr("Give a day, e.g. 2026-03-01, or leave it empty (today)")
    currency = values.get("currency", "").strip() or home_chargers.currency_for(driver, who.scope)
    data = HomeChargerInput(charge_point, driver, values.get("rate_per_kwh", ""), currency, since)
    try:
        if errors:
            raise FinanceError(tr("Not saved."), errors)
        home_chargers.mark_home_charger(who.scope, data, who.actor)
    except FinanceError as exc:
        found = {FORM_FIELDS.get(k, k): v for k, v in exc.errors.items()}
        raise FinanceError(str(exc), {**found, **errors}) from exc
    return values.get("charge_point", "").strip()


@guarded(Module.FINANCE)
class HomeChargerFormState(rx.State):
    """The "add home charger" dialog and the row's remove button."""

    open: bool = False
    values: dict[str, str] = {}
    errors: rx.Field[dict[str, str]] = rx.field(default_factory=dict)
    busy: bool = False

    @event
    def open_new(self) -> None:
        self.values = {
            "charge_point": "",
            "employee": "",
            "rate_per_kwh": "",
            "currency": "",
            "since": "",
        }
        self.errors = {}
        self.open = True

    @event
    def set_value(self, name: str, value: str) -> None:
        self.values = {**self.values, name: value}

    @event
    def set_open(self, is_open: bool) -> None:
        self.open = is_open

    @event
    def close_form(self) -> None:
        self.open = False

    @requires(Action.EDIT)
    @event
    async def save(self) -> Any:
        who = await caller(self)
        if who is None:
            return rx.toast.error(tr(SESSION_ENDED))
        zone = await asyncio.to_thread(_zone_of, who.organisation_id)
        self.busy = True
        try:
            identity = await asyncio.to_thread(_save, dict(self.values), who, zone)
        except FinanceError as exc:
            self.errors = dict(exc.errors)
            return rx.toast.error(tr("Not saved: check the fields marked in red."))
        finally:
            self.busy = False
        self.open = False
        await _refresh(self)
        return rx.toast.success(tr("{identity} is now a home charger.", identity=identity))

    @requires(Action.EDIT)
    @event
    async def remove_home_charger(self, charge_point_id: str) -> Any:
        who = await caller(self)
        if who is None:
            return rx.toast.error(tr(SESSION_ENDED))
        try:
            await asyncio.to_thread(
                home_chargers.unmark_home_charger, who.scope, as_id(charge_point_id), who.actor
            )
        except FinanceNotFound as exc:
            return rx.toast.error(str(exc))
        await _refresh(self)
        return rx.toast.success(tr("The charge point is no home charger any more."))


async def _refresh(state: rx.State) -> None:
    """The list and the month's report after a change."""
    await (await state.get_state(HomeChargerListState))._reload()
    report = await state.get_state(ReimbursementState)
    who = await caller(state)
    if who is not None and report.month:
        await report._show(who)


@guarded(Module.FINANCE)
class ReimbursementState(rx.State):
    """The month's reimbursement per employee."""

    month: str = ""
    rows: rx.Field[list[dict[str, str]]] = rx.field(default_factory=list)
    total: str = ""
    message: str = ""
    shown: bool = False

    @event
    async def load(self) -> None:
        """on_load: the last month over, in the operator's zone."""
        who = await caller(self)
        if who is None:
            return
        if not self.month:
            self.month = await asyncio.to_thread(views.last_month, who.organisation_id)
        await self._show(who)

    @event
    async def set_month(self, value: str) -> None:
        self.month = value
        who = await caller(self)
        if who is not None and value:
            await self._show(who)

    async def _show(self, who: Caller) -> None:
        self.shown, self.message = False, ""
        try:
            view = await asyncio.to_thread(views.show_reimbursements, self.month, who.scope)
        except FinanceError as exc:
            self.message = str(exc)
            return
        self.rows, self.total = view.rows, view.total
        self.shown = True
