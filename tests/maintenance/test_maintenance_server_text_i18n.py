"""What the server words on the Maintenance pages and in Live Monitoring's warnings, in the
reader's language: durations, an alarm's connector, close reason and detail, the alarm's
timeline and a work order's history (stored in English, worded where shown), the work order
"move" line, a plan's "every model", a charger event's detail, a station page's warnings.

Words are checked against the real catalogs (each must translate the message); English
comes out exactly as before (and as stored)."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from ccms_app.accounts.models import Organisation
from ccms_app.accounts.state import AuthState
from ccms_app.core.i18n import DEFAULT, catalog, reading_as, set_reader_language
from ccms_app.maintenance.rules.alarm_admin import duration_text
from ccms_app.maintenance.rules.stored_text import (
    activity_text,
    close_reason_text,
    description_text,
    detail_text,
    event_detail_text,
    history_text,
    title_text,
)
from ccms_app.maintenance.state.alarms import AlarmListState
from ccms_app.maintenance.state.alarms_rows import shown_alarm
from ccms_app.maintenance.state.plans import covers_text
from ccms_app.maintenance.state.work_orders_detail import move_text
from ccms_app.monitoring.snapshot import NetworkWarning
from ccms_app.monitoring.view import warning_row
from tests.finance.wallets.tabs import login
from tests.maintenance.alarms import seed

LANGUAGES = ("de", "zh_Hans")
NOW = datetime(2026, 11, 2, 9, 30, tzinfo=UTC)


def tr(language: str, msgid: str, **values: object) -> str:
    """The catalog's translation of `msgid` (it must have one), values filled in."""
    text = catalog(language).get(msgid)
    assert text, f"{language} lacks {msgid!r}"
    return text.format(**values) if values else text


def _alarm(**row: object) -> dict[str, object]:
    return {"id": 7, "cause": "connector_faulted", "connector_id": 2, **row}


def test_english_is_as_before() -> None:
    assert duration_text(7_500) == "2 h 05 min"
    assert duration_text(90_000) == "1 d 1 h"
    shown = shown_alarm(_alarm(close_reason="recovered: status Available", downtime_s=720), "UTC")
    assert shown["connector"] == "connector 2"
    assert shown["downtime"] == "12 min"
    assert shown["close_reason"] == "recovered: status Available"
    assert shown_alarm(_alarm(connector_id=0), "UTC")["connector"] == "whole charge point"
    raised = "Connector faulted; error code GroundFailure; info: water"
    assert activity_text("raised", raised) == raised
    assert activity_text("repeated", "repeated (10 occurrences)") == "repeated (10 occurrences)"
    assert history_text("time", "15 min: fuse") == "15 min: fuse"
    title = "Connector faulted on connector 2: GroundFailure"
    assert title_text(title) == title
    described = "Alarm #5 (major), raised 2026-01-02 10:30 UTC.\nThe charger said info: wet."
    assert description_text(described) == described
    assert move_text("", "open") == "new → Open"
    assert move_text("open", "in_progress") == "Open → In progress"
    assert covers_text("ABB", "") == "ABB every model"
    assert covers_text("", "") == "every model"
    assert event_detail_text("security", "wrong password from 10.0.0.9") == (
        "wrong password from 10.0.0.9"
    )
    warning = NetworkWarning(
        kind="fault", charge_point_id=1, identity="CP-1", message="Connector 1 faulted: X",
        connector_id=1, error_code="X", since=NOW,
    )  # fmt: skip
    assert warning_row(warning, "UTC", NOW).message == "Connector 1 faulted: X"


@pytest.mark.parametrize("language", LANGUAGES)
def test_row_texts_in_the_readers_language(language: str) -> None:
    with reading_as(language):
        assert duration_text(7_500) == tr(
            language, "{hours} h {minutes} min", hours=2, minutes="05"
        )
        assert duration_text(45) == tr(language, "{seconds} s", seconds=45)
        shown = shown_alarm(
            _alarm(
                cause="offline",
                connector_id=0,
                close_reason="recovered: back online",
                detail="no connection for more than 900 s",
                downtime_s=720,
            ),
            "UTC",
        )
        assert shown["connector"] == tr(language, "whole charge point")
        assert shown["downtime"] == tr(language, "{minutes} min", minutes=12)
        assert shown["close_reason"] == tr(
            language, "recovered: {what}", what=tr(language, "back online")
        )
        assert shown["detail"] == tr(
            language, "no connection for more than {seconds} s", seconds="900"
        )
        assert shown_alarm(_alarm(), "UTC")["connector"] == tr(
            language, "connector {connector}", connector=2
        )
        assert covers_text("ABB", "") == tr(language, "{vendor} every model", vendor="ABB")
        assert move_text("open", "in_progress") == tr(
            language,
            "{from_status} → {to_status}",
            from_status=tr(language, "Open"),
            to_status=tr(language, "In progress"),
        )


