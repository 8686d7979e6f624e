"""System > Settings: every setting an operator looks for on one page, each kept where it
already lives, every change audited with its before and after values.

Where each setting lives (one store each; this module reads and writes them through their
own use cases and adds the checks and the audit trail):
- the operator's name, address, VAT id and contact e-mail, its currency and time zone: the
  organisation's billing profile (`finance.billing_profiles`, also Finance > Billing settings);
- the default tariff: the tariff assigned to the organisation's network
  (`finance.tariff_assignments`, target "network");
- recharge amounts and whether memberships are offered: the payment settings
  (`finance.payments.settings`); the plans themselves are Finance > Memberships;
- unknown charge points, required passwords, second connections: the root organisation's
  connection policies (`network.charger_security`);
- the heartbeat interval and the message log / meter sample retention: CCMS_* variables the
  operator may override (`system_setting`, read where used: `system.overrides`).

Who may change what (checked here, whatever the page shows): system:edit for anything;
the billing profile, tariff and payment settings also need finance:edit (they are Finance's
settings too, and a role without it must not change prices through this page); the
network-wide settings (connections, retention) only the root operator's people. Everyone
edits their own organisation's settings: a sub-operator its own basic information.

Every change is one audit entry per setting (action `system_setting.change`, object the
setting's key, detail "before -> after"); `recent_changes` reads them back for the page.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import datetime

from sqlmodel import col, select

from ccms_app.accounts import audit
from ccms_app.accounts.models import AuditEntry, Organisation
from ccms_app.accounts.roles import Caller, refuse, require
from ccms_app.accounts.rules.permissions import Action, Module, permission
from ccms_app.core.config import Settings, get_settings
from ccms_app.core.db import read_session, session_scope
from ccms_app.core.display import time_zone
from ccms_app.core.i18n import Message, _
from ccms_app.core.money import MoneyError, normalise_currency
from ccms_app.core.scheduler import get_scheduler
from ccms_app.core.types import utc_now
from ccms_app.finance import billing_profiles, tariff_assignments, tariffs
from ccms_app.finance.errors import FinanceError
from ccms_app.finance.memberships import plans
from ccms_app.finance.models import AssignmentTarget
from ccms_app.finance.payments import settings as payment_settings
from ccms_app.finance.rules.billing_profile import BillingProfileError
from ccms_app.network import charger_security
from ccms_app.network.rules.asset_validation import timezone_error
from ccms_app.retention import PURGE_JOB_ID, schedule_purge
from ccms_app.system import overrides
from ccms_app.system.models import SystemSetting
from ccms_app.system.rules.settings import (
    DEFAULT,
    HEARTBEAT,
    MESSAGE_LOG_DAYS,
    METER_SAMPLE_DAYS,
    OVERRIDES,
    SettingsInputError,
    changes,
    effective,
    parse_overrides,
)

log = logging.getLogger(__name__)

ACTION = "system_setting.change"
OBJECT_TYPE = "system_setting"
SYSTEM_EDIT = permission(Module.SYSTEM, Action.EDIT)
FINANCE_EDIT = permission(Module.FINANCE, Action.EDIT)
TRAIL_LIMIT = 20
_ONLY_THE_NETWORK_OPERATOR = _("Only the network operator changes this.")
NO_TARIFF = ""

# The page's sections and the fields each saves.
OPERATOR = "operator"
REGION = "region"
CHARGING = "charging"
CONNECTIONS = "connections"
RETENTION = "retention"
SECTIONS: dict[str, tuple[str, ...]] = {
    OPERATOR: ("seller_name", "seller_address", "seller_vat_id", "seller_email"),
    REGION: ("currency", "time_zone", "language"),
    CHARGING: ("default_tariff", "recharge_amounts", "memberships_enabled"),
    CONNECTIONS: (HEARTBEAT,),
    RETENTION: (MESSAGE_LOG_DAYS, METER_SAMPLE_DAYS),
}
FINANCE_SECTIONS = frozenset({OPERATOR, REGION, CHARGING})
NETWORK_SECTIONS = frozenset({CONNECTIONS, RETENTION})
POLICIES = ("unknown_charge_points", "charger_auth_required", "duplicate_connections")


@dataclass(frozen=True)
class SettingsView:
    """Everything the page shows, as the form's strings."""

    organisation_id: int
    organisation_name: str
    network_wide: bool  # the caller belongs to the root operator: network settings are theirs
    may_edit: bool  # system:edit
    may_edit_billing: bool  # ... and finance:edit
    values: dict[str, str]  # every section's fields; an override "" = follow the environment
    defaults: dict[str, int]  # the environment's value of each override
    tariff_choices: list[tuple[int, str]]
    currency: str
    plans_offered: int
    policies: charger_security.NetworkSettings


