"""Which alarm rule applies to an alarm, its severity, and the operator's readable cause for a
vendor error code. Pure: the rows come in as plain objects (maintenance.alarms.rule_match
loads them).

- A rule matches when each of its cause, vendor, model and error code is "" (anything) or
  equals the alarm's (vendor and model case-insensitively, as chargers spell them freely);
  disabled rules never match. The most specific rule (most non-empty fields) wins; among
  equally specific ones the first given (the caller orders them: own organisation's first,
  oldest first).
- Severity: the vendor error code's own severity when set, else the rule's, else the cause's
  default (DEFAULT_SEVERITY).
- Vendor error code: vendor + model exactly first, then the vendor's code for every model
  (model "").
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Protocol, TypeVar

from ccms_app.maintenance.rules import alarm_causes as causes

CRITICAL, MAJOR, MINOR, WARNING = "critical", "major", "minor", "warning"
SEVERITY_ORDER: tuple[str, ...] = (CRITICAL, MAJOR, MINOR, WARNING)  # most severe first

DEFAULT_SEVERITY = {
    causes.CONNECTOR_FAULTED: MAJOR,
    causes.OFFLINE: CRITICAL,
    causes.SECURITY_EVENT: CRITICAL,
    causes.FAILED_STARTS: MINOR,
    causes.FIRMWARE_FAILED: MINOR,
    causes.METER_ANOMALY: MINOR,
    causes.DIAGNOSTICS_FAILED: WARNING,
    causes.DATA_ISSUE: WARNING,
}


class RuleLike(Protocol):
    cause: str
    vendor: str
    model: str
    error_code: str
    severity: str
    enabled: bool


class VendorCodeLike(Protocol):
    vendor: str
    model: str
    vendor_error_code: str
    readable_cause: str
    severity: str


R = TypeVar("R", bound=RuleLike)
V = TypeVar("V", bound=VendorCodeLike)


def _same(wanted: str, actual: str) -> bool:
    return wanted.strip().casefold() == actual.strip().casefold()


def _matches(rule: RuleLike, cause: str, vendor: str, model: str, error_code: str) -> bool:
    return (
        rule.enabled
        and (not rule.cause or rule.cause == cause)
        and (not rule.vendor or _same(rule.vendor, vendor))
        and (not rule.model or _same(rule.model, model))
        and (not rule.error_code or rule.error_code.strip() == error_code.strip())
    )


def specificity(rule: RuleLike) -> int:
    return sum(bool(v.strip()) for v in (rule.cause, rule.vendor, rule.model, rule.error_code))


def matching_rule(
    rules: Iterable[R], cause: str, vendor: str, model: str, error_code: str
) -> R | None:
    """The most specific enabled rule matching the alarm, or None."""
    best: R | None = None
    for rule in rules:
        if _matches(rule, cause, vendor, model, error_code) and (
            best is None or specificity(rule) > specificity(best)
        ):
            best = rule
    return best


def default_severity(cause: str) -> str:
    return DEFAULT_SEVERITY.get(cause, MINOR)


def severity_for(cause: str, rule: RuleLike | None, vendor_code: VendorCodeLike | None) -> str:
    if vendor_code is not None and vendor_code.severity in SEVERITY_ORDER:
        return vendor_code.severity
    if rule is not None and rule.severity in SEVERITY_ORDER:
        return rule.severity
    return default_severity(cause)


def severity_rank(severity: str) -> int:
    """0 for the most severe; unknown values last."""
    return SEVERITY_ORDER.index(severity) if severity in SEVERITY_ORDER else len(SEVERITY_ORDER)


def pick_vendor_code(
    codes: Iterable[V], vendor: str, model: str, vendor_error_code: str
) -> V | None:
    """The readable cause of `vendor_error_code`: the vendor + model entry, else the vendor's
    entry for every model."""
    if not vendor_error_code.strip() or not vendor.strip():
        return None
    for_vendor = [
        c
        for c in codes
        if _same(c.vendor, vendor) and c.vendor_error_code.strip() == vendor_error_code.strip()
    ]
    exact = [c for c in for_vendor if c.model.strip() and _same(c.model, model)]
    if exact:
        return exact[0]
    general = [c for c in for_vendor if not c.model.strip()]
    return general[0] if general else None
