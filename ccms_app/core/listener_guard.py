"""Listeners that act in another module's transaction, and what their failure may cost.

A listener (finance pricing a session as it ends, recording how it is paid as it starts) runs
in the transaction of the event it listens to, and its failure must never lose that event: it
runs in a savepoint, its failure is logged, and the event is kept.

A savepoint costs a SAVEPOINT, a RELEASE and a flush of its own. On the OCPP writer's path a
session's start and end paid three of them, in every batch, for failures that almost never
happen. There the batch runs unguarded (core.db_writer marks its session `UNGUARDED`): the
listeners run plainly, and a failure fails the whole batch, which the writer then runs again
unit by unit, each in a session without the mark, where every listener is guarded as above.
The guarantee is the same; only a batch in which something broke pays for a second try.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import Any

from sqlmodel import Session

log = logging.getLogger(__name__)

UNGUARDED = "listeners_unguarded"  # session.info: a failure here is retried unit by unit


def run_listener(
    session: Session, listener: Callable[[], None], failure: str, extra: dict[str, Any]
) -> None:
    """Run `listener()` in `session`'s transaction; a failure is logged (`failure`, `extra`)
    and undone, the rest of the transaction kept (see the module doc for UNGUARDED)."""
    if session.info.get(UNGUARDED):
        listener()
        return
    try:
        with session.begin_nested():
            listener()
    except Exception:
        log.exception(failure, extra=extra)
