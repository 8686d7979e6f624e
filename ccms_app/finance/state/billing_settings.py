"""Finance -> Billing settings: one organisation's currency, VAT, rounding, time zone, seller
details and logo, for the organisations the operator may edit (its own and its
sub-operators'; a sub-operator only its own); and its payment settings (`PaymentSettingsState`:
card hold, wallet minimum, recharge amounts, top-up limits, memberships on/off).

Thin: `finance.billing_profiles` checks and stores (every wrong field named at once); the
inputs are controlled by `values`, so what the operator typed stays after an error. Viewing
needs finance:view (`@guarded`), saving and the logo finance:edit.

A reconnect or a reload loads the page again: it stays on the organisation chosen and keeps
every field typed and not saved (and the errors shown); the other fields, the logo and the
currency are read again. Another login in the tab starts on its own organisation, fresh.
"""

from __future__ import annotations

import asyncio
from typing import Any

import reflex as rx

from ccms_app.accounts import organisations
from ccms_app.accounts.gate_marks import guarded, requires
from ccms_app.accounts.rules.permissions import Action, Module
from ccms_app.accounts.state import AuthState
from ccms_app.accounts.state.auth import SESSION_ENDED, acting_email
from ccms_app.core.i18n import tr
from ccms_app.finance import billing_profiles
from ccms_app.finance.billing_profiles import ProfileNotFound
from ccms_app.finance.errors import FinanceError, FinanceNotFound
from ccms_app.finance.models import BillingProfile
from ccms_app.finance.payments import settings as payment_settings
from ccms_app.finance.payments import stripe_gateway
from ccms_app.finance.rules.billing_profile import LOGO_MAX_BYTES, BillingProfileError
from ccms_app.ui.events import event
from ccms_app.ui.reopen import ReopenAware, kept_edits

LOGO_UPLOAD_ID = "billing-logo-upload"


def form_key(actor: str, organisation_id: str) -> str:
    """Which login's form of which organisation's settings the tab holds: another login in
    the same tab never sees what this one typed."""
    return f"{actor}|{organisation_id}"


@guarded(Module.FINANCE)
class BillingSettingsState(ReopenAware, rx.State):
    """The chosen organisation's settings as the form shows them."""

    organisations: rx.Field[list[list[str]]] = rx.field(default_factory=list)  # [id, name]
    organisation_id: str = ""
    values: dict[str, str] = {}
    errors: rx.Field[dict[str, str]] = rx.field(default_factory=dict)
    message: str = ""
    logo: str = ""  # the stored logo's file name, "" for none
    loaded: bool = False
    busy: bool = False
    _read_values: dict[str, str] = {}  # the form as last read: what "typed" is measured against

    async def _scope(self) -> frozenset[int]:
        auth_state = await self.get_state(AuthState)
        if not auth_state.is_authenticated or not auth_state._organisation_id:
            return frozenset()
        return await asyncio.to_thread(
            organisations.organisation_scope, auth_state._organisation_id
        )

    def _show(self, profile: BillingProfile) -> None:
        form = billing_profiles.profile_form(profile)
        self.values, self._read_values = form, dict(form)
        self.logo = profile.logo_path
        self.errors, self.message = {}, ""

    def _refresh(self, profile: BillingProfile) -> None:
        """The stored settings again, keeping the fields typed, the errors and the message."""
        stored = billing_profiles.profile_form(profile)
        self.values = kept_edits(self.values, self._read_values, stored)
        self._read_values = stored
        self.logo = profile.logo_path

    @event
    async def load(self) -> None:
        """on_load (after the login check): the operator's own organisation first; loading
        again, the organisation chosen with what was typed (module docstring)."""
        auth_state = await self.get_state(AuthState)
        scope = await self._scope()
        if not scope:
            return
        choices = await asyncio.to_thread(billing_profiles.editable_organisations, scope)
        self.organisations = [[str(i), name] for i, name in choices]
        actor = acting_email(auth_state)
        chosen = self.organisation_id in {str(i) for i, _name in choices}
        if chosen and not self._opening_anew(form_key(actor, self.organisation_id)):
            await self._read(scope, keep_edits=True)
            return
        self.organisation_id = str(auth_state._organisation_id)
        self._opening_anew(form_key(actor, self.organisation_id))
        await self._read(scope)

    async def _read(self, scope: frozenset[int], keep_edits: bool = False) -> None:
        try:
            profile = await asyncio.to_thread(
                billing_profiles.get_profile, int(self.organisation_id or 0), scope
            )
        except ProfileNotFound:
            self.message = tr("No such organisation in your network.")
            return
        if keep_edits:
            self._refresh(profile)
        else:
            self._show(profile)
        self.loaded = True

    @event
    async def choose_organisation(self, value: str) -> Any:
        """Another organisation's settings: a fresh form (and payment section)."""
        self.organisation_id = value if value.isdigit() else ""
        actor = acting_email(await self.get_state(AuthState))
        self._opening_anew(form_key(actor, self.organisation_id))
        await self._read(await self._scope())
        return PaymentSettingsState.load

    @event
    def set_value(self, name: str, value: str) -> None:
        self.values = {**self.values, name: value}

    @requires(Action.EDIT)
    @event
    async def save(self):
        scope = await self._scope()
        if not scope:
            return rx.toast.error(tr(SESSION_ENDED))
        actor = acting_email(await self.get_state(AuthState))
        self.busy = True
        try:
            profile = await asyncio.to_thread(
                billing_profiles.save_profile,
                int(self.organisation_id or 0),
                dict(self.values),
                actor,
                scope,
            )
        except BillingProfileError as exc:
            self.errors, self.busy = exc.errors, False
            return rx.toast.error(tr("Not saved: check the fields marked in red."))
        except ProfileNotFound:
            self.busy = False
            return rx.toast.error(tr("No such organisation in your network."))
        self._show(profile)
        self.busy = False
        return rx.toast.success(tr("Billing settings saved."))

    @requires(Action.EDIT)
    @event
    async def upload_logo(self, files: list[rx.UploadFile]):
        if not files:
            return rx.toast.error(tr("Choose a PNG or JPEG file first."))
        scope = await self._scope()
        if not scope:
            return rx.toast.error(tr(SESSION_ENDED))
        actor = acting_email(await self.get_state(AuthState))
        data = await files[0].read(LOGO_MAX_BYTES + 1)  # one byte more tells "too big"
        try:
            profile = await asyncio.to_thread(
                billing_profiles.store_logo, int(self.organisation_id or 0), data, actor, scope
            )
        except BillingProfileError as exc:
            self.errors = {**self.errors, **exc.errors}
            return rx.toast.error(tr("Logo not stored: {get}.", get=exc.errors.get("logo", exc)))
        except ProfileNotFound:
            return rx.toast.error(tr("No such organisation in your network."))
        self.logo = profile.logo_path
        self.errors = {k: v for k, v in self.errors.items() if k != "logo"}
        return [rx.clear_selected_files(LOGO_UPLOAD_ID), rx.toast.success(tr("Logo stored."))]

    @requires(Action.EDIT)
    @event
    async def remove_logo(self):
        scope = await self._scope()
        if not scope:
            return rx.toast.error(tr(SESSION_ENDED))
        actor = acting_email(await self.get_state(AuthState))
        try:
            await asyncio.to_thread(
                billing_profiles.remove_logo, int(self.organisation_id or 0), actor, scope
            )
        except ProfileNotFound:
            return rx.toast.error(tr("No such organisation in your network."))
        self.logo = ""
        return rx.toast.success(tr("Logo removed."))


