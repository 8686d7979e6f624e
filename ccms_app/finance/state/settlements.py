"""Finance -> Settlements: the revenue-share agreements (a ListState over
finance.partners.agreements.AGREEMENT_LIST), the agreement form, and a partner's month.

Days typed in the form are days in the operator's billing time zone (the organisation above
the partner); the state turns them into UTC instants before the use case checks them. A
partner's own login sees its agreements and its settlement read-only (`editable` is False
and the use case refuses a save anyway). Every handler needs finance:view (`@guarded`),
saving finance:edit, the CSV export finance:export.
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
from ccms_app.core.listing import ListSpec
from ccms_app.finance.documents.listing import operator_zone
from ccms_app.finance.errors import FinanceError, FinanceNotFound
from ccms_app.finance.partners import agreements, views
from ccms_app.finance.partners.agreements import AGREEMENT_LIST, AgreementInput, PartnerRefused
from ccms_app.finance.rules.settlement import (
    check_agreement,
    local_day,
    local_day_after,
    local_day_start,
)
from ccms_app.finance.state.tariff_common import Caller, as_id, caller
from ccms_app.ui.events import event
from ccms_app.ui.list_state import ListState

ALL = "all"  # the station select's "all stations" (a select item cannot be empty)
FIELDS = (
    "partner_organisation_id",
    "station_id",
    "name",
    "operator_percent",
    "fee_per_session",
    "platform_fee",
    "currency",
    "valid_from",
    "valid_until",
)


def _zone_of(organisation_id: int) -> str:
    """The billing zone agreements' days are read in: the operator's above the caller."""
    return operator_zone(agreements.operator_of(organisation_id))


@guarded(Module.FINANCE)
class AgreementListState(ListState, rx.State):
    """The agreements of the operator's partners (a partner: its own)."""

    zone: str = "UTC"
    editable: bool = False  # the caller's organisation makes agreements (an operator)

    def _list_spec(self) -> ListSpec:
        return AGREEMENT_LIST

    def _format_row(self, row: dict[str, Any]) -> dict[str, str]:
        return agreements.shown_agreement(row, self.zone)

    def _filter_options(self, scope: Collection[int]) -> dict[str, list[tuple[str, str]]]:
        choices = [(str(i), name) for i, name in agreements.partner_choices(scope)]
        return {"partner_organisation_id": choices}

    def _export_name(self) -> str:
        return "revenue-share-agreements.csv"

    @event
    async def load_context(self) -> None:
        """on_load, before `load`: the zone the days are in, and whether the caller edits."""
        who = await caller(self)
        if who is None:
            return
        self.zone = await asyncio.to_thread(_zone_of, who.organisation_id)
        self.editable = await asyncio.to_thread(agreements.edits_agreements, who.organisation_id)


def _input(values: dict[str, str], zone: str) -> tuple[AgreementInput, dict[str, str]]:
    """The form's strings as the use case's input, and the days that are no days."""
    errors: dict[str, str] = {}
    valid_from = local_day_start(values.get("valid_from", ""), zone)
    if values.get("valid_from", "").strip() and valid_from is None:
        errors["valid_from"] = tr("Give a day, e.g. 2026-01-01")
    until_text = values.get("valid_until", "").strip()
    valid_until = local_day_after(until_text, zone) if until_text else None
    if until_text and valid_until is None:
        errors["valid_until"] = tr("Give the last day, e.g. 2026-12-31, or leave it empty")
    station = values.get("station_id", ALL)
    data = AgreementInput(
        partner_organisation_id=as_id(values.get("partner_organisation_id", "")),
        station_id=None if station in ("", ALL) else as_id(station),
        name=values.get("name", ""),
        operator_percent=values.get("operator_percent", ""),
        fee_per_session=values.get("fee_per_session", ""),
        platform_fee=values.get("platform_fee", ""),
        currency=values.get("currency", ""),
        valid_from=valid_from,
        valid_until=valid_until,
    )
    return data, errors


