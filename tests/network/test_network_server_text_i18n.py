"""Text the server builds for the Assets pages, the Users pages and the data issues, in the
reader's language.

A station's availability summary and the map's legend (recomputed on pushes, so the state
says the tab's language itself), a CSV import's problems and its template's legend, a form's
field messages, a local list's out-of-date reasons and a sync's summary, a driver's group
memberships, the data issue dialog's state and policy, and the delete confirmations' texts.
English stays exactly as it was; each other language is the catalog's message.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import pytest

from ccms_app.charging import data_issue_admin
from ccms_app.charging.data_issues import DataIssueView
from ccms_app.charging.state.data_issues import _state_text, resolved_text
from ccms_app.core.i18n import catalog, reading_as, tr
from ccms_app.drivers.local_lists.outcomes import SyncResult
from ccms_app.drivers.local_lists.status import out_of_date_reasons
from ccms_app.drivers.state.overview import summary as sync_all_summary
from ccms_app.network.rules.asset_validation import validate_connector, validate_station
from ccms_app.network.rules.csv_import import (
    STATION_LAYOUT,
    parse_csv,
    template_csv,
)
from ccms_app.network.rules.station_availability import summary
from ccms_app.network.state.asset_actions import EXPLANATIONS
from ccms_app.network.state.map import build_figure
from ccms_app.network.station_map import StationMarker

LANGUAGES = ("de", "zh_Hans")


def _in(code: str, msgid: str, **values: Any) -> str:
    """`msgid` as the catalog of `code` words it (a missing translation fails here)."""
    return catalog(code)[msgid].format(**values)


def _marker(availability: str = "free") -> StationMarker:
    return StationMarker(1, "Depot North", "", 52.37, 4.9, availability, "", 1)


def test_english_is_unchanged() -> None:
    assert summary(["free", "offline", "free"]) == "3 charge points: 2 free, 1 offline"
    assert summary(["busy"]) == "1 charge point: 1 busy"
    assert build_figure([_marker()])["data"][0]["name"] == "Free"
    assert parse_csv(b"", STATION_LAYOUT).errors[0].message == (
        "The file is empty: it has no header row."
    )
    assert validate_station({"name": ""})[1]["name"] == "Station name is required"
    assert out_of_date_reasons(3, 3, 2) == ["2 change(s) not sent yet"]
    assert resolved_text(2) == "Resolved 2 data issues."
    assert "# name (required): at most 200 characters" in template_csv(STATION_LAYOUT)


@pytest.mark.parametrize("code", LANGUAGES)
def test_station_summary_and_map_legend(code: str) -> None:
    with reading_as(code):
        shown = summary(["free", "offline", "free"])
        one = summary(["busy"])
        figure = build_figure([_marker()])
    parts = f"{_in(code, '{count} free', count=2)}, {_in(code, '{count} offline', count=1)}"
    assert shown == _in(code, "{count} charge points: {parts}", count=3, parts=parts)
    assert one == _in(code, "1 charge point: {parts}", parts=_in(code, "{count} busy", count=1))
    assert [trace["name"] for trace in figure["data"]] == [
        _in(code, label) for label in ("Free", "Busy", "Faulted / out of service", "Offline")
    ]


@pytest.mark.parametrize("code", LANGUAGES)
def test_csv_import_problems_and_template(code: str) -> None:
    with reading_as(code):
        empty = parse_csv(b"", STATION_LAYOUT).errors[0].message
        unknown = parse_csv(b"name,colour\nDepot,red\n", STATION_LAYOUT).errors[0].message
        fields = validate_station({"name": "", "latitude": "north"})[1]
        connector = validate_connector({"connector_id": "", "connector_type": "Type2"})[1]
        template = template_csv(STATION_LAYOUT)
    assert empty == _in(code, "The file is empty: it has no header row.")
    known = ", ".join(STATION_LAYOUT.keys())
    assert unknown == _in(
        code, "Unknown column “{name}”. The columns are: {known}.", name="colour", known=known
    )
    assert fields["name"] == _in(code, "{field} is required", field=_in(code, "Station name"))
    assert fields["latitude"] == _in(
        code, "{field} must be a number, got {value}", field=_in(code, "Latitude"), value="'north'"
    )
    assert connector["connector_id"] == _in(code, "Connector id is required")
    legend = _in(code, "free text, at most 500 characters.")
    assert f"# address: {legend}" in template
    assert template.startswith("name,address,")  # the header stays what the import reads


@pytest.mark.parametrize("code", LANGUAGES)
def test_local_list_reasons_and_sync_summary(code: str) -> None:
    with reading_as(code):
        reasons = out_of_date_reasons(0, None, 2)
        line, ok = sync_all_summary([SyncResult(1, "CP-1", "accepted", "full update", 3)])
    assert reasons == [
        _in(code, "never synced"),
        _in(code, "{count} change(s) not sent yet", count=2),
    ]
    part = _in(code, "{count} {result}", count=1, result=_in(code, "accepted"))
    assert ok
    assert line == _in(code, "Sync all, {count} charge point(s): {parts}.", count=1, parts=part)


@pytest.mark.parametrize("code", LANGUAGES)
def test_data_issue_dialog_and_confirmations(code: str) -> None:
    resolved = DataIssueView(
        id=4,
        charge_point_id=1,
        identity="CP-1",
        kind="clock_ahead",
        detail="",
        payload="",
        created_at=datetime(2026, 5, 1, 9, 0, tzinfo=UTC),
        resolved_at=datetime(2026, 5, 1, 10, 0, tzinfo=UTC),
        resolved_by="ops@example.com",
    )
    policy = data_issue_admin.policy_for("clock_ahead")
    with reading_as(code):
        state = _state_text(resolved)
        done = resolved_text(2)
        title = tr(policy.title)
    assert state == _in(
        code,
        "Resolved {time} by {operator}",
        time="2026-05-01 10:00:00 UTC",
        operator="ops@example.com",
    )
    assert done == _in(code, "Resolved {count} data issues.", count=2)
    assert title == _in(code, "Charger clock ahead")
    policies = [p.text for p in data_issue_admin.KIND_POLICIES.values()]
    for text in (*EXPLANATIONS.values(), *policies):  # the dialogs show them (t_var, tr)
        assert catalog(code)[text] not in ("", text)
