"""The OCPP log's From / Until fields mean the station's wall time, as its rows show it."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from ccms_app.control.state.message_log import MessageLogState
from tests.monitoring.state_tree import state_in_tree


def test_the_filter_reads_the_stations_wall_time() -> None:
    log = state_in_tree(MessageLogState)
    log.zone = "Europe/Berlin"  # as the tab's reload sets it from the station
    log.since, log.until = "2026-12-06T10:00", "2026-07-01T10:00"

    _, _, since, until = log._filter()

    assert since == datetime(2026, 12, 6, 9, 0, tzinfo=UTC)  # CET
    assert until == datetime(2026, 7, 1, 8, 0, tzinfo=UTC)  # CEST


def test_a_filter_that_is_not_a_time_is_refused() -> None:
    log = state_in_tree(MessageLogState)
    log.since = "yesterday"
    with pytest.raises(ValueError):
        log._filter()
