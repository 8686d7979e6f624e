"""Flagging a charging session for an operator, in one consistent way."""

from __future__ import annotations

from ccms_app.charging.models import ChargingSession

FLAG_REASON_LENGTH = 200


def flag_session(cs: ChargingSession, reason: str, keep: bool = False) -> None:
    """Flag the session, adding `reason` once. With `keep`, `reason` is kept whole even when the
    reasons before it have to be shortened (the energy fast path relies on it)."""
    cs.flagged = True
    if reason in cs.flag_reason:
        return
    room = FLAG_REASON_LENGTH - len(reason) - 2
    before = cs.flag_reason[: max(room, 0)] if keep else cs.flag_reason
    cs.flag_reason = (f"{before}; {reason}" if before else reason)[:FLAG_REASON_LENGTH]
