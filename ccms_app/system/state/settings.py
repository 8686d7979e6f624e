"""The System settings page's network part: the connection policies (unknown charge points,
required passwords, second connections), applied as soon as they are chosen, and the recent
security events.

Both concern the whole network, so only operators of the root organisation see them and
only its administrators change them. The gate checks the login and the role (system:view,
system:edit for the changes) before every event; the root-organisation check is here and
again in `system.settings_admin.set_policy`, which audits each change (before -> after).
The rest of the page is `system_settings.SettingsState`.
"""

from __future__ import annotations

import asyncio
import dataclasses
import logging
from typing import Any

import reflex as rx

from ccms_app.accounts.gate_marks import guarded, requires
from ccms_app.accounts.roles import RefusedError
from ccms_app.accounts.rules.permissions import Action, Module
from ccms_app.accounts.state import AuthState
from ccms_app.accounts.state.auth import has_permission
from ccms_app.core.config import get_settings
from ccms_app.core.i18n import N_, gettext
from ccms_app.core.types import utc_now
from ccms_app.monitoring.view import format_time
from ccms_app.network import charger_security, security_events
from ccms_app.system import settings_admin
from ccms_app.system.rules.settings import SettingsInputError
from ccms_app.system.state.accounts import event_caller
from ccms_app.system.state.system_settings import SettingsState
from ccms_app.ui.events import event

log = logging.getLogger(__name__)

EVENT_LIMIT = 50
KIND_LABELS = {
    "auth_missing": N_("No password sent"),
    "auth_invalid": N_("Unusable credentials"),
    "auth_failed": N_("Wrong password"),
    "unknown_identity_refused": N_("Unknown identity refused"),
    "auth_required": N_("No password set (required)"),
    "duplicate_refused": N_("Second connection refused"),
    "duplicate_replaced": N_("Connection replaced"),
    "invalid_identity": N_("Invalid identity"),
    "lookalike_identity": N_("Look-alike identity"),
}
NOT_ALLOWED = N_("Only administrators of the network operator can change this.")


@dataclasses.dataclass
class SecurityEventRow:
    id: int = 0
    at: str = ""
    identity: str = ""
    remote: str = ""
    kind: str = ""
    label: str = ""
    detail: str = ""


def security_event_rows(
    views: list[security_events.SecurityEventView], language: str = "en"
) -> list[SecurityEventRow]:
    now = utc_now()
    return [
        SecurityEventRow(
            id=v.id,
            at=format_time(v.created_at, "UTC", now),
            identity=v.identity,
            remote=v.remote_address,
            kind=v.kind,
            label=gettext(language, KIND_LABELS[v.kind]) if v.kind in KIND_LABELS else v.kind,
            detail=v.detail,
        )
        for v in views
    ]


@guarded(Module.SYSTEM)
class SystemState(rx.State):
    """Per tab: the connection policies and security events, for the root operator."""

    loaded: bool = False
    can_view: bool = False  # an operator of the root organisation
    can_edit: bool = False  # ... and an administrator
    unknown_policy: str = charger_security.UNKNOWN_PENDING
    auth_required: bool = False
    duplicate_policy: str = charger_security.DUPLICATE_REFUSE
    events: rx.Field[list[SecurityEventRow]] = rx.field(default_factory=list)
    saving: bool = False
    error: str = ""
    ocpp_tls: bool = False

    @event
    async def load(self) -> None:
        account = await self._account()
        settings = await asyncio.to_thread(charger_security.network_settings)
        self._apply_permissions(account, settings)
        self._show(settings)
        self.ocpp_tls = get_settings().ocpp_tls
        self.error = ""
        self.events = await self._event_rows() if self.can_view else []
        self.loaded = True

    @event
    async def refresh_events(self) -> None:
        if self.can_view:
            self.events = await self._event_rows()

    @requires(Action.EDIT)
    @event
    async def set_unknown_policy(self, value: str):
        """Unknown identities: kept Pending for registration, or refused."""
        self.saving = True
        yield
        try:
            toast = await self._set("unknown_charge_points", str(value))
        finally:
            self.saving = False
        if toast is not None:
            yield toast

    @requires(Action.EDIT)
    @event
    async def set_auth_required(self, required: bool) -> Any:
        """Every known charge point must present its password, or connects without one."""
        return await self._set("charger_auth_required", bool(required))

    @requires(Action.EDIT)
    @event
    async def set_duplicate_policy(self, value: str) -> Any:
        """What a second connection for a live identity without a password gets."""
        return await self._set("duplicate_connections", str(value))

    async def _set(self, name: str, value: str | bool) -> Any:
        """Store one policy through the audited use case; the toast says what it now does."""
        language = await self._language()
        if not await self._may_edit():
            return None
        caller = await event_caller(self)
        if caller is None:
            return None
        try:
            settings = await asyncio.to_thread(settings_admin.set_policy, caller, name, value)
        except (charger_security.ChargerSecurityError, SettingsInputError) as exc:
            self.error = str(exc)
            return None
        except RefusedError:
            self.error = gettext(language, NOT_ALLOWED)
            return None
        self._show(settings)
        self.error = ""
        return [rx.toast.success(gettext(language, _saved_text(name, settings))), _trail_refresh()]

    def _show(self, settings: charger_security.NetworkSettings) -> None:
        self.unknown_policy = settings.unknown_charge_points
        self.auth_required = settings.charger_auth_required
        self.duplicate_policy = settings.duplicate_connections

    async def _may_edit(self) -> bool:
        """Re-check on the server: only administrators of the root operator change policies."""
        account = await self._account()
        settings = await asyncio.to_thread(charger_security.network_settings)
        self._apply_permissions(account, settings)
        if not self.can_edit:
            self.error = gettext(await self._language(), NOT_ALLOWED)
        return self.can_edit

    async def _language(self) -> str:
        return str((await self.get_state(AuthState)).language)

    async def _account(self) -> AuthState | None:
        """The tab's login as the gate confirmed it for this event; None when signed out."""
        auth_state = await self.get_state(AuthState)
        return auth_state if auth_state.is_authenticated else None

    def _apply_permissions(
        self, account: AuthState | None, settings: charger_security.NetworkSettings
    ) -> None:
        in_root = account is not None and account._organisation_id == settings.operator_id
        # Before any organisation exists, an administrator may still set up the network.
        first_setup = account is not None and settings.operator_id is None
        self.can_view = in_root or first_setup
        self.can_edit = (
            self.can_view
            and account is not None
            and has_permission(account, Module.SYSTEM, Action.EDIT)
        )

    async def _event_rows(self) -> list[SecurityEventRow]:
        try:
            views = await asyncio.to_thread(security_events.recent_security_events, EVENT_LIMIT)
        except Exception:
            log.exception("security events unavailable")
            return []
        return security_event_rows(views, await self._language())


def _saved_text(name: str, settings: charger_security.NetworkSettings) -> str:
    """What the policy now does, as the toast says it (a message id)."""
    if name == "unknown_charge_points":
        if settings.unknown_charge_points == charger_security.UNKNOWN_REJECT:
            return N_("Unknown charge points are now refused.")
        return N_("Unknown charge points are now kept Pending for registration.")
    if name == "charger_auth_required":
        if settings.charger_auth_required:
            return N_("Every charge point must now authenticate.")
        return N_("Charge points without a password may connect again.")
    if settings.duplicate_connections == charger_security.DUPLICATE_REPLACE:
        return N_("A second connection now replaces the live one.")
    return N_("A second connection is now refused.")


def _trail_refresh() -> Any:
    """The settings page's audit trail, re-read after a change."""
    return SettingsState.refresh_changes