@guarded(Module.FINANCE)
class PaymentSettingsState(ReopenAware, rx.State):
    """The "Payments" section: the chosen organisation's payment settings (amounts typed in
    its billing currency), checked and stored by `finance.payments.settings`."""

    values: dict[str, str] = {}
    errors: rx.Field[dict[str, str]] = rx.field(default_factory=dict)
    currency: str = ""
    stripe_configured: bool = False
    loaded: bool = False
    busy: bool = False
    _read_values: dict[str, str] = {}  # the form as last read: what "typed" is measured against

    async def _target(self) -> tuple[int, frozenset[int]]:
        billing = await self.get_state(BillingSettingsState)
        return int(billing.organisation_id or 0), await billing._scope()

    @event
    async def load(self) -> None:
        """on_load after BillingSettingsState.load, and on a change of organisation. The same
        organisation loading again keeps the fields typed and not saved, and the errors."""
        organisation_id, scope = await self._target()
        if not scope:
            return
        actor = acting_email(await self.get_state(AuthState))
        anew = self._opening_anew(form_key(actor, str(organisation_id)))
        self.stripe_configured = stripe_gateway.configured()
        try:
            form, currency = await asyncio.to_thread(
                payment_settings.form_of, organisation_id, scope
            )
        except FinanceNotFound:
            self.loaded = False
            self._closed()
            return
        if anew:
            self.values, self.errors = form, {}
        else:
            self.values = kept_edits(self.values, self._read_values, form)
        self._read_values, self.currency, self.loaded = dict(form), currency, True

    @event
    def set_value(self, name: str, value: str) -> None:
        self.values = {**self.values, name: value}

    @event
    def set_memberships(self, enabled: bool) -> None:
        self.values = {**self.values, "memberships_enabled": "true" if enabled else "false"}

    @requires(Action.EDIT)
    @event
    async def save(self) -> Any:
        organisation_id, scope = await self._target()
        if not scope:
            return rx.toast.error(tr(SESSION_ENDED))
        actor = acting_email(await self.get_state(AuthState))
        self.busy = True
        try:
            await asyncio.to_thread(
                payment_settings.save, organisation_id, dict(self.values), actor, scope
            )
            form, currency = await asyncio.to_thread(
                payment_settings.form_of, organisation_id, scope
            )
        except FinanceNotFound:
            return rx.toast.error(tr("No such organisation in your network."))
        except FinanceError as exc:
            self.errors = dict(exc.errors)
            return rx.toast.error(tr("Payment settings not saved: check the fields marked in red."))
        finally:
            self.busy = False
        self.values, self.currency, self.errors = form, currency, {}
        self._read_values = dict(form)
        return rx.toast.success(tr("Payment settings saved."))