@dataclass(frozen=True)
class ChangeRow:
    """One audited change, as the page's trail lists it."""

    id: int
    at: datetime
    actor: str
    key: str
    detail: str
    outcome: str


# --- reading -----------------------------------------------------------------------------


def is_network_operator(caller: Caller) -> bool:
    """The caller belongs to the root organisation (or none exists yet: first setup)."""
    root = charger_security.network_settings().operator_id
    return root is None or root == caller.organisation_id


def settings_view(caller: Caller, settings: Settings | None = None) -> SettingsView:
    """The caller's organisation's settings, and the network's for the root operator."""
    env = settings or get_settings()
    org = caller.organisation_id
    own = frozenset({org})
    profile = billing_profiles.profile_form(billing_profiles.get_profile(org, own))
    payments, currency = payment_settings.form_of(org, own)
    network_wide = is_network_operator(caller)
    values = {
        **{k: profile[k] for k in (*SECTIONS[OPERATOR], *SECTIONS[REGION])},
        "default_tariff": _default_tariff_value(org),
        "recharge_amounts": payments.get("recharge_amounts", ""),
        "memberships_enabled": payments.get("memberships_enabled", "false"),
        **(_override_values() if network_wide else {}),
    }
    return SettingsView(
        organisation_id=org,
        organisation_name=_organisation_name(org),
        network_wide=network_wide,
        may_edit=SYSTEM_EDIT in caller.permissions,
        may_edit_billing={SYSTEM_EDIT, FINANCE_EDIT} <= caller.permissions,
        values=values,
        defaults={key: overrides.environment_value(key, env) for key in OVERRIDES},
        tariff_choices=_tariff_choices(org),
        currency=currency,
        plans_offered=len(plans.plan_choices(own, offered_only=True)),
        policies=charger_security.network_settings(),
    )


def _organisation_name(organisation_id: int) -> str:
    with read_session() as session:
        row = session.get(Organisation, organisation_id)
        return row.name if row is not None else ""


def _override_values() -> dict[str, str]:
    with read_session() as session:
        stored = overrides.stored_values(session)
    return {key: stored.get(key, "") for key in OVERRIDES}


def _tariff_choices(organisation_id: int) -> list[tuple[int, str]]:
    """The organisation's own tariffs: a network default must be its own (resolution only
    counts assignments of the charge point's organisation or its parent)."""
    return [(view.id, view.name) for view in tariffs.list_tariffs(frozenset({organisation_id}))]


def _default_assignment(organisation_id: int) -> tariff_assignments.AssignmentView | None:
    found = tariff_assignments.assignments(frozenset({organisation_id}))
    return next(
        (
            view
            for view in found
            if view.target == AssignmentTarget.NETWORK and view.target_id == organisation_id
        ),
        None,
    )


def _default_tariff_value(organisation_id: int) -> str:
    current = _default_assignment(organisation_id)
    return str(current.tariff_id) if current is not None else NO_TARIFF


def recent_changes(caller: Caller, limit: int = TRAIL_LIMIT) -> list[ChangeRow]:
    """The last settings changes the caller may see (its organisation and sub-operators),
    newest first."""
    scope = sorted(caller.scope())
    with read_session() as session:
        rows = session.exec(
            select(AuditEntry)
            .where(col(AuditEntry.action) == ACTION)
            .where(col(AuditEntry.organisation_id).in_(scope))
            .order_by(col(AuditEntry.occurred_at).desc(), col(AuditEntry.id).desc())
            .limit(limit)
        ).all()
    return [
        ChangeRow(int(r.id or 0), r.occurred_at, r.actor, r.object_id, r.detail, r.outcome)
        for r in rows
    ]


