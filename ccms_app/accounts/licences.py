"""A licence in use: what an organisation has registered against its licence terms.

The terms are the organisation's (`principals.licence_terms`, decided by
`rules/licence.py`); this module counts, reads the terms from a form's text and writes
them as their holders read them (`licence_summary`: the licence card on Home).

A charge point counts once it is registered to the organisation (registered or disabled: a
disabled one keeps its place and can be registered again without asking); an unregistered
one waits for an operator and counts for nobody. Its connectors count with it.

Every path that registers charge points to an organisation (the charge point form, the
registration of an unknown charge point, the CLI, the CSV import, moving a station to
another owner) asks `refusal_in` inside its own write transaction, so two registrations
at once cannot both take the last place. Chargers never ask: an organisation past its
limit or its end date keeps serving drivers.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, replace
from datetime import date
from enum import StrEnum
from typing import Any

from babel.numbers import format_decimal
from sqlalchemy import func
from sqlalchemy.sql.elements import ColumnElement
from sqlmodel import Session, col, select

from ccms_app.accounts.models import Organisation
from ccms_app.accounts.principals import licence_terms
from ccms_app.accounts.rules.licence import (
    LicenceTerms,
    licence_day,
    licence_problem,
    registration_problem,
    validate_terms,
)
from ccms_app.core.db import read_session
from ccms_app.core.i18n import DEFAULT, babel_locale, reader_language, tr
from ccms_app.core.types import utc_now
from ccms_app.network.models import ChargePoint, Connector, RegistrationState

MAX_LICENCE_COUNT = 1_000_000  # far beyond any network; keeps the column an ordinary integer
LICENCE_FIELDS = ("max_charge_points", "max_connectors", "valid_from", "valid_to")


class LicenceStatus(StrEnum):
    ACTIVE = "active"
    ENDED = "ended"
    NOT_STARTED = "not started"


def counted_charge_points(organisation_id: Any) -> tuple[ColumnElement[bool], ...]:
    """The WHERE terms of the charge points that count against `organisation_id`'s licence
    (an id, or a column for a correlated count)."""
    return (
        col(ChargePoint.organisation_id) == organisation_id,
        col(ChargePoint.registration_state) != RegistrationState.UNREGISTERED,
    )


def usage_in(session: Session, organisation_id: int) -> tuple[int, int]:
    """(charge points, connectors) registered to the organisation, read in `session`."""
    where = counted_charge_points(organisation_id)
    charge_points = session.exec(select(func.count(col(ChargePoint.id))).where(*where)).one()
    connectors = session.exec(
        select(func.count(col(Connector.id)))
        .join(ChargePoint, col(ChargePoint.id) == Connector.charge_point_id)
        .where(*where)
    ).one()
    return int(charge_points), int(connectors)


def licence_usage(organisation_id: int) -> tuple[int, int]:
    """(charge points, connectors) registered to the organisation."""
    with read_session() as session:
        return usage_in(session, organisation_id)


def adding_problem(
    terms: LicenceTerms, charge_points: int, connectors: int, adding: int, adding_connectors: int
) -> str | None:
    """Why `adding` charge points with `adding_connectors` connectors in all may not join the
    `charge_points` / `connectors` registered already, or None. One charge point is the
    licence rule's own case; none (connectors added to a registered one) checks connectors
    only; several at once say how many they are."""
    after = connectors + adding_connectors
    if adding == 1:
        return registration_problem(terms, charge_points, after)
    if adding <= 0:
        if adding_connectors <= 0:
            return None
        return registration_problem(replace(terms, max_charge_points=None), charge_points, after)
    limit = terms.max_charge_points
    if limit is not None and charge_points + adding > limit:
        return tr(
            "The licence allows {limit} charge points; {count} are registered and this would "
            "add {adding}.",
            limit=limit,
            count=charge_points,
            adding=adding,
        )
    return registration_problem(replace(terms, max_charge_points=None), charge_points, after)


def refusal_in(
    session: Session, organisation_id: int, adding: int = 1, adding_connectors: int = 0
) -> str | None:
    """Why the organisation may not register `adding` more charge points (with
    `adding_connectors` connectors in all), in the caller's write transaction; None when
    it may. The message names the organisation and the licence's numbers."""
    organisation = session.get(Organisation, organisation_id)
    if organisation is None:
        return None  # the caller reports an unknown owner in its own words
    terms = licence_terms(organisation)
    if terms.max_charge_points is None and terms.max_connectors is None:
        return None  # no bound: nothing to count
    charge_points, connectors = usage_in(session, organisation_id)
    problem = adding_problem(terms, charge_points, connectors, adding, adding_connectors)
    if not problem:
        return None
    return tr("{organisation}: {problem}", organisation=organisation.name, problem=problem)


