"""Downloads over HTTP: what an Export button returns (see core/export_tickets.py).

`rx.download(data=...)` would base64 the whole file into the tab's websocket. Instead the
handler issues a one-time ticket for its own login session, needing the permission the gate
checked for the handler, and the browser fetches `/exports/<ticket>` as a plain download.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import reflex as rx

from ccms_app.accounts.gate_marks import requirement
from ccms_app.accounts.state import AuthState
from ccms_app.core import export_tickets


async def http_download(
    state: rx.State, handler: str, filename: str, produce: Callable[[], str]
) -> Any:
    """The event that downloads what `produce` makes, re-checked over HTTP; `handler` is the
    state's export handler (its declared permission is what the download needs)."""
    auth_state = await state.get_state(AuthState)
    ticket = export_tickets.issue(
        auth_state._session_hash,
        requirement(type(state), handler) or "",
        _safe_filename(filename),
        produce,
    )
    return rx.call_script(f"window.location.assign('/exports/{ticket}')")


def _safe_filename(name: str) -> str:
    """A file name fit for a Content-Disposition header."""
    cleaned = "".join(c if c.isalnum() or c in "-_." else "-" for c in name)
    return cleaned or "export.csv"