def organisation_zone(organisation_id: int) -> str:
    """The zone the trail's times are shown in: the organisation's billing time zone."""
    profile = billing_profiles.get_profile(organisation_id)
    return time_zone(profile.time_zone or "UTC").key


# --- changing ----------------------------------------------------------------------------


def save_section(caller: Caller, section: str, form: Mapping[str, str]) -> SettingsView:
    """Check and store one section's fields; SettingsInputError names every wrong field,
    RefusedError when the caller may not. Nothing is stored when a field is wrong."""
    if section not in SECTIONS:
        raise SettingsInputError({"section": _("Unknown settings section {name}.", name=section)})
    _may_change(caller, section)
    fields = {key: str(form[key]) for key in SECTIONS[section] if key in form}
    savers: dict[str, Callable[[Caller, dict[str, str]], None]] = {
        OPERATOR: _save_profile,
        REGION: _save_profile,
        CHARGING: _save_charging,
        CONNECTIONS: _save_overrides,
        RETENTION: _save_overrides,
    }
    savers[section](caller, fields)
    return settings_view(caller)


def _may_change(caller: Caller, section: str) -> None:
    action = f"{ACTION}.{section}"
    require(caller, SYSTEM_EDIT, action, OBJECT_TYPE, section)
    if section in FINANCE_SECTIONS:
        require(caller, FINANCE_EDIT, action, OBJECT_TYPE, section)
    if section in NETWORK_SECTIONS and not is_network_operator(caller):
        refuse(caller, action, OBJECT_TYPE, section, _ONLY_THE_NETWORK_OPERATOR)


def _record(caller: Caller, changed: Mapping[str, str]) -> None:
    for key, detail in changed.items():
        audit.record(caller.actor(), ACTION, object_type=OBJECT_TYPE, object_id=key, detail=detail)


# The organisation's basic information, currency and time zone: its billing profile.


def _profile_problems(fields: Mapping[str, str]) -> dict[str, Message]:
    """What this page checks before the billing profile does, in the reader's language."""
    errors: dict[str, Message] = {}
    if "currency" in fields:
        try:
            normalise_currency(fields["currency"])
        except MoneyError:
            errors["currency"] = _(
                "{value} is not an ISO 4217 currency code; use three letters such as EUR.",
                value=fields["currency"].strip()[:20] or "(empty)",
            )
    zone = fields.get("time_zone", "UTC").strip()
    if "time_zone" in fields and timezone_error(zone):
        errors["time_zone"] = _(
            "{value} is not a time zone; use an IANA name such as Europe/Berlin or UTC.",
            value=zone[:64] or "(empty)",
        )
    return errors


def _save_profile(caller: Caller, fields: dict[str, str]) -> None:
    org = caller.organisation_id
    own = frozenset({org})
    problems = _profile_problems(fields)
    if problems:
        raise SettingsInputError(problems)
    before = billing_profiles.profile_form(billing_profiles.get_profile(org, own))
    try:
        profile = billing_profiles.save_profile(org, fields, caller.email, own)
    except BillingProfileError as exc:
        raise SettingsInputError(_untranslated(exc.errors)) from exc
    after = billing_profiles.profile_form(profile)
    _record(caller, changes(before, {key: after[key] for key in fields}))


def _untranslated(errors: Mapping[str, str]) -> dict[str, Message]:
    """Another module's English messages, shown as they are."""
    return {key: Message(str(text)) for key, text in errors.items()}


# The default tariff, recharge amounts and memberships.


def _tariff_choice(caller: Caller, raw: str) -> tuple[int | None, str]:
    """(tariff id or None for no default, its name for the trail)."""
    text = raw.strip()
    if text == NO_TARIFF:
        return None, ""
    names = dict(_tariff_choices(caller.organisation_id))
    if not text.isdigit() or int(text) not in names:
        raise SettingsInputError(
            {"default_tariff": _("Choose one of your organisation's tariffs, or none.")}
        )
    return int(text), f"{names[int(text)]} (#{text})"


