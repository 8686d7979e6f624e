"""A sub-operator's licence: how many charge points and connectors, from when to when.

Dates are calendar days, inclusive, in UTC. Past the end the organisation is read-only for
its people (chargers keep serving drivers); before the start likewise. No date = no bound.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from ccms_app.core.i18n import tr


@dataclass(frozen=True)
class LicenceTerms:
    max_charge_points: int | None = None
    max_connectors: int | None = None
    valid_from: date | None = None
    valid_to: date | None = None


def licence_problem(terms: LicenceTerms, today: date) -> str | None:
    """Why the licence does not allow changes today, or None while it is in force."""
    if terms.valid_from is not None and today < terms.valid_from:
        return f"The licence starts on {terms.valid_from.isoformat()}: read-only until then."
    if terms.valid_to is not None and today > terms.valid_to:
        return f"The licence ended on {terms.valid_to.isoformat()}: read-only."
    return None


def registration_problem(terms: LicenceTerms, charge_points: int, connectors: int) -> str | None:
    """Why one more charge point (with `connectors` after it) may not be registered, or None.

    `charge_points` is the count before this one; `connectors` the count including its own.
    """
    if terms.max_charge_points is not None and charge_points + 1 > terms.max_charge_points:
        return (
            f"The licence allows {terms.max_charge_points} charge points and "
            f"{charge_points} are registered."
        )
    if terms.max_connectors is not None and connectors > terms.max_connectors:
        return (
            f"The licence allows {terms.max_connectors} connectors; this would make {connectors}."
        )
    return None


def validate_terms(terms: LicenceTerms) -> None:
    """ValueError when the terms contradict themselves."""
    for label, value in (
        ("charge points", terms.max_charge_points),
        ("connectors", terms.max_connectors),
    ):
        if value is not None and value < 0:
            raise ValueError(tr("The number of {label} cannot be negative.", label=label))
    if terms.valid_from and terms.valid_to and terms.valid_to < terms.valid_from:
        raise ValueError(tr("The licence cannot end before it starts."))