@guarded(Module.FINANCE)
class AgreementFormState(rx.State):
    """The new / edit agreement dialog."""

    open: bool = False
    agreement_id: str = ""  # "" = a new agreement
    values: dict[str, str] = {}
    errors: rx.Field[dict[str, str]] = rx.field(default_factory=dict)
    message: str = ""
    partners: rx.Field[list[list[str]]] = rx.field(default_factory=list)
    stations: rx.Field[list[list[str]]] = rx.field(default_factory=list)
    zone: str = "UTC"
    busy: bool = False

    async def _prepare(self, who: Caller) -> None:
        self.zone = await asyncio.to_thread(_zone_of, who.organisation_id)
        self.partners = await asyncio.to_thread(views.partners_of, who.scope)
        self.errors, self.message = {}, ""

    async def _stations(self, who: Caller) -> None:
        partner = as_id(self.values.get("partner_organisation_id", ""))
        found = await asyncio.to_thread(agreements.station_choices, partner, who.scope)
        self.stations = [[ALL, tr(agreements.ALL_STATIONS)]] + [[str(i), n] for i, n in found]

    @event
    async def open_new(self) -> Any:
        who = await caller(self)
        if who is None:
            return rx.toast.error(tr(SESSION_ENDED))
        await self._prepare(who)
        first = self.partners[0][0] if self.partners else ""
        currency = await asyncio.to_thread(agreements.currency_for, as_id(first), who.scope)
        self.values = {name: "" for name in FIELDS} | {
            "partner_organisation_id": first,
            "station_id": ALL,
            "fee_per_session": "0",
            "platform_fee": "0",
            "currency": currency,
        }
        self.agreement_id = ""
        await self._stations(who)
        self.open = True
        return None

    @event
    async def open_edit(self, agreement_id: str) -> Any:
        who = await caller(self)
        if who is None:
            return rx.toast.error(tr(SESSION_ENDED))
        try:
            row = await asyncio.to_thread(agreements.get_agreement, as_id(agreement_id), who.scope)
        except FinanceNotFound as exc:
            return rx.toast.error(str(exc))
        await self._prepare(who)
        data = agreements.agreement_input(row)
        self.values = {
            "partner_organisation_id": str(data.partner_organisation_id),
            "station_id": ALL if data.station_id is None else str(data.station_id),
            "name": data.name,
            "operator_percent": data.operator_percent,
            "fee_per_session": data.fee_per_session,
            "platform_fee": data.platform_fee,
            "currency": data.currency,
            "valid_from": local_day(data.valid_from, self.zone),
            "valid_until": local_day(data.valid_until, self.zone, last=True),
        }
        self.agreement_id = str(row.id)
        await self._stations(who)
        self.open = True
        return None

    @event
    def set_value(self, name: str, value: str) -> None:
        self.values = {**self.values, name: value}

    @event
    async def set_partner(self, value: str) -> None:
        """Another partner: its stations (and its currency, for a new agreement)."""
        who = await caller(self)
        if who is None:
            return
        self.values = {**self.values, "partner_organisation_id": value, "station_id": ALL}
        if not self.agreement_id:
            currency = await asyncio.to_thread(agreements.currency_for, as_id(value), who.scope)
            self.values = {**self.values, "currency": currency}
        await self._stations(who)

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
        data, day_errors = _input(dict(self.values), self.zone)
        self.busy, self.errors, self.message = True, {}, ""
        try:
            if day_errors:  # saving now could store an open end: name the fields instead
                _values, field_errors = check_agreement(dict(self.values))
                raise FinanceError(tr("Not saved: check the days."), field_errors | day_errors)
            if self.agreement_id:
                await asyncio.to_thread(
                    agreements.update_agreement,
                    who.organisation_id,
                    who.scope,
                    as_id(self.agreement_id),
                    data,
                    who.actor,
                )
            else:
                await asyncio.to_thread(
                    agreements.create_agreement, who.organisation_id, who.scope, data, who.actor
                )
        except FinanceError as exc:
            self.errors = {**exc.errors, **day_errors}
            self.message = "" if self.errors else str(exc)
            return rx.toast.error(tr("Not saved: check the fields marked in red."))
        except (PartnerRefused, FinanceNotFound) as exc:
            self.message = str(exc)
            return None
        finally:
            self.busy = False
        self.open = False
        await (await self.get_state(AgreementListState))._reload()
        return rx.toast.success(tr("Agreement {name} saved.", name=repr(data.name.strip())))


@guarded(Module.FINANCE)
class SettlementState(rx.State):
    """A partner's month, as the operator and the partner both see it."""

    partners: rx.Field[list[list[str]]] = rx.field(default_factory=list)
    partner_id: str = ""
    month: str = ""
    title: str = ""
    period: str = ""
    agreements: rx.Field[list[dict[str, str]]] = rx.field(default_factory=list)
    totals: rx.Field[dict[str, str]] = rx.field(default_factory=dict)
    notes: rx.Field[list[str]] = rx.field(default_factory=list)
    uncovered: rx.Field[list[dict[str, str]]] = rx.field(default_factory=list)
    pdf_url: str = ""
    csv_url: str = ""
    message: str = ""
    shown: bool = False

    @event
    async def load(self) -> None:
        """on_load: the partners in scope, the first one, the last month over."""
        who = await caller(self)
        if who is None:
            return
        self.partners = await asyncio.to_thread(views.partners_of, who.scope)
        if self.partner_id not in {p[0] for p in self.partners}:
            self.partner_id = self.partners[0][0] if self.partners else ""
        if not self.month:
            self.month = await asyncio.to_thread(views.last_month, who.organisation_id)
        await self._show(who)

    @event
    async def set_partner(self, value: str) -> None:
        self.partner_id = value
        who = await caller(self)
        if who is not None:
            await self._show(who)

    @event
    async def set_month(self, value: str) -> None:
        self.month = value
        who = await caller(self)
        if who is not None and value:
            await self._show(who)

    async def _show(self, who: Caller) -> None:
        self.shown, self.message = False, ""
        if not self.partner_id:
            self.message = tr(
                "No partner yet: sub-operators are the partners agreements are made with."
            )
            return
        try:
            view = await asyncio.to_thread(
                views.show_settlement, as_id(self.partner_id), self.month, who.scope
            )
        except (FinanceError, FinanceNotFound) as exc:
            self.message = str(exc)
            return
        self.title, self.period = view.title, view.period
        self.agreements, self.totals = view.agreements, view.totals
        self.notes, self.uncovered = view.notes, view.uncovered
        self.pdf_url, self.csv_url = view.pdf_url, view.csv_url
        self.shown = True
