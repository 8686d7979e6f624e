"""An alarm rule as the operator types it: every field checked, every error at once.

Pure: the form arrives as strings (the web form's, or the REST body turned into them) and
leaves as `RuleValues` or a `RuleFormError` whose `errors` name each wrong field. Whether
the role ids exist is the use case's question (it needs the database); here they only
have to be numbers.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass

from ccms_app.core.i18n import tr
from ccms_app.maintenance.rules.alarm_causes import CAUSE_LABELS
from ccms_app.maintenance.rules.alarm_rules import SEVERITY_ORDER
from ccms_app.maintenance.rules.sla import PRIORITY_LABELS

MAX_NAME = 120
MAX_VENDOR = 50
MAX_MODEL = 50
MAX_ERROR_CODE = 32
MAX_RECIPIENTS_TEXT = 2000  # AlarmRule.email_recipients
MAX_ROLE_IDS_TEXT = 500  # AlarmRule.notify_role_ids
MAX_EMAIL = 320
MAX_RECIPIENTS = 50
FORM_FIELDS = (
    "name", "cause", "vendor", "model", "error_code", "severity", "notify_browser",
    "notify_role_ids", "email_recipients", "create_work_order", "work_order_priority",
    "enabled",
)  # fmt: skip
BOOLEAN_FIELDS = ("notify_browser", "create_work_order", "enabled")
TRUE_WORDS = ("true", "yes", "1", "on")
FALSE_WORDS = ("false", "no", "0", "off", "")

SEVERITY_LABELS: dict[str, str] = {s: s.capitalize() for s in SEVERITY_ORDER}
__all__ = [
    "CAUSE_LABELS",
    "PRIORITY_LABELS",
    "RuleFormError",
    "RuleValues",
    "check_rule",
    "parse_recipients",
]

_EMAIL = re.compile(r"[^@\s,;<>\"]+@[^@\s,;<>\"]+\.[^@\s.,;<>\"]+")
_SPLIT = re.compile(r"[,;\n\r]+")


class RuleFormError(ValueError):
    """`errors` maps each wrong field to what is wrong with it."""

    def __init__(self, errors: Mapping[str, str]) -> None:
        super().__init__(" ".join(errors.values()))
        self.errors = dict(errors)


@dataclass(frozen=True)
class RuleValues:
    name: str
    cause: str
    vendor: str
    model: str
    error_code: str
    severity: str
    notify_browser: bool
    notify_role_ids: tuple[int, ...]
    email_recipients: tuple[str, ...]
    create_work_order: bool
    work_order_priority: str
    enabled: bool

    @property
    def role_ids_text(self) -> str:
        return ",".join(str(i) for i in self.notify_role_ids)

    @property
    def recipients_text(self) -> str:
        return ", ".join(self.email_recipients)


def parse_recipients(text: str) -> tuple[list[str], str]:
    """The addresses of a comma / semicolon / newline separated list (lower-cased, each
    once, in order) and the error naming the first bad one ("" when all are good)."""
    found: list[str] = []
    for part in _SPLIT.split(text):
        address = part.strip()
        if not address:
            continue
        if len(address) > MAX_EMAIL or not _EMAIL.fullmatch(address):
            return found, tr("{address} is not an e-mail address.", address=repr(address[:80]))
        if address.lower() not in found:
            found.append(address.lower())
    if len(found) > MAX_RECIPIENTS:
        return found, tr("At most {limit} recipients per rule.", limit=MAX_RECIPIENTS)
    return found, ""


def parse_role_ids(text: str) -> tuple[list[int], str]:
    """Role ids of a comma-separated list, and the error naming the first that is no id."""
    found: list[int] = []
    for part in re.split(r"[,;\s]+", text):
        if not part:
            continue
        if not part.isdigit() or len(part) > 18 or int(part) < 1:
            return found, tr("{value} is not a role id.", value=repr(part[:40]))
        if int(part) not in found:
            found.append(int(part))
    return found, ""


def _flag(form: Mapping[str, str], name: str, default: bool, errors: dict[str, str]) -> bool:
    raw = str(form.get(name, "true" if default else "false")).strip().lower()
    if raw in TRUE_WORDS:
        return True
    if raw in FALSE_WORDS:
        return False
    errors[name] = tr("Yes or no.")
    return default


def _text(form: Mapping[str, str], name: str, limit: int, errors: dict[str, str]) -> str:
    value = str(form.get(name, "")).strip()
    if len(value) > limit:
        errors[name] = tr(
            "At most {limit} characters ({count} given).", limit=limit, count=len(value)
        )
    return value


def _choice(
    form: Mapping[str, str], name: str, labels: Mapping[str, str], errors: dict[str, str]
) -> str:
    value = str(form.get(name, "")).strip()
    if value not in labels:
        shown = f"{value[:40]!r}" if value else "nothing"
        errors[name] = tr(
            "Choose one of {labels} ({shown} given).", labels=", ".join(labels), shown=shown
        )
    return value


def check_rule(form: Mapping[str, str]) -> RuleValues:
    """The rule the form describes; RuleFormError naming every wrong field."""
    errors: dict[str, str] = {}
    name = _text(form, "name", MAX_NAME, errors)
    if not name and "name" not in errors:
        errors["name"] = tr("Give the rule a name.")
    cause = _choice(form, "cause", CAUSE_LABELS, errors)
    severity = _choice(form, "severity", SEVERITY_LABELS, errors)
    priority_form = {**form, "work_order_priority": form.get("work_order_priority") or "medium"}
    priority = _choice(priority_form, "work_order_priority", PRIORITY_LABELS, errors)
    vendor = _text(form, "vendor", MAX_VENDOR, errors)
    model = _text(form, "model", MAX_MODEL, errors)
    error_code = _text(form, "error_code", MAX_ERROR_CODE, errors)
    if model and not vendor and "vendor" not in errors:
        errors["vendor"] = tr("A model belongs to a vendor: give the vendor too.")
    recipients_text = str(form.get("email_recipients", ""))
    recipients, bad = parse_recipients(recipients_text[: MAX_RECIPIENTS_TEXT * 2])
    if bad:
        errors["email_recipients"] = bad
    elif len(", ".join(recipients)) > MAX_RECIPIENTS_TEXT:
        errors["email_recipients"] = tr(
            "At most {max_recipients_text} characters of addresses.",
            max_recipients_text=MAX_RECIPIENTS_TEXT,
        )
    role_ids, bad_role = parse_role_ids(str(form.get("notify_role_ids", ""))[:2000])
    if bad_role:
        errors["notify_role_ids"] = bad_role
    elif len(",".join(str(i) for i in role_ids)) > MAX_ROLE_IDS_TEXT:
        errors["notify_role_ids"] = tr("Too many roles.")
    notify_browser = _flag(form, "notify_browser", True, errors)
    create_work_order = _flag(form, "create_work_order", False, errors)
    enabled = _flag(form, "enabled", True, errors)
    if errors:
        raise RuleFormError(errors)
    return RuleValues(
        name=name,
        cause=cause,
        vendor=vendor,
        model=model,
        error_code=error_code,
        severity=severity,
        notify_browser=notify_browser,
        notify_role_ids=tuple(role_ids),
        email_recipients=tuple(recipients),
        create_work_order=create_work_order,
        work_order_priority=priority,
        enabled=enabled,
    )
