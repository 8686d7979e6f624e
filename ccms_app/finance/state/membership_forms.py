"""Finance -> Memberships: the plan form (create, edit, offer or not), the enrol form and the
cancel dialog. Thin: finance.memberships.plans / enrolment check and store, naming every
wrong field (shown under it); the inputs are controlled by `values`, so what the operator
typed stays after an error. Opening a form is a view (finance:view); saving, enrolling,
cancelling need finance:edit.
"""

from __future__ import annotations

import asyncio
from typing import Any

import reflex as rx

from ccms_app.accounts.gate_marks import guarded, requires
from ccms_app.accounts.rules.permissions import Action, Module
from ccms_app.accounts.state.auth import SESSION_ENDED
from ccms_app.core.i18n import tr
from ccms_app.finance.errors import FinanceError, FinanceNotFound
from ccms_app.finance.memberships import enrolment, plans
from ccms_app.finance.state.memberships import reload_lists
from ccms_app.finance.state.tariff_common import as_id, caller
from ccms_app.finance.wallets.models import HolderKind
from ccms_app.ui.events import event

NO_TARIFF = "none"  # a select item cannot have an empty value
AT_PERIOD_END, NOW = "period_end", "now"


def _pairs(choices: list[tuple[int, str]]) -> list[list[str]]:
    return [[str(value), label] for value, label in choices]


@guarded(Module.FINANCE)
class PlanFormState(rx.State):
    """The plan being created (`plan_id` "") or edited, as the form shows it."""

    is_open: bool = False
    plan_id: str = ""
    values: dict[str, str] = {}
    errors: rx.Field[dict[str, str]] = rx.field(default_factory=dict)
    message: str = ""
    organisations: list[list[str]] = []
    tariffs: list[list[str]] = []
    busy: bool = False

    @rx.var
    def tariff_choice(self) -> str:
        return self.values.get("member_tariff_id", "") or NO_TARIFF

    async def _open(self, plan_id: str, values: dict[str, str]) -> Any:
        who = await caller(self)
        if who is None:
            return rx.toast.error(tr(SESSION_ENDED))
        self.organisations = _pairs(await asyncio.to_thread(plans.organisation_choices, who.scope))
        self.tariffs = _pairs(await asyncio.to_thread(plans.tariff_choices, who.scope))
        self.plan_id = plan_id
        self.values = {"organisation_id": str(who.organisation_id), **values}
        self.errors, self.message, self.is_open = {}, "", True
        return None

    @event
    async def open_new(self) -> Any:
        return await self._open("", plans.plan_form())

    @event
    async def open_edit(self, plan_id: str) -> Any:
        who = await caller(self)
        if who is None:
            return rx.toast.error(tr(SESSION_ENDED))
        try:
            view = await asyncio.to_thread(plans.get_plan, who.scope, as_id(plan_id))
        except FinanceNotFound:
            return rx.toast.error(tr("No such plan in your network."))
        values = plans.plan_form(view) | {"organisation_id": str(view.organisation_id)}
        return await self._open(str(view.id), values)

    @event
    def set_value(self, name: str, value: str) -> None:
        if name == "member_tariff_id" and value == NO_TARIFF:
            value = ""
        self.values = {**self.values, name: value}

    @event
    def open_changed(self, is_open: bool) -> None:
        self.is_open = is_open

    @requires(Action.EDIT)
    @event
    async def save(self) -> Any:
        who = await caller(self)
        if who is None:
            return rx.toast.error(tr(SESSION_ENDED))
        self.errors, self.message, self.busy = {}, "", True
        try:
            if self.plan_id:
                view = await asyncio.to_thread(
                    plans.update_plan, who.scope, as_id(self.plan_id), dict(self.values)
                )
            else:
                organisation_id = as_id(self.values.get("organisation_id", ""))
                view = await asyncio.to_thread(
                    plans.create_plan, who.scope, organisation_id, dict(self.values), who.actor
                )
        except FinanceError as exc:
            self.errors, self.message = exc.errors, "" if exc.errors else str(exc)
            return None
        except FinanceNotFound:
            self.message = tr("This plan no longer exists in your network.")
            return None
        finally:
            self.busy = False
        self.is_open = False
        await reload_lists(self)
        return rx.toast.success(tr("Plan {view} saved.", view=view.name))

    @requires(Action.EDIT)
    @event
    async def set_offered(self, plan_id: str, offered: bool) -> Any:
        """Deactivate a plan (no new members; members keep it) or offer it again."""
        who = await caller(self)
        if who is None:
            return rx.toast.error(tr(SESSION_ENDED))
        try:
            view = await asyncio.to_thread(
                plans.set_plan_active, who.scope, as_id(plan_id), bool(offered)
            )
        except FinanceNotFound:
            return rx.toast.error(tr("No such plan in your network."))
        await reload_lists(self)
        if view.active:
            return rx.toast.success(tr("{plan} is offered again.", plan=view.name))
        return rx.toast.success(tr("{plan} takes no new members now.", plan=view.name))