def registration_refusal(organisation_id: int, new_connectors: int) -> str | None:
    """Why one more charge point with `new_connectors` connectors may not be registered to
    the organisation, or None. (A registering path asks `refusal_in` in its transaction.)"""
    with read_session() as session:
        return refusal_in(session, organisation_id, 1, new_connectors)


# --- the licence as a form's text ---------------------------------------------------------


def terms_form(terms: LicenceTerms) -> dict[str, str]:
    def text(value: int | date | None) -> str:
        if value is None:
            return ""
        return value.isoformat() if isinstance(value, date) else str(value)

    return {name: text(getattr(terms, name)) for name in LICENCE_FIELDS}


def _count(raw: str, field: str, errors: dict[str, str]) -> int | None:
    text = raw.strip().replace(",", "").replace("_", "")
    if not text:
        return None
    try:
        value = int(text)
    except ValueError:
        errors[field] = tr("Give a whole number, or leave it empty for no limit.")
        return None
    if value < 0:
        errors[field] = tr("Cannot be negative: give 0 or more, or leave it empty for no limit.")
        return None
    if value > MAX_LICENCE_COUNT:
        errors[field] = tr("At most {max_licence_count:,}.", max_licence_count=MAX_LICENCE_COUNT)
        return None
    return value


def _day(raw: str, field: str, errors: dict[str, str]) -> date | None:
    text = raw.strip()
    if not text:
        return None
    try:
        return date.fromisoformat(text)
    except ValueError:
        errors[field] = tr("Give a date as YYYY-MM-DD, or leave it empty.")
        return None


def parse_terms(values: Mapping[str, str]) -> tuple[LicenceTerms, dict[str, str]]:
    """The licence typed in a form, and every field's problem."""
    errors: dict[str, str] = {}
    terms = LicenceTerms(
        max_charge_points=_count(values.get("max_charge_points", ""), "max_charge_points", errors),
        max_connectors=_count(values.get("max_connectors", ""), "max_connectors", errors),
        valid_from=_day(values.get("valid_from", ""), "valid_from", errors),
        valid_to=_day(values.get("valid_to", ""), "valid_to", errors),
    )
    try:
        validate_terms(terms)
    except ValueError as exc:
        errors.setdefault("valid_to", str(exc))
    return terms, errors


def describe_terms(terms: LicenceTerms) -> str:
    """The licence in one line, for the audit log."""
    charge_points = terms.max_charge_points if terms.max_charge_points is not None else "any"
    connectors = terms.max_connectors if terms.max_connectors is not None else "any"
    start = terms.valid_from.isoformat() if terms.valid_from else "open"
    end = terms.valid_to.isoformat() if terms.valid_to else "open"
    return f"{charge_points} charge points, {connectors} connectors, {start} to {end}"


# --- the licence as its holders see it ----------------------------------------------------


def licence_status(terms: LicenceTerms, today: date) -> LicenceStatus:
    if terms.valid_from is not None and today < terms.valid_from:
        return LicenceStatus.NOT_STARTED
    if terms.valid_to is not None and today > terms.valid_to:
        return LicenceStatus.ENDED
    return LicenceStatus.ACTIVE