def _save_charging(caller: Caller, fields: dict[str, str]) -> None:
    org = caller.organisation_id
    own = frozenset({org})
    current = _default_assignment(org)
    before_tariff = f"{current.tariff_name} (#{current.tariff_id})" if current else ""
    tariff_id, after_tariff = (
        _tariff_choice(caller, fields["default_tariff"])
        if "default_tariff" in fields
        else (current.tariff_id if current else None, before_tariff)
    )
    paid = {k: v for k, v in fields.items() if k in ("recharge_amounts", "memberships_enabled")}
    before, _currency = payment_settings.form_of(org, own)
    try:
        payment_settings.save(org, paid, caller.email, own)
    except FinanceError as exc:
        problems = exc.errors or {"recharge_amounts": str(exc)}
        raise SettingsInputError(_untranslated(problems)) from exc
    after, _currency = payment_settings.form_of(org, own)
    _set_default_tariff(caller, current, tariff_id)
    _record(
        caller,
        {
            **changes({"default_tariff": before_tariff}, {"default_tariff": after_tariff}),
            **changes(before, {key: after[key] for key in paid}),
        },
    )


def _set_default_tariff(
    caller: Caller, current: tariff_assignments.AssignmentView | None, tariff_id: int | None
) -> None:
    org = caller.organisation_id
    own = frozenset({org})
    if current is not None and current.tariff_id == tariff_id:
        return
    if tariff_id is None:
        if current is not None:
            tariff_assignments.unassign(own, current.id)
        return
    try:
        tariff_assignments.assign(own, tariff_id, AssignmentTarget.NETWORK, org, caller.email)
    except FinanceError as exc:
        problems = exc.errors or {"default_tariff": str(exc)}
        raise SettingsInputError(_untranslated(problems)) from exc


# The network's overrides of the environment (heartbeat, retention).


def _save_overrides(caller: Caller, fields: dict[str, str]) -> None:
    values = parse_overrides(fields, tuple(fields))
    env = get_settings()
    now = utc_now()
    with session_scope() as session:
        stored = overrides.stored_values(session)
        before = {key: _shown_override(key, stored.get(key), env) for key in values}
        for key, value in values.items():
            row = session.get(SystemSetting, key)
            if value is None:
                if row is not None:
                    session.delete(row)
                continue
            row = row or SystemSetting(key=key, value=str(value))
            row.value, row.updated_by, row.updated_at = str(value), caller.email, now
            session.add(row)
    after = {
        key: _shown_override(key, None if value is None else str(value), env)
        for key, value in values.items()
    }
    _record(caller, changes(before, after))
    if {MESSAGE_LOG_DAYS, METER_SAMPLE_DAYS} & set(values):
        _purge_follows(env)


def _shown_override(key: str, stored: str | None, env: Settings) -> str:
    """How an override reads in the trail: "60", or "300 (default)" when the environment's
    value is in force."""
    default = overrides.environment_value(key, env)
    if stored is None:
        return f"{default} {DEFAULT}"
    return str(effective(key, stored, default))


def _purge_follows(env: Settings) -> None:
    """The hourly purge reads the days at each run; when the environment keeps everything
    it was never scheduled, so a retention set now starts it (no restart)."""
    scheduler = get_scheduler()
    if scheduler.running and scheduler.get_job(PURGE_JOB_ID) is None:
        schedule_purge(scheduler, env, overrides.retention_days(env))


# The root operator's connection policies (applied at once, as on the page before).


def set_policy(caller: Caller, name: str, value: str | bool) -> charger_security.NetworkSettings:
    """One connection policy: ChargerSecurityError for a value it does not know."""
    action = f"{ACTION}.{name}"
    require(caller, SYSTEM_EDIT, action, OBJECT_TYPE, name)
    if name not in POLICIES:
        raise SettingsInputError({name: _("Unknown setting {name}.", name=name)})
    if not is_network_operator(caller):
        refuse(caller, action, OBJECT_TYPE, name, _ONLY_THE_NETWORK_OPERATOR)
    before = charger_security.network_settings()
    if name == "unknown_charge_points":
        charger_security.set_unknown_charge_point_policy(str(value))
    elif name == "duplicate_connections":
        charger_security.set_duplicate_connection_policy(str(value))
    else:
        charger_security.set_charger_auth_required(bool(value))
    after = charger_security.network_settings()
    _record(caller, changes({name: getattr(before, name)}, {name: getattr(after, name)}))
    return after
