"""Which organisations (and charge points) have live tabs in this process, so the publishers
push only those."""

from __future__ import annotations

_watched: set[int] = set()
_watched_charge_points: set[int] = set()


def watch_organisation(organisation_id: int) -> None:
    _watched.add(organisation_id)


def watched_organisations() -> frozenset[int]:
    return frozenset(_watched)


def watch_charge_point(charge_point_id: int) -> None:
    _watched_charge_points.add(charge_point_id)


def watched_charge_points() -> frozenset[int]:
    return frozenset(_watched_charge_points)


def forget_all() -> None:
    """Tests: start from no watched organisation or charge point."""
    _watched.clear()
    _watched_charge_points.clear()
