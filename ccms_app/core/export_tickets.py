"""One-time tickets for file downloads over HTTP instead of through the websocket.

`rx.download(data=...)` base64-encodes a whole file into the tab's websocket frame: a big
export blocks the socket and doubles in size. A list's Export button instead issues a ticket
here (what to produce, for which login session, needing which permission) and sends the
browser to `/exports/<ticket>`, which checks the session again and serves the file. Tickets
live in this process's memory for a minute and are used once.
"""

from __future__ import annotations

import secrets
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass

TICKET_SECONDS = 60.0
MAX_TICKETS = 1_000


@dataclass(frozen=True)
class ExportTicket:
    session_hash: str
    permission: str
    filename: str
    media_type: str
    produce: Callable[[], str]
    issued_at: float


_tickets: dict[str, ExportTicket] = {}
_lock = threading.Lock()


def issue(
    session_hash: str,
    permission: str,
    filename: str,
    produce: Callable[[], str],
    media_type: str = "text/csv",
) -> str:
    """A ticket for one download by this login session."""
    ticket = secrets.token_urlsafe(24)
    now = time.monotonic()
    with _lock:
        for key in [k for k, t in _tickets.items() if now - t.issued_at > TICKET_SECONDS]:
            del _tickets[key]
        while len(_tickets) >= MAX_TICKETS:
            _tickets.pop(next(iter(_tickets)))
        _tickets[ticket] = ExportTicket(
            session_hash, permission, filename, media_type, produce, now
        )
    return ticket


def take(ticket: str) -> ExportTicket | None:
    """The ticket's export, once; None when unknown, used or older than a minute."""
    with _lock:
        found = _tickets.pop(ticket, None)
    if found is None or time.monotonic() - found.issued_at > TICKET_SECONDS:
        return None
    return found
