"""Alarm rules as the operator manages them: list, create, read, change, delete.

Maintenance -> Alarm rules and the REST API's /alarm-rules call these. Seeing needs
maintenance:view (the gate), changing maintenance:edit, checked here again (a refusal is
audited). A rule belongs to an organisation of the caller's scope; the roles it notifies
must be roles that scope sees (built-in, or custom roles of it). The form is strings
(`rules.alarm_rule_form.check_rule`); every wrong field is named at once.

Deleting a rule keeps its alarms: their `rule_id` is cleared (the severity they were raised
with stays as it was).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from sqlalchemy import update
from sqlmodel import Session, col, select

from ccms_app.accounts.roles import (
    Caller,
    InputError,
    NotFoundError,
    not_found,
    require,
    role_in_scope,
)
from ccms_app.accounts.rules.permissions import Action, Module, permission
from ccms_app.core import listing
from ccms_app.core.db import session_scope
from ccms_app.core.i18n import tr
from ccms_app.core.listing import ListColumn, ListSpec
from ccms_app.core.rows import stored_id
from ccms_app.core.types import utc_now
from ccms_app.maintenance.alarms.models import Alarm, AlarmRule
from ccms_app.maintenance.alarms.scoped import scoped_row
from ccms_app.maintenance.rules.alarm_rule_form import (
    FORM_FIELDS,
    RuleFormError,
    RuleValues,
    check_rule,
)

EDIT_PERMISSION = permission(Module.MAINTENANCE, Action.EDIT)
OBJECT = "alarm_rule"

RULE_LIST = ListSpec(
    name="alarm rules",
    base=lambda: select(AlarmRule),
    columns=(
        ListColumn("id", "Rule", AlarmRule.id),
        ListColumn("name", "Name", AlarmRule.name, searchable=True),
        ListColumn("cause", "Cause", AlarmRule.cause, filterable=True),
        ListColumn("vendor", "Vendor", AlarmRule.vendor, searchable=True),
        ListColumn("model", "Model", AlarmRule.model, searchable=True),
        ListColumn("error_code", "Error code", AlarmRule.error_code, sortable=False),
        ListColumn("severity", "Severity", AlarmRule.severity, filterable=True),
        ListColumn("notify_browser", "Browser", AlarmRule.notify_browser, sortable=False),
        ListColumn("notify_role_ids", "Role ids", AlarmRule.notify_role_ids, sortable=False),
        ListColumn(
            "email_recipients", "E-mail recipients", AlarmRule.email_recipients, sortable=False
        ),
        ListColumn("create_work_order", "Work order", AlarmRule.create_work_order, sortable=False),
        ListColumn(
            "work_order_priority",
            "Work order priority",
            AlarmRule.work_order_priority,
            sortable=False,
        ),
        ListColumn("enabled", "Enabled", AlarmRule.enabled, filterable=True),
        ListColumn(
            "organisation_id",
            "Organisation id",
            AlarmRule.organisation_id,
            filterable=True,
            sortable=False,
        ),
        ListColumn("updated_at", "Updated (UTC)", AlarmRule.updated_at),
    ),
    organisation_column=AlarmRule.organisation_id,
    id_column=AlarmRule.id,
    default_sort="name",
)


def rule_form(rule: AlarmRule | Mapping[str, Any]) -> dict[str, str]:
    """The rule as the form's strings (what check_rule takes back)."""
    values = rule if isinstance(rule, Mapping) else rule.model_dump()

    def text(name: str) -> str:
        value = values.get(name)
        if isinstance(value, bool):
            return "true" if value else "false"
        return "" if value is None else str(value)

    return {name: text(name) for name in FORM_FIELDS}


def _checked(session: Session, caller: Caller, form: Mapping[str, str]) -> RuleValues:
    errors: dict[str, str] = {}
    values = None
    try:
        values = check_rule(form)
    except RuleFormError as exc:
        errors = dict(exc.errors)
    if values is not None:
        scope = caller.scope()
        unknown = [
            str(i) for i in values.notify_role_ids if role_in_scope(session, i, scope) is None
        ]
        if unknown:
            errors["notify_role_ids"] = tr(
                "No role {unknown} in your organisation.", unknown=", ".join(unknown)
            )
    if errors or values is None:
        raise InputError(errors)
    return values


def _apply(rule: AlarmRule, values: RuleValues) -> None:
    rule.name, rule.cause, rule.severity = values.name, values.cause, values.severity
    rule.vendor, rule.model, rule.error_code = values.vendor, values.model, values.error_code
    rule.notify_browser, rule.notify_role_ids = values.notify_browser, values.role_ids_text
    rule.email_recipients = values.recipients_text
    rule.create_work_order = values.create_work_order
    rule.work_order_priority = values.work_order_priority
    rule.enabled = values.enabled
    rule.updated_at = utc_now()


def create_rule(caller: Caller, form: Mapping[str, str], organisation_id: int | None = None) -> int:
    """A new rule of `organisation_id` (default: the caller's); its id."""
    action = "alarm_rule.create"
    require(caller, EDIT_PERMISSION, action, OBJECT, "")
    owner = caller.organisation_id if organisation_id is None else organisation_id
    if owner not in caller.scope():
        not_found(caller, action, OBJECT, "", "organisation")
    with session_scope() as session:
        values = _checked(session, caller, form)
        rule = AlarmRule(organisation_id=owner, name=values.name, cause=values.cause)
        _apply(rule, values)
        session.add(rule)
        session.flush()
        return stored_id(rule.id)


def get_rule(rule_id: int, scope: frozenset[int]) -> dict[str, Any]:
    """The rule as the list shows it; NotFoundError outside `scope`."""
    row = listing.fetch_one(RULE_LIST, rule_id, scope)
    if row is None:
        raise NotFoundError(tr("No alarm rule {rule_id} in your organisation.", rule_id=rule_id))
    return row


def update_rule(caller: Caller, rule_id: int, form: Mapping[str, str]) -> None:
    """Change a rule: `form` may hold only the fields to change (the others keep theirs)."""
    action = "alarm_rule.update"
    require(caller, EDIT_PERMISSION, action, OBJECT, rule_id)
    with scoped_row(caller, AlarmRule, rule_id, action, OBJECT, "alarm rule") as (session, rule):
        merged = {**rule_form(rule), **{k: str(v) for k, v in form.items() if k in FORM_FIELDS}}
        _apply(rule, _checked(session, caller, merged))
        session.add(rule)


def delete_rule(caller: Caller, rule_id: int) -> str:
    """Delete the rule (its alarms stay, without a rule); its name."""
    action = "alarm_rule.delete"
    require(caller, EDIT_PERMISSION, action, OBJECT, rule_id)
    with scoped_row(caller, AlarmRule, rule_id, action, OBJECT, "alarm rule") as (session, rule):
        name = rule.name
        session.execute(update(Alarm).where(col(Alarm.rule_id) == rule_id).values(rule_id=None))
        session.delete(rule)
    return name
