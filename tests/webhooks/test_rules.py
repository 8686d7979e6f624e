"""The pure webhook rules: the signature recipe, the retry schedule, event types, payloads,
and what a subscription form accepts."""

from __future__ import annotations

import hashlib
import hmac
import itertools
import json
from datetime import UTC, datetime, timedelta

import pytest

from ccms_app.webhooks.rules.backoff import RetryPolicy
from ccms_app.webhooks.rules.events import (
    EVENT_TYPES,
    TEST_EVENT,
    describe_selection,
    event_type_of,
    validate_selection,
    wants,
)
from ccms_app.webhooks.rules.inputs import read_form, validate_url
from ccms_app.webhooks.rules.payloads import encode, iso, payload
from ccms_app.webhooks.rules.signing import (
    new_secret,
    parse_header,
    signature_header,
    validate_secret,
    verify,
)

T0 = datetime(2026, 1, 1, tzinfo=UTC)


def test_the_signature_is_the_documented_recipe() -> None:
    """What the package docstring tells a receiver to compute, done by hand."""
    secret, body, t = "whsec_test-secret-123456", b'{"id":"evt_1"}', 1767225600
    header = signature_header(secret, t, body)
    expected = hmac.new(secret.encode(), f"{t}.".encode() + body, hashlib.sha256).hexdigest()
    assert header == f"t={t},v1={expected}"
    assert verify(secret, header, body, now=t + 10)
    assert not verify(secret, header, body + b" ", now=t)  # another body
    assert not verify("whsec_another-secret-1234", header, body, now=t)
    assert not verify(secret, header, body, now=t + 301)  # a replay, too late
    assert parse_header("v1=abc") is None and parse_header("t=1") is None
    assert parse_header(f"t={t},v1=aa,v1=bb") == (t, ["aa", "bb"])


def test_secrets() -> None:
    made = new_secret()
    assert made.startswith("whsec_") and len(made) > 40 and made != new_secret()
    assert validate_secret("x" * 16) == "x" * 16
    for bad in ("short", "has space inside 123", "é" * 20, "x" * 129):
        with pytest.raises(ValueError):
            validate_secret(bad)


def test_retries_back_off_for_a_day_then_give_up() -> None:
    policy = RetryPolicy()
    offsets = policy.schedule()
    assert offsets[:6] == [timedelta(seconds=s) for s in (0, 10, 30, 70, 150, 310)]
    gaps = [b - a for a, b in itertools.pairwise(offsets)]
    assert max(gaps) == timedelta(hours=1)
    assert offsets[-1] == timedelta(hours=24) and 25 <= len(offsets) <= 40
    assert policy.next_attempt(T0, 1, T0) == T0 + timedelta(seconds=10)
    assert policy.next_attempt(T0, 3, T0, jitter=1.0) == T0 + timedelta(seconds=44)
    late = T0 + timedelta(hours=23, minutes=59)
    assert policy.next_attempt(T0, 30, late) == T0 + timedelta(hours=24)  # the deadline
    assert policy.next_attempt(T0, 31, T0 + timedelta(hours=24)) is None


@pytest.mark.parametrize(
    ("kind", "data", "expected"),
    [
        ("charge_point", {"online": True, "created": False}, "charge_point.online"),
        ("charge_point", {"online": False}, "charge_point.offline"),
        ("charge_point", {"boot": "Accepted"}, None),
        ("connector", {"connector_id": 1, "status": "Charging"}, "charge_point.status_changed"),
        ("session", {"transaction_id": 1, "started": True}, "session.started"),
        ("session", {"transaction_id": 1, "stopped": True}, "session.stopped"),
        ("session", {"transaction_id": 1, "meter": True}, None),
        ("command", {"command_id": 1, "status": "sent"}, None),
        ("command", {"command_id": 1, "status": "timed_out"}, "command.finished"),
        ("warning", {"data_issue": "clock_ahead"}, "data_issue.raised"),
        ("warning", {"data_issues_resolved": 3}, None),
        ("meter", {}, None),
    ],
)
def test_which_network_events_are_webhook_events(kind: str, data: dict, expected: str) -> None:
    assert event_type_of(kind, data) == expected


def test_selections() -> None:
    assert validate_selection(["session.stopped", "session.started"]) == (
        "session.started,session.stopped"
    )
    assert validate_selection(["*", "session.started"]) == "*"
    for bad in ([], ["  "], ["session.paused"]):
        with pytest.raises(ValueError):
            validate_selection(bad)
    assert wants("*", "data_issue.raised") and wants("session.started", TEST_EVENT)
    assert not wants("session.started", "session.stopped")
    assert describe_selection("*") == "all events"
    assert set(EVENT_TYPES) >= {
        "charge_point.online",
        "charge_point.offline",
        "charge_point.status_changed",
        "session.started",
        "session.stopped",
        "command.finished",
        "data_issue.raised",
    }


def test_payload_shape() -> None:
    body = payload("evt_1", "session.started", T0, {"id": 3, "identity": "CP-3"}, {"x": "ü"})
    text = encode(body)
    assert json.loads(text) == {
        "id": "evt_1",
        "type": "session.started",
        "created_at": "2026-01-01T00:00:00.000000Z",
        "charge_point": {"id": 3, "identity": "CP-3"},
        "data": {"x": "ü"},
    }
    assert " " not in text and iso(None) is None


@pytest.mark.parametrize(
    "url",
    [
        "ftp://erp.example.com/hook",
        "https://",
        "erp.example.com/hook",
        "https://user:pw@erp.example.com/hook",
        "https://erp.example.com/a b",
        "https://erp.example.com:99999/",
        "https://ërp.example.com/",
        "https://erp.example.com/\x00",
        "",
    ],
)
def test_urls_refused(url: str) -> None:
    with pytest.raises(ValueError):
        validate_url(url)


def test_a_form_reports_every_field_at_once() -> None:
    good = {"name": " ERP  feed ", "url": "https://erp.example.com/ccms?x=1", "events": "*"}
    checked, errors = read_form(good | {"enabled": "false", "secret": ""})
    assert errors == {} and checked is not None
    assert (checked.name, checked.enabled, checked.secret) == ("ERP feed", False, "")
    assert validate_url("http://127.0.0.1:8080/hook") == "http://127.0.0.1:8080/hook"
    checked, errors = read_form({"name": "", "url": "x", "events": "", "secret": "short"})
    assert checked is None and set(errors) == {"name", "url", "events", "secret"}


def test_the_docstrings_worked_example() -> None:
    """The example in the ccms_app.webhooks docstring (and the README) is right."""
    header = signature_header("whsec_test", 1767225600, b'{"id":"evt_1"}')
    assert header == (
        "t=1767225600,v1=45b40331de0325606dc5400202ade162460fbe48daf9401adfdcd0d7b4f35470"
    )