def days_left(terms: LicenceTerms, today: date) -> int | None:
    """Days the licence is still in force, today included (dates are inclusive); None
    without an end date. Before the start: its whole length."""
    if terms.valid_to is None:
        return None
    first = max(today, terms.valid_from) if terms.valid_from is not None else today
    return max(0, (terms.valid_to - first).days + 1)


CHARGE_POINTS = "charge points"
CONNECTORS = "connectors"


def _count_text(value: int) -> str:
    """A count as the reader writes it (English: the digits alone, "1234")."""
    locale = babel_locale(reader_language())
    return str(value) if locale == DEFAULT else format_decimal(value, locale=locale)


def usage_text(used: int, limit: int | None, what: str) -> str:
    """ "12 / 50 charge points", or "12 charge points (no limit)" (`what`: CHARGE_POINTS or
    CONNECTORS), in the reader's language."""
    count = _count_text(used)
    if what == CONNECTORS:
        if limit is None:
            return tr("{used} connectors (no limit)", used=count)
        return tr("{used} / {limit} connectors", used=count, limit=_count_text(limit))
    if limit is None:
        return tr("{used} charge points (no limit)", used=count)
    return tr("{used} / {limit} charge points", used=count, limit=_count_text(limit))


def validity_text(terms: LicenceTerms, today: date) -> str:
    """The licence's dates as a sentence, in the reader's language: "Valid until 2026-03-31
    · 40 days left"."""
    status = licence_status(terms, today)
    if status == LicenceStatus.ENDED and terms.valid_to is not None:
        return tr("Ended on {date}", date=licence_day(terms.valid_to))
    if status == LicenceStatus.NOT_STARTED and terms.valid_from is not None:
        return tr("Starts on {date}", date=licence_day(terms.valid_from))
    if terms.valid_to is None:
        return tr("No end date")
    left = days_left(terms, today)
    if left == 1:
        return tr("Valid until {date} · 1 day left", date=licence_day(terms.valid_to))
    return tr(
        "Valid until {date} · {days} days left",
        date=licence_day(terms.valid_to),
        days=_count_text(left or 0),
    )


@dataclass(frozen=True)
class LicenceSummary:
    """What the licence card on a sub-operator's Home shows."""

    organisation_id: int
    organisation_name: str
    terms: LicenceTerms
    charge_points: int
    connectors: int
    status: LicenceStatus
    days_left: int | None
    charge_points_text: str  # "12 / 50 charge points"
    connectors_text: str  # "30 / 100 connectors"
    validity_text: str  # "Valid until 2026-03-31 · 40 days left"
    read_only_reason: str  # the licence's words when it allows no changes, else ""

    @property
    def at_limit(self) -> bool:
        """No further charge point can be registered (the card may warn)."""
        limit = self.terms.max_charge_points
        return limit is not None and self.charge_points >= limit


def has_terms(terms: LicenceTerms) -> bool:
    """Whether the organisation has a licence at all (the network operator has none)."""
    return any(
        value is not None
        for value in (
            terms.max_charge_points,
            terms.max_connectors,
            terms.valid_from,
            terms.valid_to,
        )
    )


def licence_summary(organisation_id: int, today: date | None = None) -> LicenceSummary | None:
    """The organisation's licence with its usage; None when it has no licence terms (the
    network operator itself): Home then shows no licence card."""
    day = today or utc_now().date()
    with read_session() as session:
        organisation = session.get(Organisation, organisation_id)
        if organisation is None:
            return None
        terms = licence_terms(organisation)
        if not has_terms(terms):
            return None
        charge_points, connectors = usage_in(session, organisation_id)
        name = organisation.name
    return LicenceSummary(
        organisation_id=organisation_id,
        organisation_name=name,
        terms=terms,
        charge_points=charge_points,
        connectors=connectors,
        status=licence_status(terms, day),
        days_left=days_left(terms, day),
        charge_points_text=usage_text(charge_points, terms.max_charge_points, CHARGE_POINTS),
        connectors_text=usage_text(connectors, terms.max_connectors, CONNECTORS),
        validity_text=validity_text(terms, day),
        read_only_reason=licence_problem(terms, day) or "",
    )
