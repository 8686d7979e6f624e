"""The licence check of an import: the charge points a file registers to an organisation
must fit that organisation's licence (accounts/licences.py), like one registered by hand.

Rows are taken in file order per organisation: a row that registers a charge point new to
its owner (new, unregistered, or another owner's) takes a place and its connectors; a row
that adds connectors to a registered one takes connector places. The first row past the
limit, and every one after it, gets the error, naming the licence's numbers. The check runs
in the plan, so the dry run reports it too and the import stays all or nothing.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlmodel import Session

from ccms_app.accounts.licences import adding_problem, usage_in
from ccms_app.accounts.models import Organisation
from ccms_app.accounts.principals import licence_terms
from ccms_app.core.i18n import tr
from ccms_app.network.csv_import.plan import ChargePointRow, Plan
from ccms_app.network.models import RegistrationState
from ccms_app.network.rules.csv_import import CHARGE_POINTS


@dataclass(frozen=True)
class _Claim:
    """What one row takes of its owner's licence."""

    row: ChargePointRow
    charge_points: int  # 1: new to the owner; 0: already counted there
    connectors: int  # connector places it adds


def _claim(row: ChargePointRow) -> _Claim | None:
    owner = row.values["organisation_id"]
    wanted = {c.connector_id for c in row.connectors}
    current = row.existing
    if (
        current is None
        or current.organisation_id != owner
        or current.registration_state == RegistrationState.UNREGISTERED
    ):
        # An empty connectors cell keeps the connectors it has: they come along.
        return _Claim(row, 1, len(wanted | set(row.current_connectors)))
    added = len(wanted - set(row.current_connectors))
    return _Claim(row, 0, added) if added else None


def check_licences(session: Session, plan: Plan, column: str) -> None:
    """Add an error (in `column`, the station's) to every row past its owner's licence."""
    claims: dict[int, list[_Claim]] = {}
    for row in plan.charge_points:
        claim = _claim(row)
        if claim is not None:
            claims.setdefault(int(row.values["organisation_id"]), []).append(claim)
    for organisation_id, owned in claims.items():
        organisation = session.get(Organisation, organisation_id)
        if organisation is None:
            continue
        terms = licence_terms(organisation)
        if terms.max_charge_points is None and terms.max_connectors is None:
            continue
        charge_points, connectors = usage_in(session, organisation_id)
        earlier = 0  # charge points registered by rows above this one
        for claim in owned:
            problem = adding_problem(
                terms, charge_points, connectors, claim.charge_points, claim.connectors
            )
            if problem:
                if earlier:
                    problem = tr(
                        "{problem} (counting {count} earlier in this file).",
                        problem=problem.rstrip("."),
                        count=earlier,
                    )
                message = tr(
                    "{organisation}: {problem}", organisation=organisation.name, problem=problem
                )
                plan.add_error(CHARGE_POINTS, claim.row.line, column, message)
            charge_points += claim.charge_points
            connectors += claim.connectors
            earlier += claim.charge_points
