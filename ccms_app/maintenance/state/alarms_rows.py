"""Alarm rows and choices as the Alarms pages show them (text only; no database here but
the choices read through the use case)."""

from __future__ import annotations

from collections.abc import Collection, Mapping
from typing import Any

from ccms_app.core.i18n import tr
from ccms_app.core.types import utc_now
from ccms_app.maintenance.alarms import listing
from ccms_app.maintenance.rules.alarm_admin import EXCLUSION_REASONS, duration_text
from ccms_app.maintenance.rules.alarm_causes import cause_label
from ccms_app.maintenance.rules.stored_text import close_reason_text, detail_text
from ccms_app.ui.list_state import shown_row

SEVERITY_COLOURS = {"critical": "red", "major": "orange", "minor": "amber", "warning": "blue"}
STATUS_COLOURS = {"open": "red", "acknowledged": "amber", "closed": "green"}
ME = "me"


def shown_alarm(row: Mapping[str, Any], operator_zone: str) -> dict[str, str]:
    """One alarm's cells as text (times in its station's zone, else `operator_zone`, with
    the abbreviation), CCMS's own words in the reader's language (`cause_text` and
    `excluded` are message ids: the page translates them)."""
    shown = shown_row(row, operator_zone, utc_now())
    connector = int(row.get("connector_id") or 0)
    code = " · ".join(str(v) for v in (row.get("error_code"), row.get("vendor_error_code")) if v)
    cause = str(row.get("cause") or "")
    detail = detail_text(cause, str(row.get("detail") or ""))
    shown.update(
        cause_text=cause_label(cause),
        connector=tr("connector {connector}", connector=connector)
        if connector
        else tr("whole charge point"),
        code=code,
        what=str(row.get("readable_cause") or row.get("info") or detail or ""),
        detail=detail,
        close_reason=close_reason_text(str(row.get("close_reason") or "")),
        downtime=duration_text(row.get("downtime_s")),
        excluded=EXCLUSION_REASONS.get(str(row.get("excluded_reason") or ""), ""),
        assignee=str(row.get("assignee") or ""),
    )
    return shown


def alarm_filter_options(scope: Collection[int]) -> dict[str, list[tuple[str, str]]]:
    """Stations, areas and people to filter by (the people after "me" and "nobody")."""
    found = listing.filter_choices(scope)
    people = [
        (ME, tr("Assigned to me")),
        (listing.UNASSIGNED, tr("Nobody")),
        *found["assignee_account_id"],
    ]
    return {**found, "assignee_account_id": people}
