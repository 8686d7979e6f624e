"""Local authorization lists: what a charge point's list should hold and which SendLocalList
updates bring it there. Pure logic; the service does the reading, sending and recording.

Rules (OCPP 1.6, 5.15 / 6.43 / 9.1):
- Id tags are compared case-insensitively (one entry per id tag, whatever its spelling).
- A full update replaces the whole list; every entry carries its IdTagInfo.
- A differential update carries only added or changed entries (with IdTagInfo) and removals
  (an entry without IdTagInfo); its version must be higher than the charge point's.
- An update holds at most SendLocalListMaxLength entries and the list at most
  LocalAuthListMaxLength: a longer update is split into consecutive ones (each its own,
  higher version); a list that cannot fit is refused with ListTooLongError.
- Removals go first in a split differential, so a nearly full list never overflows halfway.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import TypeVar

from ccms_app.core.i18n import tr
from ccms_app.drivers.rules.authorization import id_tag_status

FULL = "Full"
DIFFERENTIAL = "Differential"
# GetLocalListVersion: -1 means the charge point does not support local lists.
NOT_SUPPORTED_VERSION = -1
T = TypeVar("T")


class ListTooLongError(ValueError):
    """The desired list does not fit the charge point (LocalAuthListMaxLength)."""


@dataclass(frozen=True)
class ListEntry:
    """One id tag and the IdTagInfo a charge point holds for it."""

    id_tag: str
    status: str
    expiry_date: datetime | None = None
    parent_id_tag: str | None = None

    @property
    def key(self) -> str:
        return self.id_tag.lower()

    def authorization_data(self) -> dict[str, object]:
        """The SendLocalList entry (builder params, snake_case)."""
        info: dict[str, object] = {"status": self.status}
        if self.expiry_date is not None:
            info["expiry_date"] = self.expiry_date
        if self.parent_id_tag:
            info["parent_id_tag"] = self.parent_id_tag
        return {"id_tag": self.id_tag, "id_tag_info": info}


def desired_entry(
    id_tag: str,
    *,
    blocked: bool,
    expiry: datetime | None,
    parent_id_tag: str | None,
    now: datetime,
) -> ListEntry:
    """The entry for a known id tag, with the status Authorize would give it.

    ConcurrentTx is never put in a list: it is a moment's state, not the card's.
    """
    status = id_tag_status(known=True, blocked=blocked, expiry=expiry, now=now)
    return ListEntry(id_tag, status, _second(expiry), parent_id_tag or None)


def _second(value: datetime | None) -> datetime | None:
    """OCPP dateTime as sent has millisecond precision; compare at whole seconds in UTC so a
    round trip through the charge point or the database never looks like a change."""
    return None if value is None else value.astimezone(UTC).replace(microsecond=0)


def unique_entries(entries: Iterable[ListEntry]) -> dict[str, ListEntry]:
    """Entries by case-insensitive id tag; the first spelling of a tag wins."""
    by_key: dict[str, ListEntry] = {}
    for entry in entries:
        by_key.setdefault(entry.key, entry)
    return by_key


def _same(a: ListEntry, b: ListEntry) -> bool:
    return (
        a.status == b.status
        and _second(a.expiry_date) == _second(b.expiry_date)
        and (a.parent_id_tag or None) == (b.parent_id_tag or None)
    )


@dataclass(frozen=True)
class ListDiff:
    """What a differential update must carry to turn `sent` into `desired`."""

    upserts: tuple[ListEntry, ...] = ()
    removals: tuple[str, ...] = ()  # id tags as the charge point has them

    @property
    def empty(self) -> bool:
        return not self.upserts and not self.removals

    @property
    def size(self) -> int:
        return len(self.upserts) + len(self.removals)


def diff_lists(sent: Iterable[ListEntry], desired: Iterable[ListEntry]) -> ListDiff:
    """Added or changed entries, and removed id tags, each sorted by id tag."""
    have, want = unique_entries(sent), unique_entries(desired)
    upserts = [e for k, e in want.items() if k not in have or not _same(have[k], e)]
    removals = [e.id_tag for k, e in have.items() if k not in want]
    return ListDiff(
        upserts=tuple(sorted(upserts, key=lambda e: e.key)),
        removals=tuple(sorted(removals, key=str.lower)),
    )


@dataclass(frozen=True)
class LocalListUpdate:
    """One SendLocalList request."""

    version: int
    update_type: str  # Full | Differential
    upserts: tuple[ListEntry, ...] = ()
    removals: tuple[str, ...] = ()

    @property
    def size(self) -> int:
        return len(self.upserts) + len(self.removals)

    def params(self) -> dict[str, object]:
        """Parameters for the SendLocalList command builder."""
        items: list[dict[str, object]] = [{"id_tag": tag} for tag in self.removals]
        items += [e.authorization_data() for e in self.upserts]
        return {
            "list_version": self.version,
            "update_type": self.update_type,
            "local_authorization_list": items,
        }


def next_version(*known: int | None) -> int:
    """A version higher than every version the charge point had or was sent."""
    return max([0, *(v for v in known if v is not None)]) + 1


def _chunks(items: list[T], size: int | None) -> list[list[T]]:
    if not size or size <= 0 or len(items) <= size:
        return [items]
    return [items[i : i + size] for i in range(0, len(items), size)]


def check_fits(desired_count: int, list_max: int | None) -> None:
    if list_max is not None and list_max >= 0 and desired_count > list_max:
        raise ListTooLongError(
            tr(
                "{desired_count} id tags do not fit: the charge point holds "
                "at most {list_max} (LocalAuthListMaxLength)",
                desired_count=desired_count,
                list_max=list_max,
            )
        )


def plan_full(
    desired: Iterable[ListEntry], version: int, send_max: int | None = None
) -> list[LocalListUpdate]:
    """A full update at `version`; if it exceeds `send_max`, a full update with the first
    entries followed by differential updates with the rest (versions counting up)."""
    entries = sorted(unique_entries(desired).values(), key=lambda e: e.key)
    chunks = _chunks(entries, send_max)
    return [
        LocalListUpdate(
            version=version + i,
            update_type=FULL if i == 0 else DIFFERENTIAL,
            upserts=tuple(chunk),
        )
        for i, chunk in enumerate(chunks)
    ]


def plan_differential(
    diff: ListDiff, version: int, send_max: int | None = None
) -> list[LocalListUpdate]:
    """Differential updates carrying `diff` from `version` on (none if nothing changed)."""
    if diff.empty:
        return []
    items: list[ListEntry | str] = [*diff.removals, *diff.upserts]
    updates = []
    for i, chunk in enumerate(_chunks(items, send_max)):
        updates.append(
            LocalListUpdate(
                version=version + i,
                update_type=DIFFERENTIAL,
                upserts=tuple(x for x in chunk if isinstance(x, ListEntry)),
                removals=tuple(x for x in chunk if isinstance(x, str)),
            )
        )
    return updates


def apply_update(current: Iterable[ListEntry], update: LocalListUpdate) -> list[ListEntry]:
    """The list a charge point holds after accepting `update` (what CCMS then records)."""
    held = {} if update.update_type == FULL else unique_entries(current)
    for tag in update.removals:
        held.pop(tag.lower(), None)
    for entry in update.upserts:
        held[entry.key] = entry
    return sorted(held.values(), key=lambda e: e.key)
