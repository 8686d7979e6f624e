"""The enabled subscriptions as the dispatcher matches events against them, cached.

The dispatcher looks at every webhook-worthy event; reading the subscriptions for each
batch would be a query per batch for something that changes a few times a year. The cache
lives `TTL_S` seconds, and the subscription use cases empty it at once (`forget`) so a
change made in this process counts from the next event; one made elsewhere (another
process) counts within `TTL_S`.
"""

from __future__ import annotations

import threading
import time
from dataclasses import dataclass

from sqlmodel import col, select

from ccms_app.accounts.organisations import organisation_scope
from ccms_app.core.db import read_session
from ccms_app.core.rows import stored_id
from ccms_app.webhooks.models import WebhookSubscription
from ccms_app.webhooks.rules.events import wants

TTL_S = 5.0


@dataclass(frozen=True)
class ActiveSubscription:
    id: int
    name: str
    scope: frozenset[int]  # the organisations whose charge points it hears
    events: str  # the stored selection
    failing: bool

    def wants(self, event_type: str, organisation_id: int | None) -> bool:
        in_scope = organisation_id is None or organisation_id in self.scope
        return in_scope and wants(self.events, event_type)


class ActiveSubscriptions:
    def __init__(self) -> None:
        self._items: tuple[ActiveSubscription, ...] = ()
        self._loaded_at = float("-inf")
        self._lock = threading.Lock()

    @property
    def stale(self) -> bool:
        return time.monotonic() - self._loaded_at > TTL_S

    @property
    def items(self) -> tuple[ActiveSubscription, ...]:
        """What was loaded last (possibly stale: see `load`)."""
        return self._items

    def load(self) -> tuple[ActiveSubscription, ...]:
        """Read them now (blocking: call it in a thread)."""
        with read_session() as session:
            rows = session.exec(
                select(WebhookSubscription).where(col(WebhookSubscription.enabled))
            ).all()
        scopes: dict[int, frozenset[int]] = {}
        items = []
        for row in rows:
            if row.organisation_id not in scopes:
                scopes[row.organisation_id] = organisation_scope(row.organisation_id)
            items.append(
                ActiveSubscription(
                    id=stored_id(row.id),
                    name=row.name,
                    scope=scopes[row.organisation_id],
                    events=row.events,
                    failing=row.failing_since is not None,
                )
            )
        with self._lock:
            self._items = tuple(items)
            self._loaded_at = time.monotonic()
        return self._items

    def forget(self) -> None:
        with self._lock:
            self._loaded_at = float("-inf")


_active = ActiveSubscriptions()


def active_subscriptions() -> ActiveSubscriptions:
    return _active


def forget() -> None:
    """Subscriptions changed: the next batch reads them again."""
    _active.forget()
