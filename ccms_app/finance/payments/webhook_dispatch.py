"""Stripe webhooks: verified, kept once per event id, processed once, in one transaction.

Stripe delivers an event at least once and retries until it gets a 2xx, so `receive`:
1. verifies the Stripe-Signature (HMAC of "timestamp.payload" with the webhook secret) and the
   timestamp's age (CCMS_STRIPE_WEBHOOK_TOLERANCE_S): 400 otherwise, with a log line;
2. stores the `StripeEvent` under Stripe's event id: an id already stored is a replay,
   answered 200 without touching anything;
3. runs the handlers registered for the event's type (`on_event`) in that same transaction
   and records their outcome on the event row. A handler that raises rolls everything back
   (the event row too) and the answer is 500, so Stripe delivers it again later.

Handlers are registered by the parts that own the records (payments, top-ups, session
payments, memberships) in their `install()`, which runtime.py and tests/conftest.py call.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from sqlalchemy.exc import IntegrityError
from sqlmodel import Session

from ccms_app.core.db import session_scope
from ccms_app.core.types import utc_now
from ccms_app.finance.payments import stripe_gateway as gateway
from ccms_app.finance.payments.models import StripeEvent

log = logging.getLogger(__name__)

WebhookHandler = Callable[[Session, dict[str, Any]], str]

_handlers: dict[str, list[WebhookHandler]] = {}


def on_event(event_type: str, handler: WebhookHandler) -> None:
    """Run `handler(db, event)` for every new event of `event_type` (registering the same
    handler twice keeps one)."""
    registered = _handlers.setdefault(event_type, [])
    if handler not in registered:
        registered.append(handler)


def handlers_for(event_type: str) -> list[WebhookHandler]:
    return list(_handlers.get(event_type, ()))


@dataclass(frozen=True)
class Receipt:
    """What the webhook route answers Stripe."""

    status: int
    message: str
    event_id: str = ""


def receive(payload: bytes, signature_header: str) -> Receipt:
    """Verify, de-duplicate and process one webhook delivery (see the module docstring).
    Raises what a handler raised (the route answers 500)."""
    try:
        event = gateway.verify_webhook(payload, signature_header)
    except gateway.PaymentsNotConfigured as error:
        log.warning("stripe webhook refused: %s", error)
        return Receipt(503, str(error))
    except gateway.StripeFailure as error:
        log.warning("stripe webhook refused (400): %s", error)
        return Receipt(400, str(error))
    event_id, event_type = str(event["id"]), str(event["type"])
    try:
        outcome = _process(event, payload)
    except IntegrityError:  # the same event, delivered twice at the same moment
        return Receipt(200, "already received", event_id)
    if outcome is None:
        log.info("stripe webhook replayed", extra={"event_id": event_id, "type": event_type})
        return Receipt(200, "already received", event_id)
    log.info(
        "stripe webhook processed",
        extra={"event_id": event_id, "type": event_type, "outcome": outcome},
    )
    return Receipt(200, outcome, event_id)


def _process(event: dict[str, Any], payload: bytes) -> str | None:
    """The handlers' outcome, None when the event was already stored."""
    with session_scope() as db:
        if db.get(StripeEvent, str(event["id"])) is not None:
            return None
        row = StripeEvent(
            id=str(event["id"])[:80],
            type=str(event["type"])[:80],
            stripe_created=_created(event.get("created")),
            payload=payload.decode("utf-8", errors="replace"),
        )
        db.add(row)
        db.flush()
        outcomes = [handler(db, event) for handler in handlers_for(row.type)]
        row.outcome = ("; ".join(o for o in outcomes if o) or "ignored: no handler")[:300]
        row.processed_at = utc_now()
        db.add(row)
        return row.outcome


def _created(value: Any) -> datetime | None:
    if isinstance(value, int | float) and value > 0:
        return datetime.fromtimestamp(value, tz=UTC)
    return None


def event_object(event: dict[str, Any]) -> dict[str, Any]:
    """The object an event is about (`data.object`)."""
    data = event.get("data") or {}
    obj = data.get("object") if isinstance(data, dict) else None
    return obj if isinstance(obj, dict) else {}
