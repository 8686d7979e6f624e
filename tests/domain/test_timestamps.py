from datetime import UTC, datetime, timedelta

from ccms_app.domain.timestamps import parse_charger_time

NOW = datetime(2026, 11, 21, 12, 0, tzinfo=UTC)


def test_utc_and_offset_timestamps() -> None:
    assert parse_charger_time("2026-11-21T11:00:00Z", NOW) == (NOW - timedelta(hours=1), "")
    at, note = parse_charger_time("2026-11-21T12:30:00+01:00", NOW)
    assert at == datetime(2026, 11, 21, 11, 30, tzinfo=UTC) and note == ""


def test_naive_timestamp_is_taken_as_utc_with_a_note() -> None:
    at, note = parse_charger_time("2026-11-21T10:00:00", NOW)
    assert at == datetime(2026, 11, 21, 10, 0, tzinfo=UTC)
    assert "without time zone" in note


def test_future_and_garbage_timestamps_fall_back_to_receive_time() -> None:
    at, note = parse_charger_time("2027-01-01T00:00:00Z", NOW)
    assert at == NOW and "future" in note
    at, note = parse_charger_time("yesterday", NOW)
    assert at == NOW and "unreadable" in note
    at, note = parse_charger_time(None, NOW)
    assert at == NOW and "missing" in note
