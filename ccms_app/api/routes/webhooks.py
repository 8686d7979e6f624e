"""Webhooks: list, get, export, create (the secret is in the answer, once), update
(partial), delete, a new secret, the delivery log, and a test event.

The same rules as System -> Webhooks (`webhooks.subscriptions`): system:view to see,
system:edit to change or send a test event, organisations of the key's scope only. How a
receiver checks a delivery's signature is in the `ccms_app.webhooks` docstring.
"""

from __future__ import annotations

import asyncio
from datetime import datetime
from typing import Annotated, Any

from fastapi import Path, Query, Response
from pydantic import BaseModel, ConfigDict, Field, create_model

from ccms_app.accounts.rules.permissions import Action, Module
from ccms_app.api import problems
from ccms_app.api.deps import ApiCaller, gate, router
from ccms_app.api.forms import read_back
from ccms_app.api.listing import add_list_routes, item_model, page_model, params_model, read_page
from ccms_app.api.resources import MAX_INT, ListResource, StrictModel
from ccms_app.webhooks import delivery_log, subscriptions
from ccms_app.webhooks.rules.events import ALL_EVENTS, EVENT_TYPES
from ccms_app.webhooks.rules.inputs import MAX_NAME_CHARS, MAX_URL_CHARS
from ccms_app.webhooks.rules.signing import MAX_SECRET_CHARS

problems.register({subscriptions.SubscriptionDisabledError: 409})

RESOURCE = ListResource(subscriptions.SUBSCRIPTION_LIST, Module.SYSTEM, "Webhook", "webhooks")
api = router(RESOURCE.path, "Webhooks")
Webhook = add_list_routes(api, RESOURCE)
WebhookId = Annotated[int, Path(ge=1, le=MAX_INT)]
Editor = Annotated[ApiCaller, gate(Module.SYSTEM, Action.EDIT)]
Viewer = Annotated[ApiCaller, gate(Module.SYSTEM, Action.VIEW)]

DELIVERIES = ListResource(
    delivery_log.DELIVERY_LIST, Module.SYSTEM, "WebhookDelivery", "webhook_deliveries"
)
Delivery = item_model(DELIVERIES)
DeliveryPage = page_model(DELIVERIES, Delivery)
_DELIVERY_PARAMS = params_model(DELIVERIES, paged=True)
# The log's query parameters: the list's, without the webhook (the path names it).
_PARAM_FIELDS: dict[str, Any] = {
    name: (field.annotation, field)
    for name, field in _DELIVERY_PARAMS.model_fields.items()
    if name != "subscription_id"
}
DeliveryParams = create_model(
    "WebhookDeliveryListParams", __config__=ConfigDict(extra="forbid"), **_PARAM_FIELDS
)
EVENTS_TEXT = ", ".join(EVENT_TYPES)
EventName = Annotated[str, Field(max_length=48)]


class WebhookChanges(StrictModel):
    """A partial update: only the fields sent change."""

    name: str | None = Field(None, max_length=MAX_NAME_CHARS)
    url: str | None = Field(None, max_length=MAX_URL_CHARS, description="http:// or https://")
    events: list[EventName] | None = Field(
        None,
        max_length=len(EVENT_TYPES) + 1,
        description=f'Event types ({EVENTS_TEXT}), or ["{ALL_EVENTS}"]: all, later ones too',
    )
    enabled: bool | None = None
    secret: str | None = Field(
        None,
        max_length=MAX_SECRET_CHARS,
        description="Your own signing secret (16-128 printable ASCII characters); "
        "left out: kept (create: CCMS makes one)",
    )


class NewWebhook(WebhookChanges):
    name: str = Field(max_length=MAX_NAME_CHARS, description="Where it goes, e.g. ERP")
    url: str = Field(max_length=MAX_URL_CHARS, description="http:// or https://")
    events: list[EventName] = Field(
        default_factory=lambda: [ALL_EVENTS],
        max_length=len(EVENT_TYPES) + 1,
        description=f'Event types ({EVENTS_TEXT}), or ["{ALL_EVENTS}"]: all, later ones too',
    )
    enabled: bool = True
    organisation_id: int | None = Field(
        None, ge=1, le=MAX_INT, description="Whose charge points it hears (default: the key's)"
    )


class WebhookWithSecret(StrictModel):
    secret: str = Field(description="The signing secret: answered this once, listed never")
    webhook: Webhook  # type: ignore[valid-type]


