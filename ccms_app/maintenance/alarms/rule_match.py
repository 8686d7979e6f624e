"""The alarm rule and the vendor error code that apply to an alarm, from the database.

Rules and vendor codes of the charge point's organisation and of the organisations above it
(a sub-operator's charger follows the network operator's rules too); on equal specificity the
charge point's own organisation's rule wins, then the oldest. Loaded once per session and
organisation: one engine batch raises many alarms (maintenance.rules.alarm_rules decides).
"""

from __future__ import annotations

from collections.abc import Iterable

from sqlmodel import Session, col, select

from ccms_app.accounts.models import Organisation
from ccms_app.maintenance.alarms.models import AlarmRule, VendorErrorCode
from ccms_app.maintenance.rules.alarm_rules import matching_rule, pick_vendor_code

_PARENTS = "alarm_org_parents"
_RULES = "alarm_rules"
_CODES = "alarm_vendor_codes"


def organisation_chain(session: Session, organisation_id: int) -> list[int]:
    """The organisation, then its parent, up to the network operator."""
    parents: dict[int, int | None] | None = session.info.get(_PARENTS)
    if parents is None:
        rows = session.exec(select(Organisation.id, Organisation.parent_id)).all()
        parents = {org_id: parent for org_id, parent in rows if org_id is not None}
        session.info[_PARENTS] = parents
    chain: list[int] = []
    current: int | None = organisation_id
    while current is not None and current not in chain:
        chain.append(current)
        current = parents.get(current)
    return chain


def rules_for(session: Session, organisation_id: int) -> list[AlarmRule]:
    """Enabled rules that may apply to the organisation's alarms, its own first."""
    cache: dict[int, list[AlarmRule]] = session.info.setdefault(_RULES, {})
    if organisation_id not in cache:
        chain = organisation_chain(session, organisation_id)
        rows = session.exec(
            select(AlarmRule).where(
                col(AlarmRule.organisation_id).in_(chain), col(AlarmRule.enabled).is_(True)
            )
        ).all()
        cache[organisation_id] = sorted(
            rows, key=lambda r: (chain.index(r.organisation_id), r.id or 0)
        )
    return cache[organisation_id]


def find_rule(
    session: Session, organisation_id: int, cause: str, vendor: str, model: str, error_code: str
) -> AlarmRule | None:
    return matching_rule(rules_for(session, organisation_id), cause, vendor, model, error_code)


def vendor_code_for(
    session: Session, organisation_id: int, vendor: str, model: str, vendor_error_code: str
) -> VendorErrorCode | None:
    """The operator's readable cause for a vendor's error code (vendor + model, then vendor)."""
    if not vendor_error_code.strip() or not vendor.strip():
        return None
    cache: dict[tuple[int, str], list[VendorErrorCode]] = session.info.setdefault(_CODES, {})
    key = (organisation_id, vendor_error_code.strip())
    if key not in cache:
        chain = organisation_chain(session, organisation_id)
        rows = session.exec(
            select(VendorErrorCode).where(
                col(VendorErrorCode.organisation_id).in_(chain),
                col(VendorErrorCode.vendor_error_code) == vendor_error_code.strip(),
            )
        ).all()
        cache[key] = sorted(rows, key=lambda c: (chain.index(c.organisation_id), c.id or 0))
    return pick_vendor_code(cache[key], vendor, model, vendor_error_code)


def prefetch_vendor_codes(session: Session, wanted: Iterable[tuple[int, str]]) -> None:
    """Load the vendor codes of many (organisation id, vendor error code) in one query per
    organisation (a storm names a handful of codes, but each was one query)."""
    cache: dict[tuple[int, str], list[VendorErrorCode]] = session.info.setdefault(_CODES, {})
    by_org: dict[int, set[str]] = {}
    for organisation_id, code in wanted:
        if code.strip() and (organisation_id, code.strip()) not in cache:
            by_org.setdefault(organisation_id, set()).add(code.strip())
    for organisation_id, codes in by_org.items():
        chain = organisation_chain(session, organisation_id)
        rows = session.exec(
            select(VendorErrorCode).where(
                col(VendorErrorCode.organisation_id).in_(chain),
                col(VendorErrorCode.vendor_error_code).in_(sorted(codes)),
            )
        ).all()
        for code in codes:
            found = [r for r in rows if r.vendor_error_code.strip() == code]
            cache[(organisation_id, code)] = sorted(
                found, key=lambda c: (chain.index(c.organisation_id), c.id or 0)
            )