@pytest.mark.parametrize("language", LANGUAGES)
def test_stored_english_is_worded_where_shown(language: str) -> None:
    """The rows keep English; the alarm page and the work order page word them."""
    with reading_as(language):
        raised = activity_text("raised", "Connector faulted; error code GroundFailure; info: wet")
        assert raised == "; ".join(
            [
                tr(language, "Connector faulted"),
                tr(language, "error code {code}", code="GroundFailure"),
                tr(language, "info: {info}", info="wet"),
            ]
        )
        assert activity_text("repeated", "repeated (10 occurrences)") == tr(
            language, "repeated ({count} occurrences)", count="10"
        )
        assert activity_text("comment", "repeated (10 occurrences)") == (
            "repeated (10 occurrences)"  # a person's comment stays as typed
        )
        assert close_reason_text("Replaced the RCD") == "Replaced the RCD"
        assert detail_text("failed_starts", "3 failed transaction starts in a row") == tr(
            language, "{count} failed transaction starts in a row", count="3"
        )
        assert history_text("time", "15 min: fuse") == tr(
            language, "{minutes} min: {note}", minutes="15", note="fuse"
        )
        assert history_text("status", "created (alarm)") == tr(
            language, "created ({source})", source=tr(language, "alarm")
        )
        assert title_text("Connector faulted on connector 2: GroundFailure") == tr(
            language,
            "{cause} on connector {connector}: {told}",
            cause=tr(language, "Connector faulted"),
            connector="2",
            told="GroundFailure",
        )
        assert title_text("Replace the cable") == "Replace the cable"  # a person's title
        described = "Alarm #5 (major), raised 2026-01-02 10:30 UTC.\nThe charger said info: wet."
        assert description_text(described) == "\n".join(
            [
                tr(
                    language,
                    "Alarm #{id} ({severity}), raised {at} UTC.",
                    id="5",
                    severity=tr(language, "major"),
                    at="2026-01-02 10:30",
                ),
                tr(language, "The charger said {what}.", what="info: wet"),
            ]
        )
        assert event_detail_text("security", "wrong password from 10.0.0.9") == tr(
            language,
            "{detail} from {address}",
            detail=tr(language, "wrong password"),
            address="10.0.0.9",
        )


@pytest.mark.parametrize("language", LANGUAGES)
def test_a_station_pages_warning_is_in_its_readers_language(language: str) -> None:
    warning = NetworkWarning(
        kind="fault", charge_point_id=1, identity="CP-1", message="Connector 1 faulted: X",
        connector_id=1, error_code="X", since=NOW,
    )  # fmt: skip
    with reading_as(language):
        assert warning_row(warning, "UTC", NOW).message == tr(
            language, "Connector {connector} faulted: {error}", connector=1, error="X"
        )
        # Home's shared view keeps English (each language's text is worded apart)
        assert warning_row(warning, "UTC", NOW, "en").message == "Connector 1 faulted: X"


async def test_the_alarm_list_is_worded_again_when_the_tab_switches_language(
    organisation: Organisation,
) -> None:
    """Rows worded on the server follow the tab's language switch (the page's language watch
    sends `follow_language`)."""
    org = organisation.id or 0
    seed.alarm(org, seed.charge_point(org), connector_id=2)
    tab = login(org, "tech@ccms.test", {"maintenance:view"}).at("/maintenance/alarms")
    try:
        await tab.send(AlarmListState, "open_page")
        await tab.send(AlarmListState, "load")
        alarms = await tab.state(AlarmListState)
        assert [r["connector"] for r in alarms.rows] == ["connector 2"]
        assert alarms.filter_options["assignee_account_id"][0] == ["me", "Assigned to me"]
        for language in LANGUAGES:
            await tab.send(AuthState, "choose_language", code=language)
            await tab.send(AlarmListState, "follow_language")
            assert [r["connector"] for r in alarms.rows] == [
                tr(language, "connector {connector}", connector=2)
            ]
    finally:
        set_reader_language(DEFAULT)
