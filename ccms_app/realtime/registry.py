"""Which organisations have live tabs in this process, so the publisher pushes only those."""

from __future__ import annotations

_watched: set[int] = set()


def watch_organisation(organisation_id: int) -> None:
    _watched.add(organisation_id)


def watched_organisations() -> frozenset[int]:
    return frozenset(_watched)


def forget_all() -> None:
    """Tests: start from no watched organisation."""
    _watched.clear()
