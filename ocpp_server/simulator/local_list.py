"""The simulated charge point's local authorization list (OCPP 1.6 Local Auth List Management).

SendLocalList: a full update replaces the list; a differential one adds, changes or (entry
without idTagInfo) removes entries and must carry a version higher than the list's, else
VersionMismatch. An update longer than SendLocalListMaxLength, or a list that would grow past
LocalAuthListMaxLength, fails (Failed) and changes nothing. GetLocalListVersion answers the
list's version (0: no list yet). The list survives reconnects and reboots, as on a charger.

Authorising from the list: with LocalPreAuthorize true, an id tag the list holds as Accepted
(and not expired) starts at once, without waiting for an Authorize answer.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any

from ocpp.v16 import call_result

from ocpp_server.simulator.link import Decision

if TYPE_CHECKING:
    from ocpp_server.simulator.configuration import SimConfiguration

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class LocalEntry:
    """One id tag of the local list, with its IdTagInfo as the CSMS sent it."""

    id_tag: str
    status: str
    expiry_date: str | None = None
    parent_id_tag: str | None = None

    def valid_at(self, now: datetime) -> bool:
        if self.status != "Accepted":
            return False
        if not self.expiry_date:
            return True
        expiry = datetime.fromisoformat(self.expiry_date.replace("Z", "+00:00"))
        return (expiry if expiry.tzinfo else expiry.replace(tzinfo=UTC)) > now


def _entry(raw: dict[str, Any]) -> LocalEntry | None:
    """An AuthorizationData item as a list entry; None means remove this id tag."""
    info = raw.get("id_tag_info")
    if not info:
        return None
    return LocalEntry(
        id_tag=str(raw["id_tag"]),
        status=str(info.get("status", "Invalid")),
        expiry_date=info.get("expiry_date"),
        parent_id_tag=info.get("parent_id_tag"),
    )


def _limit(config: SimConfiguration, key: str) -> int | None:
    try:
        return int(config.value(key))
    except (KeyError, ValueError):
        return None


class LocalListMixin:
    """SendLocalList / GetLocalListVersion decisions and local authorisation."""

    if TYPE_CHECKING:
        identity: str

        @property
        def configuration(self) -> SimConfiguration: ...

    _local_list: dict[str, LocalEntry] | None = None
    _local_list_version = 0

    @property
    def local_list_version(self) -> int:
        return self._local_list_version

    @property
    def local_list(self) -> dict[str, LocalEntry]:
        """The list by id tag (as sent); a copy, for tests and the CLI."""
        return {e.id_tag: e for e in (self._local_list or {}).values()}

    def replace_local_list(self, version: int, entries: list[LocalEntry]) -> None:
        """Set the list directly (as another CSMS or a service technician might)."""
        self._local_list = {e.id_tag.lower(): e for e in entries}
        self._local_list_version = version

    def local_authorization(self, id_tag: str, now: datetime | None = None) -> str | None:
        """The list's status for `id_tag` ("Accepted" only while valid), None if not listed."""
        entry = (self._local_list or {}).get(id_tag.lower())
        if entry is None:
            return None
        if entry.status == "Accepted" and not entry.valid_at(now or datetime.now(UTC)):
            return "Expired"
        return entry.status

    def _config_flag(self, key: str) -> bool:
        try:
            return self.configuration.value(key).lower() == "true"
        except KeyError:
            return False

    def preauthorized_locally(self, id_tag: str) -> bool:
        """LocalPreAuthorize and the list hold the tag as valid: start without Authorize."""
        return (
            self._config_flag("LocalAuthListEnabled")
            and self._config_flag("LocalPreAuthorize")
            and self.local_authorization(id_tag) == "Accepted"
        )

    def decide_get_local_list_version(self) -> Decision:
        return Decision(call_result.GetLocalListVersion(list_version=self._local_list_version))

    def decide_send_local_list(
        self, list_version: int, update_type: str, local_authorization_list: list[dict[str, Any]]
    ) -> Decision:
        status = self._apply_local_list(list_version, update_type, local_authorization_list or [])
        log.info(
            "charge point local list update answered",
            extra={
                "identity": self.identity,
                "update_type": update_type,
                "list_version": list_version,
                "entries": len(local_authorization_list or []),
                "status": status,
            },
        )
        return Decision(call_result.SendLocalList(status=status))

    def _apply_local_list(self, version: int, update_type: str, items: list[dict[str, Any]]) -> str:
        send_max = _limit(self.configuration, "SendLocalListMaxLength")
        if send_max is not None and len(items) > send_max:
            return "Failed"
        full = update_type == "Full"
        if not full and version <= self._local_list_version:
            return "VersionMismatch"
        updated = {} if full else dict(self._local_list or {})
        for raw in items:
            entry = _entry(raw)
            if entry is None:
                updated.pop(str(raw["id_tag"]).lower(), None)
            else:
                updated[entry.id_tag.lower()] = entry
        list_max = _limit(self.configuration, "LocalAuthListMaxLength")
        if list_max is not None and len(updated) > list_max:
            return "Failed"
        self._local_list, self._local_list_version = updated, version
        return "Accepted"
