"""The pure notification rules: recipient lists, digest windows and back-off, the bell's
filtering by role."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from ccms_app.maintenance.notifications.rules.bell_view import (
    AudienceCount,
    BellAlarm,
    counts_for,
    toast_for,
)
from ccms_app.maintenance.notifications.rules.mail_text import MailAlarm, digest_mail
from ccms_app.maintenance.notifications.rules.outbox import (
    MAX_ALARMS_PER_MAIL,
    MAX_RETRY,
    Pending,
    due_mails,
    retry_delay,
)
from ccms_app.maintenance.notifications.rules.recipients import (
    normalise_recipients,
    normalise_role_ids,
    recipient_list,
    role_is_notified,
)

T0 = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)


@pytest.mark.parametrize(
    ("typed", "stored"),
    [
        ("ops@example.com", "ops@example.com"),
        (" Ops@Example.com , night@example.com", "night@example.com,ops@example.com"),
        ("a@x.eu;b@x.eu\nA@X.EU\r\n\n,, ;", "a@x.eu,b@x.eu"),
        ("", ""),
        (" ,;\n ", ""),
    ],
)
def test_recipients_are_normalised(typed: str, stored: str) -> None:
    assert normalise_recipients(typed) == stored


def test_a_stored_list_reads_back_as_addresses() -> None:
    assert recipient_list("a@x.eu,b@x.eu") == ["a@x.eu", "b@x.eu"]
    assert recipient_list("") == []


def test_role_ids_and_who_hears() -> None:
    assert normalise_role_ids(" 7, 3;3 x 12") == "3,7,12"
    assert normalise_role_ids("") == ""
    assert role_is_notified("", 5)  # no role named: everyone with maintenance:view
    assert role_is_notified("3,7,12", 7)
    assert not role_is_notified("3,7,12", 1)  # "1" is not "12"'s prefix match


def _pending(
    id: int, recipients: str, age_s: int, retry_in_s: int | None = None, window_s: int = 60
) -> Pending:
    now = T0
    retry = None if retry_in_s is None else now + timedelta(seconds=retry_in_s)
    return Pending(id, recipients, now - timedelta(seconds=age_s), retry, window_s)


def test_a_list_waits_for_its_window_from_its_oldest_row() -> None:
    rows = [_pending(1, "a@x", 59), _pending(2, "a@x", 1)]
    assert due_mails(rows, T0) == []
    rows = [_pending(1, "a@x", 60), _pending(2, "a@x", 1), _pending(3, "b@x", 10)]
    assert [[r.id for r in mail] for mail in due_mails(rows, T0)] == [[1, 2]]


def test_a_zero_window_sends_at_once_and_a_shorter_window_wins() -> None:
    assert len(due_mails([_pending(1, "a@x", 0, window_s=0)], T0)) == 1
    rows = [_pending(1, "a@x", 20, window_s=600), _pending(2, "a@x", 5, window_s=10)]
    assert [[r.id for r in m] for m in due_mails(rows, T0)] == [[1, 2]]


def test_a_list_waiting_for_its_retry_holds_its_new_rows_too() -> None:
    rows = [_pending(1, "a@x", 300, retry_in_s=30), _pending(2, "a@x", 120)]
    assert due_mails(rows, T0) == []
    rows = [_pending(1, "a@x", 300, retry_in_s=0), _pending(2, "a@x", 120)]
    assert [[r.id for r in m] for m in due_mails(rows, T0)] == [[1, 2]]


def test_a_huge_outage_is_cut_into_mails_of_the_maximum() -> None:
    rows = [_pending(n, "a@x", 100) for n in range(MAX_ALARMS_PER_MAIL + 5)]
    assert [len(m) for m in due_mails(rows, T0)] == [MAX_ALARMS_PER_MAIL, 5]


def test_retries_back_off_to_an_hour() -> None:
    assert [retry_delay(n).total_seconds() for n in (1, 2, 3, 4)] == [60, 120, 240, 480]
    assert retry_delay(50) == MAX_RETRY


def _mail_alarm(alarm_id: int, station: str, identity: str, severity: str) -> MailAlarm:
    return MailAlarm(
        alarm_id=alarm_id,
        station=station,
        charge_point=identity,
        connector_id=0,
        cause="offline",
        severity=severity,
        status="open",
        raised_at="09:30:00 UTC",
    )


def test_a_digest_groups_by_station_most_severe_first() -> None:
    text = digest_mail(
        [
            _mail_alarm(1, "Zeta", "Z-1", "minor"),
            _mail_alarm(2, "", "LOOSE-1", "major"),
            _mail_alarm(3, "Alpha", "A-2", "warning"),
            _mail_alarm(4, "Alpha", "A-1", "critical"),
        ],
        "https://ccms.example/",
    )
    assert text.subject == "CCMS: 4 alarms at 3 stations"
    lines = text.body.splitlines()
    assert lines[0] == "4 alarms were raised (1 critical, 1 major, 1 minor, 1 warning)."
    headings = [line for line in lines if line.endswith(("alarms)", "alarm)"))]
    assert headings == ["Alpha (2 alarms)", "Zeta (1 alarm)", "No station (1 alarm)"]
    alpha = lines.index("Alpha (2 alarms)")
    assert lines[alpha + 2].startswith("- A-1 charge point: Charge point offline, critical")
    assert lines[alpha + 3] == "  https://ccms.example/maintenance/alarms/4"


AUDIENCES = [
    AudienceCount(roles="", critical=1, major=2),
    AudienceCount(roles="3", minor=4),
    AudienceCount(roles="3,9", warning=150),
]


def test_the_counter_counts_what_reaches_the_role() -> None:
    everyone = counts_for(AUDIENCES, role_id=5)
    assert (everyone.total, everyone.critical, everyone.major, everyone.label) == (3, 1, 2, "3")
    staff = counts_for(AUDIENCES, role_id=3)
    assert (staff.total, staff.minor, staff.warning, staff.label) == (157, 4, 150, "99+")


NEWEST = [
    BellAlarm(id=14, roles="", toast=True),
    BellAlarm(id=13, roles="9", toast=True),
    BellAlarm(id=12, roles="", toast=False),  # the rule wants no browser notification
    BellAlarm(id=11, roles="", toast=True),
    BellAlarm(id=10, roles="", toast=True),
    BellAlarm(id=9, roles="", toast=True),
    BellAlarm(id=8, roles="", toast=True),
]


def test_the_toast_lists_new_alarms_the_role_hears_of() -> None:
    toast = toast_for(NEWEST, role_id=5, seen_id=8)
    assert [a.id for a in toast.alarms] == [14, 11, 10]
    assert (toast.more, toast.latest_id) == (1, 14)
    assert [a.id for a in toast_for(NEWEST, role_id=9, seen_id=12).alarms] == [14, 13]
    assert toast_for(NEWEST, role_id=9, seen_id=14).alarms == []
