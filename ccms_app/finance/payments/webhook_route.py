"""POST /webhooks/stripe: where Stripe delivers its events (see webhook_dispatch).

Public by design: Stripe has no CCMS login; it proves itself with the Stripe-Signature
header, which `webhook_dispatch.receive` checks before anything is read or stored. Answers:
200 processed or replayed, 400 bad signature or stale timestamp, 413 an oversized body,
500 a handler failed (rolled back; Stripe retries), 503 webhooks not configured.
"""

from __future__ import annotations

import asyncio
import logging

from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from ccms_app.accounts.http_gate import public_route
from ccms_app.finance.payments.webhook_dispatch import receive

log = logging.getLogger(__name__)

WEBHOOK_PATH = "/webhooks/stripe"
MAX_BODY_BYTES = 512 * 1024  # Stripe events are a few KB


@public_route("Stripe delivers payment events; each is proven by its Stripe-Signature (HMAC)")
async def stripe_webhook(request: Request) -> Response:
    payload = await request.body()
    if len(payload) > MAX_BODY_BYTES:
        log.warning("stripe webhook refused: body of %d bytes", len(payload))
        return JSONResponse({"error": "body too large"}, status_code=413)
    signature = request.headers.get("stripe-signature", "")
    try:
        receipt = await asyncio.to_thread(receive, payload, signature)
    except Exception:
        log.exception("stripe webhook failed; rolled back, Stripe will retry")
        return JSONResponse({"error": "processing failed"}, status_code=500)
    body = {"received": receipt.status == 200, "message": receipt.message}
    if receipt.event_id:
        body["event_id"] = receipt.event_id
    return JSONResponse(body, status_code=receipt.status)


routes = [Route(WEBHOOK_PATH, stripe_webhook, methods=["POST"])]
