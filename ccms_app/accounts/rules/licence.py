"""A sub-operator's licence: how many charge points and connectors, from when to when.

Dates are calendar days, inclusive, in UTC. Past the end the organisation is read-only for
its people (chargers keep serving drivers); before the start likewise. No date = no bound.

The reasons are worded in the reader's language (`tr`; English outside an event).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from ccms_app.core.display import format_date
from ccms_app.core.i18n import tr


@dataclass(frozen=True)
class LicenceTerms:
    max_charge_points: int | None = None
    max_connectors: int | None = None
    valid_from: date | None = None
    valid_to: date | None = None


def licence_day(day: date) -> str:
    """A licence date as the reader writes it ("2026-03-31" in English)."""
    return format_date(day, "%Y-%m-%d", "yMMMd")


def licence_problem(terms: LicenceTerms, today: date) -> str | None:
    """Why the licence does not allow changes today, or None while it is in force."""
    if terms.valid_from is not None and today < terms.valid_from:
        return tr(
            "The licence starts on {date}: read-only until then.",
            date=licence_day(terms.valid_from),
        )
    if terms.valid_to is not None and today > terms.valid_to:
        return tr("The licence ended on {date}: read-only.", date=licence_day(terms.valid_to))
    return None


def registration_problem(terms: LicenceTerms, charge_points: int, connectors: int) -> str | None:
    """Why one more charge point (with `connectors` after it) may not be registered, or None.

    `charge_points` is the count before this one; `connectors` the count including its own.
    """
    if terms.max_charge_points is not None and charge_points + 1 > terms.max_charge_points:
        return tr(
            "The licence allows {limit} charge points and {count} are registered.",
            limit=terms.max_charge_points,
            count=charge_points,
        )
    if terms.max_connectors is not None and connectors > terms.max_connectors:
        return tr(
            "The licence allows {limit} connectors; this would make {count}.",
            limit=terms.max_connectors,
            count=connectors,
        )
    return None


def validate_terms(terms: LicenceTerms) -> None:
    """ValueError when the terms contradict themselves."""
    if terms.max_charge_points is not None and terms.max_charge_points < 0:
        raise ValueError(tr("The number of charge points cannot be negative."))
    if terms.max_connectors is not None and terms.max_connectors < 0:
        raise ValueError(tr("The number of connectors cannot be negative."))
    if terms.valid_from and terms.valid_to and terms.valid_to < terms.valid_from:
        raise ValueError(tr("The licence cannot end before it starts."))
