"""What a webhook POSTs: one JSON object per event, the same bytes on every retry.

    {"id": "evt_<32 hex>", "type": "session.started",
     "created_at": "2026-01-01T00:00:00.000000Z",
     "charge_point": {"id": 12, "identity": "CP-0012"} | null,
     "data": {...}}

`id` is the event's: every subscription receiving the event, and every retry, carry the same
one, so a receiver deduplicates on it. Times are UTC, ISO 8601 with a `Z`.
"""

from __future__ import annotations

import json
import uuid
from datetime import UTC, datetime
from typing import Any

from ccms_app.webhooks.rules.events import TEST_EVENT

EVENT_ID_PREFIX = "evt_"


def new_event_id() -> str:
    return EVENT_ID_PREFIX + uuid.uuid4().hex


def iso(at: datetime | None) -> str | None:
    """A UTC time as the payloads write it (None stays None)."""
    if at is None:
        return None
    return at.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def charge_point_ref(charge_point_id: int | None, identity: str) -> dict[str, Any] | None:
    if charge_point_id is None:
        return None
    return {"id": charge_point_id, "identity": identity}


def payload(
    event_id: str,
    event_type: str,
    created_at: datetime,
    charge_point: dict[str, Any] | None,
    data: dict[str, Any],
) -> dict[str, Any]:
    return {
        "id": event_id,
        "type": event_type,
        "created_at": iso(created_at),
        "charge_point": charge_point,
        "data": data,
    }


def test_payload(event_id: str, created_at: datetime, subscription_name: str) -> dict[str, Any]:
    """What "Send test event" posts: a real delivery with nothing behind it."""
    data = {"message": f"Test event for the webhook {subscription_name!r} from CCMS."}
    return payload(event_id, TEST_EVENT, created_at, None, data)


def encode(body: dict[str, Any]) -> str:
    """The body as sent (and signed): compact JSON, keys in a stable order."""
    return json.dumps(body, separators=(",", ":"), ensure_ascii=False, default=str)
