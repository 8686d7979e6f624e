"""The entry points of a CSV import: the template, the check (a dry run) and the import."""

from __future__ import annotations

import logging
from collections.abc import Sequence

from sqlmodel import Session

from ccms_app.accounts.organisations import organisation_scope
from ccms_app.core.db import read_session, session_scope
from ccms_app.core.i18n import tr
from ccms_app.network.csv_import.charge_points import plan_charge_points
from ccms_app.network.csv_import.plan import Plan
from ccms_app.network.csv_import.report import ImportFile, ImportRefusedError, ImportReport
from ccms_app.network.csv_import.stations import StationIndex, plan_stations
from ccms_app.network.csv_import.write import write_plan
from ccms_app.network.rules.csv_import import (
    CHARGE_POINTS,
    LAYOUTS,
    STATIONS,
    CellError,
    ParsedCsv,
    detect_kind,
    parse_csv,
    template_csv,
)

log = logging.getLogger(__name__)


def template(kind: str) -> str:
    """The downloadable template: header, a commented example row, a legend (in the
    reader's language)."""
    return template_csv(LAYOUTS[kind])


def check_import(files: Sequence[ImportFile], organisation_id: int) -> ImportReport:
    """Validate the files and count what an import would create / update; writes nothing."""
    scope = organisation_scope(organisation_id)
    with read_session() as session:
        plan = build_plan(session, files, organisation_id, scope)
    return plan.report(applied=False)


def apply_import(files: Sequence[ImportFile], organisation_id: int) -> ImportReport:
    """Validate and write in one transaction; ImportRefusedError (nothing written) on errors."""
    scope = organisation_scope(organisation_id)
    with session_scope() as session:
        plan = build_plan(session, files, organisation_id, scope)
        if plan.errors:
            raise ImportRefusedError(plan.report(applied=False))
        write_plan(session, plan)
    report = plan.report(applied=True)
    log.info(
        "asset import applied",
        extra={
            "organisation_id": organisation_id,
            **{
                f"{s.kind}_{what}": getattr(s, what)
                for s in report.summaries
                for what in ("created", "updated", "unchanged")
            },
        },
    )
    return report


def build_plan(
    session: Session, files: Sequence[ImportFile], organisation_id: int, scope: frozenset[int]
) -> Plan:
    """Parse the files, then validate their rows against each other and the database."""
    plan = Plan(organisation_id)
    parsed = _parse_files(plan, files)
    if not parsed:
        plan.errors.append(CellError(0, "", tr("Choose a CSV file to import.")))
        return plan
    stations = StationIndex(session, organisation_id, scope)
    if STATIONS in parsed and parsed[STATIONS].header_ok:
        plan_stations(plan, parsed[STATIONS], stations)
    if CHARGE_POINTS in parsed and parsed[CHARGE_POINTS].header_ok:
        plan_charge_points(session, plan, parsed[CHARGE_POINTS], stations, scope)
    return plan


def _parse_files(plan: Plan, files: Sequence[ImportFile]) -> dict[str, ParsedCsv]:
    """Each file parsed by its kind; the parse errors (and a second file of a kind) go to plan."""
    parsed: dict[str, ParsedCsv] = {}
    for upload in files:
        kind = upload.kind or detect_kind(upload.data)
        if kind in parsed:
            two = (
                tr("Two charge points files: import one at a time.")
                if kind == CHARGE_POINTS
                else tr("Two stations files: import one at a time.")
            )
            plan.errors.append(CellError(0, "", two))
            continue
        result = parse_csv(upload.data, LAYOUTS[kind])
        plan.files[kind] = upload.name
        plan.row_counts[kind] = len(result.rows)
        plan.column_order[upload.name] = {name: i for i, name in enumerate(result.headers.values())}
        plan.errors += [CellError(e.row, e.column, e.message, upload.name) for e in result.errors]
        parsed[kind] = result
    return parsed
