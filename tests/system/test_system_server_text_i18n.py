"""Text the server builds for the System and Account pages, in the reader's language.

The audit log's sentences are message ids the page translates (and its search finds them in
the reader's words); a sub-operator's usage and licence, a licence's read-only reason, a
webhook receiver's stored outcome, a role's refusal and the HTTP gate's answer are worded for
the reader. English stays exactly as it was; each other language is the catalog's message.
"""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

import pytest
from starlette.requests import Request

from ccms_app.accounts import http_gate
from ccms_app.accounts.audit_log import shown_row
from ccms_app.accounts.rules.audit_labels import actions_labelled
from ccms_app.accounts.rules.licence import LicenceTerms, licence_day, licence_problem
from ccms_app.accounts.rules.permissions import GRANT, RoleProblem, validate_role
from ccms_app.accounts.sub_operators import describe_row
from ccms_app.core.i18n import catalog, gettext, reading_as
from ccms_app.webhooks.rules.outcomes import no_answer, no_connection, outcome_text

TODAY = date(2026, 3, 2)
LANGUAGES = ("de", "zh_Hans")


def _in(code: str, msgid: str, **values: Any) -> str:
    """`msgid` as the catalog of `code` words it (a missing translation fails here)."""
    return catalog(code)[msgid].format(**values)


def test_audit_rows_carry_message_ids_the_page_translates() -> None:
    row = {
        "id": 7,
        "action": "driver_list.export_csv",
        "object_type": "id_tag_actions",
        "object_id": "",
        "detail": "{'pk': 12}",
        "outcome": "ok",
    }
    shown = shown_row(row, "UTC")
    assert shown["action"] == "Exported the drivers list"  # English, as the export writes it
    blocked = shown_row({**row, "action": "id_tag_actions.block"}, "UTC")
    assert (blocked["action"], blocked["object_id"]) == ("Blocked an RFID card", "RFID card 12")
    assert (blocked["object_noun"], blocked["object_ref"]) == ("RFID card", "12")
    for code in LANGUAGES:  # every sentence and noun shown is in the catalogs (t_var)
        for msgid in (shown["action"], blocked["action"], blocked["object_noun"]):
            assert catalog(code)[msgid] not in ("", msgid)


def test_the_audit_search_finds_a_label_in_the_readers_words() -> None:
    assert "id_tag_actions.block" in actions_labelled("blocked an rfid")
    for code in LANGUAGES:
        term = _in(code, "Blocked an RFID card")
        with reading_as(code):
            assert "id_tag_actions.block" in actions_labelled(term)


def test_a_sub_operator_row_is_worded_for_the_reader() -> None:
    row = {
        "id": 3,
        "name": "Sub A",
        "charge_points": 12,
        "connectors": 30,
        "max_charge_points": 50,
        "max_connectors": None,
        "valid_from": None,
        "valid_to": None,
    }
    english = describe_row(row, TODAY)
    assert (english["charge_points"], english["connectors"], english["valid_to"]) == (
        "12 / 50 charge points",
        "30 connectors (no limit)",
        "no end date",
    )
    for code in LANGUAGES:
        with reading_as(code):
            shown = describe_row(row, TODAY)
        assert shown["charge_points"] == _in(
            code, "{used} / {limit} charge points", used="12", limit="50"
        )
        assert shown["connectors"] == _in(code, "{used} connectors (no limit)", used="30")
        assert shown["valid_to"] == _in(code, "no end date")


def test_the_licences_read_only_reason_is_worded_for_the_reader() -> None:
    ended = LicenceTerms(valid_to=TODAY - timedelta(days=1))
    assert licence_problem(ended, TODAY) == "The licence ended on 2026-03-01: read-only."
    for code in LANGUAGES:
        with reading_as(code):
            reason, day = licence_problem(ended, TODAY), licence_day(ended.valid_to or TODAY)
        assert day != "2026-03-01"  # the reader's way of writing a date
        assert reason == _in(code, "The licence ended on {date}: read-only.", date=day)


def test_a_webhook_receivers_stored_outcome_reads_in_the_readers_language() -> None:
    stored = no_answer(10.0)
    assert stored == "no answer within 10 s"  # stored in English, as before
    assert outcome_text(stored) == stored and outcome_text("HTTP 500") == "HTTP 500"
    refused = no_connection("[Errno 111] Connection refused")
    for code in LANGUAGES:
        with reading_as(code):
            assert outcome_text(stored) == _in(code, "no answer within {seconds} s", seconds="10")
            assert outcome_text(refused) == _in(
                code, "could not connect: {error}", error="[Errno 111] Connection refused"
            )


def test_a_refused_grant_is_audited_in_english_and_shown_in_the_readers_language() -> None:
    with reading_as("de"), pytest.raises(RoleProblem) as refused:
        validate_role("Night", ["system:edit"], frozenset({"assets:view"}))
    assert refused.value.field == GRANT
    msgid = "You cannot grant permissions you do not have: {permissions}."
    assert refused.value.message.text() == msgid.format(permissions="system:edit")  # audited
    assert str(refused.value) == _in("de", msgid, permissions="system:edit")


def _request(accept_language: str) -> Request:
    headers = [(b"accept-language", accept_language.encode())] if accept_language else []
    return Request({"type": "http", "method": "GET", "path": "/", "headers": headers})


def test_the_http_gate_answers_in_the_browsers_language() -> None:
    english = http_gate._not_signed_in(_request(""))
    assert english.status_code == 401
    assert english.body.decode() == gettext("en", "Log in to CCMS first.")
    for code, header in (("de", "de-DE,de;q=0.9"), ("zh_Hans", "zh-CN,zh;q=0.9")):
        answer = http_gate._not_signed_in(_request(header))
        assert answer.body.decode() == gettext(code, "Log in to CCMS first.")
        assert answer.body.decode() != english.body.decode()
