"""The connector state timeline from status and connection changes, by hand."""

from __future__ import annotations

from datetime import UTC, datetime

from ccms_app.maintenance.rules.port_timeline import (
    LinkChange,
    PortState,
    Segment,
    StatusChange,
    intervals_in,
    port_timeline,
    status_class,
)

W = PortState.WORKING
OOO = PortState.OUT_OF_ORDER
INOP = PortState.INOPERATIVE
OFF = PortState.OFFLINE


def h(hour: int) -> datetime:
    return datetime(2025, 5, 1, hour, tzinfo=UTC)


WINDOW = (h(0), h(12))


def test_status_classes() -> None:
    for status in ("Available", "Preparing", "Charging", "SuspendedEV", "Finishing", "Reserved"):
        assert status_class(status) is W
    assert status_class("Faulted") is OOO
    assert status_class("Unavailable") is INOP
    assert status_class("Occupied") is PortState.UNKNOWN  # not an OCPP 1.6 status


def test_own_statuses_connector_zero_and_offline() -> None:
    statuses = [
        StatusChange(h(0) - (h(1) - h(0)), 1, "Available"),  # before the window: the start
        StatusChange(h(2), 1, "Charging"),
        StatusChange(h(3), 1, "Faulted"),
        StatusChange(h(4), 1, "Available"),
        StatusChange(h(5), 0, "Unavailable"),  # the whole charge point
        StatusChange(h(6), 0, "Available"),
        StatusChange(h(6), 2, "Faulted"),  # another connector: not ours
        StatusChange(h(13), 1, "Faulted"),  # after the window: ignored
    ]
    links = [LinkChange(h(8), connected=False), LinkChange(h(10), connected=True)]
    segments = port_timeline(1, WINDOW, statuses, links)
    assert segments == [
        Segment(h(0), h(3), W),  # Available then Charging: one working segment
        Segment(h(3), h(4), OOO),
        Segment(h(4), h(5), W),
        Segment(h(5), h(6), INOP),
        Segment(h(6), h(8), W),
        Segment(h(8), h(10), OFF),
        Segment(h(10), h(12), W),  # reconnected: the last known status again
    ]
    # Down time: 3-4, 5-6, 8-10 = 4 hours.
    down = intervals_in(segments, {OOO, INOP, OFF})
    assert down == [(h(3), h(4)), (h(5), h(6)), (h(8), h(10))]


def test_connector_zero_fault_and_own_fault_the_worse_wins() -> None:
    statuses = [
        StatusChange(h(1), 1, "Unavailable"),
        StatusChange(h(2), 0, "Faulted"),
        StatusChange(h(3), 0, "Available"),
    ]
    segments = port_timeline(1, WINDOW, statuses, [])
    assert segments == [
        Segment(h(0), h(1), PortState.NO_DATA),  # nothing reported yet
        Segment(h(1), h(2), INOP),
        Segment(h(2), h(3), OOO),  # Faulted (connector 0) is worse than Unavailable
        Segment(h(3), h(12), INOP),  # the connector's own state again
    ]


def test_a_connector_that_never_reported_follows_connector_zero() -> None:
    statuses = [StatusChange(h(1), 0, "Available")]
    links = [LinkChange(h(1), connected=True)]
    assert port_timeline(3, WINDOW, statuses, links) == [
        Segment(h(0), h(1), PortState.NO_DATA),
        Segment(h(1), h(12), W),
    ]


def test_disconnected_before_the_window_starts_offline() -> None:
    links = [LinkChange(h(0) - (h(2) - h(0)), connected=False), LinkChange(h(7), connected=True)]
    statuses = [StatusChange(h(7), 1, "Available")]  # same time: connected first
    assert port_timeline(1, WINDOW, statuses, links) == [
        Segment(h(0), h(7), OFF),
        Segment(h(7), h(12), W),
    ]
