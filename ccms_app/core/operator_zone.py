"""The time zone an organisation's operators read times and days in.

One rule for every screen: a time that belongs to a station (a charger's last message, a
session's start) is shown in the station's zone; everything else, and every aggregate (Home's
"today", a list row without a station, "updated at" of an organisation's live figures), in the
operator's zone. That zone is the organisation's billing time zone (finance's billing
profile): the composition root registers the lookup, since core imports no feature module.
Unregistered (a tool that imports only core), it is UTC.
"""

from __future__ import annotations

from collections.abc import Callable

DEFAULT_ZONE = "UTC"
_lookup: list[Callable[[int], str]] = []


def register_operator_zone(lookup: Callable[[int], str]) -> None:
    """How an organisation's operator zone is read; a later one replaces it."""
    _lookup[:] = [lookup]


def operator_zone_of(organisation_id: int) -> str:
    """The zone the operators of `organisation_id` read times in (reads the database)."""
    if not _lookup:
        return DEFAULT_ZONE
    return _lookup[0](organisation_id) or DEFAULT_ZONE