@guarded(Module.FINANCE)
class MembershipActionsState(rx.State):
    """The enrol form and the cancel dialog."""

    enrol_open: bool = False
    plan_options: list[list[str]] = []
    plan_id: str = ""
    holder_kind: str = HolderKind.DRIVER
    holder_search: str = ""
    holder_options: list[list[str]] = []
    holder_id: str = ""
    errors: rx.Field[dict[str, str]] = rx.field(default_factory=dict)
    message: str = ""
    busy: bool = False
    cancel_id: str = ""  # "" = dialog closed
    cancel_label: str = ""
    cancel_when: str = AT_PERIOD_END
    cancel_error: str = ""

    # --- enrol ---------------------------------------------------------------------------

    async def _load_holders(self) -> None:
        who = await caller(self)
        if who is None:
            return
        found = await asyncio.to_thread(
            enrolment.holder_choices, who.scope, self.holder_kind, self.holder_search
        )
        self.holder_options = _pairs(found)

    @event
    async def open_enrol(self) -> Any:
        who = await caller(self)
        if who is None:
            return rx.toast.error(tr(SESSION_ENDED))
        self.plan_options = _pairs(await asyncio.to_thread(plans.plan_choices, who.scope))
        self.plan_id = self.plan_options[0][0] if self.plan_options else ""
        self.holder_kind, self.holder_search, self.holder_id = HolderKind.DRIVER, "", ""
        self.errors, self.message = {}, ""
        await self._load_holders()
        self.enrol_open = True
        return None

    @event
    def set_plan(self, value: str) -> None:
        self.plan_id = value
        self.errors = {k: v for k, v in self.errors.items() if k != "plan_id"}

    @event
    async def set_holder_kind(self, value: str) -> None:
        self.holder_kind = value if value in (HolderKind.DRIVER, HolderKind.GROUP) else "driver"
        self.holder_id, self.holder_search = "", ""
        await self._load_holders()

    @event
    async def search_holders(self, text: str) -> None:
        self.holder_search = text
        await self._load_holders()

    @event
    def set_holder(self, value: str) -> None:
        self.holder_id = value
        self.errors = {k: v for k, v in self.errors.items() if k != "holder_id"}

    @event
    def enrol_open_changed(self, is_open: bool) -> None:
        self.enrol_open = is_open

    @requires(Action.EDIT)
    @event
    async def enrol(self) -> Any:
        who = await caller(self)
        if who is None:
            return rx.toast.error(tr(SESSION_ENDED))
        self.errors, self.message, self.busy = {}, "", True
        try:
            member = await asyncio.to_thread(
                enrolment.enrol,
                who.scope,
                as_id(self.plan_id),
                self.holder_kind,
                as_id(self.holder_id),
                who.actor,
            )
        except FinanceError as exc:
            self.errors, self.message = exc.errors, "" if exc.errors else str(exc)
            return None
        finally:
            self.busy = False
        self.enrol_open = False
        await reload_lists(self)
        return rx.toast.success(
            tr(
                "{holder_name} is a member of {plan_name}.",
                holder_name=member.holder_name,
                plan_name=member.plan_name,
            )
        )

    # --- cancel --------------------------------------------------------------------------

    @event
    def open_cancel(self, membership_id: str, label: str) -> None:
        self.cancel_id, self.cancel_label = str(membership_id), str(label)
        self.cancel_when, self.cancel_error = AT_PERIOD_END, ""

    @event
    def set_cancel_when(self, value: str) -> None:
        self.cancel_when = NOW if value == NOW else AT_PERIOD_END

    @event
    def dialog_cancel_changed(self, is_open: bool) -> None:
        if not is_open:
            self.cancel_id = ""

    @requires(Action.EDIT)
    @event
    async def cancel_membership(self) -> Any:
        who = await caller(self)
        if who is None:
            return rx.toast.error(tr(SESSION_ENDED))
        self.busy = True
        try:
            member = await asyncio.to_thread(
                enrolment.cancel,
                who.scope,
                as_id(self.cancel_id),
                self.cancel_when == AT_PERIOD_END,
                who.actor,
            )
        except (FinanceError, FinanceNotFound) as exc:
            self.cancel_error = str(exc).strip("'")
            return None
        finally:
            self.busy = False
        self.cancel_id = ""
        await reload_lists(self)
        if member.ends_at_period_end:
            return rx.toast.success(
                tr(
                    "{holder_name}'s membership ends with its period.",
                    holder_name=member.holder_name,
                )
            )
        return rx.toast.success(
            tr("{holder_name}'s membership is cancelled.", holder_name=member.holder_name)
        )