class DeliveryDetail(BaseModel):
    """One delivery: what was sent (`payload`, the exact body) and what came back."""

    id: int
    subscription_id: int
    event_id: str
    event_type: str
    charge_point_id: int | None
    identity: str
    state: str = Field(description="pending, waiting (behind an earlier event), delivered, failed")
    attempts: int
    created_at: datetime
    last_attempt_at: datetime | None
    next_attempt_at: datetime | None
    finished_at: datetime | None
    response_status: int | None
    response_body: str = Field(description="The start of the receiver's last answer")
    error: str
    duration_ms: int | None
    payload: str


def _form(body: WebhookChanges, exclude_unset: bool) -> dict[str, str]:
    """The body as the web form's strings (null becomes the empty field)."""
    values = body.model_dump(exclude_unset=exclude_unset, exclude={"organisation_id"})
    form = {key: "" if value is None else str(value) for key, value in values.items()}
    if "enabled" in values and values["enabled"] is not None:
        form["enabled"] = "true" if values["enabled"] else "false"
    if "events" in values:
        form["events"] = ",".join(values["events"] or [])
    return form


@api.post("", status_code=201, response_model=WebhookWithSecret, operation_id="create_webhook")
async def create_webhook(body: NewWebhook, caller: Editor, response: Response) -> Any:
    saved = await asyncio.to_thread(
        subscriptions.create_subscription,
        caller.caller,
        _form(body, exclude_unset=False),
        body.organisation_id,
    )
    row = await read_back(RESOURCE, saved.view.id, caller, response)
    return {"secret": saved.secret, "webhook": row}


@api.patch("/{id}", response_model=Webhook, operation_id="update_webhook")
async def update_webhook(id: WebhookId, body: WebhookChanges, caller: Editor) -> Any:
    current = await asyncio.to_thread(subscriptions.get_subscription, caller.caller, id)
    form = current.form() | _form(body, exclude_unset=True)
    await asyncio.to_thread(subscriptions.update_subscription, caller.caller, id, form)
    return await read_back(RESOURCE, id, caller)


@api.delete("/{id}", status_code=204, operation_id="delete_webhook")
async def delete_webhook(id: WebhookId, caller: Editor) -> Response:
    """Delete it with its delivery log; what was not delivered yet is not sent."""
    await asyncio.to_thread(subscriptions.delete_subscription, caller.caller, id)
    return Response(status_code=204)


@api.post(
    "/{id}/rotate-secret", response_model=WebhookWithSecret, operation_id="rotate_webhook_secret"
)
async def rotate_webhook_secret(id: WebhookId, caller: Editor) -> Any:
    """A new secret made by CCMS; the old one stops signing at once."""
    saved = await asyncio.to_thread(subscriptions.rotate_secret, caller.caller, id)
    return {"secret": saved.secret, "webhook": await read_back(RESOURCE, id, caller)}


@api.post(
    "/{id}/test",
    status_code=202,
    response_model=DeliveryDetail,
    operation_id="send_webhook_test_event",
    responses={409: {"description": "The webhook is disabled"}},
)
async def send_webhook_test_event(id: WebhookId, caller: Editor, response: Response) -> Any:
    """Queue a `webhook.test` event to this webhook now; follow it in its delivery log."""
    delivery_id = await asyncio.to_thread(subscriptions.send_test_event, caller.caller, id)
    view = await asyncio.to_thread(delivery_log.get_delivery, caller.caller, id, delivery_id)
    response.headers["Location"] = f"/api/v1/webhooks/{id}/deliveries/{delivery_id}"
    return view


@api.get("/{id}/deliveries", response_model=DeliveryPage, operation_id="list_webhook_deliveries")
async def list_webhook_deliveries(
    id: WebhookId,
    params: Annotated[DeliveryParams, Query()],  # type: ignore[valid-type]
    caller: Viewer,
) -> Any:
    """The delivery log: one row per event, its state and its last attempt."""
    await asyncio.to_thread(subscriptions.get_subscription, caller.caller, id)
    query = _DELIVERY_PARAMS(**params.model_dump(), subscription_id=id)  # type: ignore[attr-defined]
    return await asyncio.to_thread(read_page, DELIVERIES, Delivery, query, caller)


@api.get(
    "/{id}/deliveries/{delivery_id}",
    response_model=DeliveryDetail,
    operation_id="get_webhook_delivery",
)
async def get_webhook_delivery(
    id: WebhookId,
    delivery_id: Annotated[int, Path(ge=1, le=MAX_INT)],
    caller: Viewer,
) -> Any:
    return await asyncio.to_thread(delivery_log.get_delivery, caller.caller, id, delivery_id)
