from datetime import UTC, datetime, timedelta

from ccms_app.charging.rules.timestamps import (
    CLOCK_AHEAD,
    CLOCK_NO_TIMEZONE,
    CLOCK_NOT_SET,
    CLOCK_UNREADABLE,
    parse_charger_time,
    read_charger_time,
)

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


def test_replayed_old_timestamps_are_kept() -> None:
    assert parse_charger_time("2026-11-18T08:00:00Z", NOW)[0] == NOW - timedelta(days=3, hours=4)


def test_corrections_carry_an_issue_kind() -> None:
    assert read_charger_time("2026-11-21T11:00:00Z", NOW).issue == ""
    assert read_charger_time(None, NOW).issue == ""  # optional timestamps may be absent
    assert read_charger_time("2026-11-21T10:00:00", NOW).issue == CLOCK_NO_TIMEZONE
    assert read_charger_time("2027-01-01T00:00:00Z", NOW).issue == CLOCK_AHEAD
    assert read_charger_time("nonsense", NOW).issue == CLOCK_UNREADABLE


def test_an_unset_charger_clock_falls_back_to_receive_time() -> None:
    read = read_charger_time("1970-01-01T00:00:12Z", NOW)
    assert (read.at, read.issue) == (NOW, CLOCK_NOT_SET)


def test_out_of_range_timestamps_do_not_crash() -> None:
    for value in ("0001-01-01T00:00:00+01:00", "9999-12-31T23:59:59-01:00", "x" * 10_000):
        read = read_charger_time(value, NOW)
        assert read.at == NOW and read.issue == CLOCK_UNREADABLE
        assert len(read.note) < 120
