"""Webhooks: operators subscribe URLs to charger events; CCMS POSTs each event, signed.

What a receiver gets (System -> Webhooks, or the REST API's /webhooks):

    POST <url>
    Content-Type: application/json
    User-Agent: CCMS-Webhooks/1
    CCMS-Event-Id: evt_0d6f...          (the same on every retry: deduplicate on it)
    CCMS-Event-Type: session.started
    CCMS-Signature: t=1767225600,v1=<64 hex digits>

    {"id": "evt_0d6f...", "type": "session.started", "created_at": "2026-01-01T00:00:00.000000Z",
     "charge_point": {"id": 12, "identity": "CP-0012"}, "data": {...}}

Verifying `CCMS-Signature` (the scheme Stripe uses): take `t` (Unix seconds of the attempt)
and `v1` from the header, compute HMAC-SHA256 with the subscription's secret as key over the
bytes `"<t>." + <raw request body>`, hex-encode it and compare with `v1` in constant time;
refuse a `t` more than 5 minutes from your clock (a replayed request). Python:

    expected = hmac.new(secret.encode(), f"{t}.".encode() + body, hashlib.sha256).hexdigest()
    ok = hmac.compare_digest(expected, v1) and abs(time.time() - int(t)) <= 300

A worked example to test a receiver with: secret `whsec_test`, body `{"id":"evt_1"}` and
`t=1767225600` give `v1=45b40331de0325606dc5400202ade162460fbe48daf9401adfdcd0d7b4f35470`.

A 2xx answer within 10 s delivers the event; anything else (an error status, a redirect, a
timeout, no connection) is retried with exponential back-off (10 s, 20 s, 40 s ... at most an
hour apart) until the event is a day old, then given up. Events of one charge point reach a
subscription in the order they happened: a later one waits until the earlier one is
delivered or given up. Delivery is at least once (a restart during an attempt sends it
again). `ccms_app.webhooks.rules.events.EVENT_TYPES` lists the event types and their data.
"""
