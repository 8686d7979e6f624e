"""The security event log: refused (and replaced) charge point connections, for the System
page. Identities and addresses come from any client, so every value is cut to its column."""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum

from sqlmodel import col, select

from ccms_app.core.db import read_session, session_scope
from ccms_app.core.events import NetworkEvent, get_event_bus
from ccms_app.network.models import SecurityEvent

MAX_TRACKED_SOURCES = 10_000


class SecurityEventKind(StrEnum):
    AUTH_MISSING = "auth_missing"  # a password is set; no Authorization header came
    AUTH_INVALID = "auth_invalid"  # unusable header: malformed, or username not the identity
    AUTH_FAILED = "auth_failed"  # wrong password
    UNKNOWN_REFUSED = "unknown_identity_refused"  # policy "reject"
    AUTH_REQUIRED = "auth_required"  # the network requires passwords; this one has none set
    DUPLICATE_REFUSED = "duplicate_refused"  # its socket is alive; no password proves this one
    DUPLICATE_REPLACED = "duplicate_replaced"  # the same, network policy "replace"
    INVALID_IDENTITY = "invalid_identity"  # no charger may have it (characters, length)
    LOOKALIKE_IDENTITY = "lookalike_identity"  # differs from a known one only by letter case
    LOGIN_FAILED = "login_failed"  # an operator login with a wrong email or password
    LOGIN_THROTTLED = "login_throttled"  # refused unchecked: too many recent failures


@dataclass(frozen=True)
class SecurityEventView:
    id: int
    identity: str
    remote_address: str
    kind: str
    detail: str
    created_at: datetime


def _readable(text: str) -> str:
    """Client text as the operator can read and any database can store: a control character
    (a NUL, which PostgreSQL refuses in text) is written as its escape, e.g. \\x00."""
    if text.isprintable():
        return text
    return "".join(ch if ch.isprintable() else ascii(ch)[1:-1] for ch in text)


def record_security_event(identity: str, remote_address: str, kind: str, detail: str) -> None:
    """Keep a refused attempt (cut to the column sizes, control characters escaped: identities
    come from any client), and say so on the event bus once it is committed (the alarm engine
    raises within seconds)."""
    identity, detail = _readable(identity), _readable(detail)
    with session_scope() as session:
        session.add(
            SecurityEvent(
                identity=identity[:64],
                remote_address=remote_address[:64],
                kind=kind,
                detail=detail[:500],
            )
        )
    get_event_bus().publish(
        NetworkEvent(kind="security", identity=identity[:64], data={"security_event": kind})
    )


def recent_security_events(limit: int = 50) -> list[SecurityEventView]:
    """The newest refused attempts first."""
    with read_session() as session:
        rows = session.exec(
            select(SecurityEvent)
            .order_by(col(SecurityEvent.created_at).desc(), col(SecurityEvent.id).desc())
            .limit(limit)
        ).all()
    return [
        SecurityEventView(r.id or 0, r.identity, r.remote_address, r.kind, r.detail, r.created_at)
        for r in rows
    ]


class ThrottledRecorder:
    """Security events from anyone on the internet (an invalid identity, a probe) cost a
    database write each: at most one per remote host and kind per `window` seconds is
    written; the attempts in between are counted into the next one's detail."""

    def __init__(self, window: float = 60.0, clock: Callable[[], float] = time.monotonic) -> None:
        self._window = window
        self._clock = clock
        self._last: dict[tuple[str, str], float] = {}
        self._suppressed: dict[tuple[str, str], int] = {}

    def record(self, identity: str, remote_address: str, kind: str, detail: str) -> bool:
        """Write the event unless one like it was written within the window; True if written."""
        key = (remote_address.rsplit(":", 1)[0], kind)
        now = self._clock()
        last = self._last.get(key)
        if last is not None and now - last < self._window:
            self._suppressed[key] = self._suppressed.get(key, 0) + 1
            return False
        if len(self._last) > MAX_TRACKED_SOURCES:
            self._last.clear()  # bounded memory under a flood of addresses
            self._suppressed.clear()
        self._last[key] = now
        skipped = self._suppressed.pop(key, 0)
        note = f" (+{skipped} similar attempts from this address not logged)" if skipped else ""
        record_security_event(identity, remote_address, kind, detail + note)
        return True
