"""The audit log: who did what, when, on which object, from which address.

Written by the gate for every permitted change, command and export, by the login routes
for logins and failed logins, and by the account, role and settings use cases. Values come
from operators' input, so each is cut to its column; secrets never reach `detail` (the
gate redacts payload keys that look like one).
"""

from __future__ import annotations

import logging
from dataclasses import dataclass

from ccms_app.accounts.models import AuditEntry
from ccms_app.core.db import session_scope

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Actor:
    """Who acted: an account (or None for an anonymous attempt) and where from."""

    account_id: int | None
    organisation_id: int | None
    email: str
    remote_address: str = ""


def record(
    actor: Actor,
    action: str,
    *,
    object_type: str = "",
    object_id: str | int = "",
    detail: str = "",
    outcome: str = "ok",
) -> None:
    """Keep one audit entry (its own short transaction)."""
    entry = AuditEntry(
        organisation_id=actor.organisation_id,
        account_id=actor.account_id,
        actor=actor.email[:320],
        remote_address=actor.remote_address[:64],
        action=action[:120],
        object_type=object_type[:60],
        object_id=str(object_id)[:120],
        detail=detail[:1000],
        outcome=outcome[:16],
    )
    with session_scope() as session:
        session.add(entry)
    log.info(
        "audit",
        extra={"action": entry.action, "actor": entry.actor, "outcome": entry.outcome},
    )
