"""Webhook subscriptions: created, listed, changed, deleted and tested.

System -> Webhooks and the REST API's /webhooks call these. The System rules: seeing needs
system:view (the gate checks it), changing needs system:edit, checked here again against
the caller of this very request and audited, refusals too. A subscription belongs to an
organisation of the caller's scope and hears that organisation's charge points and those of
its sub-operators.

The secret signs every delivery (`rules.signing`). CCMS makes one unless the operator sets
their own; it is answered once, by the call that made or set it, and never listed again.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import delete, func
from sqlalchemy import select as sa_select
from sqlmodel import Session, col

from ccms_app.accounts import audit
from ccms_app.accounts.models import Organisation
from ccms_app.accounts.roles import Caller, InputError, not_found, require
from ccms_app.accounts.rules.permissions import Action, Module, permission
from ccms_app.core.db import read_session, session_scope
from ccms_app.core.i18n import tr
from ccms_app.core.listing import ListColumn, ListSpec
from ccms_app.core.rows import stored_id
from ccms_app.core.types import utc_now
from ccms_app.webhooks import active, outbox
from ccms_app.webhooks.models import UNDELIVERED, WebhookDelivery, WebhookSubscription
from ccms_app.webhooks.rules.events import TEST_EVENT, describe_selection
from ccms_app.webhooks.rules.inputs import SubscriptionInput, read_form
from ccms_app.webhooks.rules.payloads import encode, new_event_id, test_payload
from ccms_app.webhooks.rules.signing import new_secret

EDIT_PERMISSION = permission(Module.SYSTEM, Action.EDIT)
OBJECT = "webhook"


class SubscriptionDisabledError(Exception):
    """A disabled webhook sends nothing, test events included."""


_UNDELIVERED = (
    sa_select(func.count(col(WebhookDelivery.id)))
    .where(
        col(WebhookDelivery.subscription_id) == WebhookSubscription.id,
        col(WebhookDelivery.state).in_(UNDELIVERED),
    )
    .correlate(WebhookSubscription)
    .scalar_subquery()
)

SUBSCRIPTION_LIST = ListSpec(
    name="webhooks",
    base=lambda: sa_select(WebhookSubscription).join(
        Organisation, col(Organisation.id) == WebhookSubscription.organisation_id
    ),
    columns=(
        ListColumn("id", "Id", WebhookSubscription.id),
        ListColumn("name", "Name", WebhookSubscription.name, searchable=True),
        ListColumn("url", "URL", WebhookSubscription.url, searchable=True),
        ListColumn("events", "Events", WebhookSubscription.events, sortable=False),
        ListColumn("enabled", "Enabled", WebhookSubscription.enabled, filterable=True),
        ListColumn("organisation", "Organisation", Organisation.name, filterable=True),
        ListColumn(
            "organisation_id",
            "Organisation id",
            WebhookSubscription.organisation_id,
            filterable=True,
        ),
        ListColumn("undelivered", "Undelivered", _UNDELIVERED, sortable=False),
        ListColumn("last_attempt_at", "Last attempt (UTC)", WebhookSubscription.last_attempt_at),
        ListColumn("last_outcome", "Last outcome", WebhookSubscription.last_outcome),
        ListColumn("failing_since", "Failing since (UTC)", WebhookSubscription.failing_since),
        ListColumn("created_by", "Created by", WebhookSubscription.created_by),
        ListColumn("created_at", "Created (UTC)", WebhookSubscription.created_at),
    ),
    organisation_column=WebhookSubscription.organisation_id,
    id_column=WebhookSubscription.id,
    default_sort="name",
)


@dataclass(frozen=True)
class SubscriptionView:
    id: int
    organisation_id: int
    organisation: str
    name: str
    url: str
    events: str  # the stored selection: "*" or comma-separated types
    enabled: bool
    created_by: str
    created_at: datetime
    last_attempt_at: datetime | None
    last_outcome: str
    failing_since: datetime | None

    @property
    def events_text(self) -> str:
        return describe_selection(self.events)

    def form(self) -> dict[str, str]:
        """The edit form as the web UI fills it (the secret is never shown: empty keeps it)."""
        enabled = "true" if self.enabled else "false"
        return {"name": self.name, "url": self.url, "events": self.events, "enabled": enabled}


@dataclass(frozen=True)
class SavedSubscription:
    """A subscription just saved; `secret` is the one made or set now ("" when kept)."""

    view: SubscriptionView
    secret: str


def _view(session: Session, row: WebhookSubscription) -> SubscriptionView:
    organisation = session.get(Organisation, row.organisation_id)
    return SubscriptionView(
        id=stored_id(row.id),
        organisation_id=row.organisation_id,
        organisation=organisation.name if organisation else "",
        name=row.name,
        url=row.url,
        events=row.events,
        enabled=row.enabled,
        created_by=row.created_by,
        created_at=row.created_at,
        last_attempt_at=row.last_attempt_at,
        last_outcome=row.last_outcome,
        failing_since=row.failing_since,
    )


def _checked(form: Mapping[str, str]) -> SubscriptionInput:
    checked, errors = read_form(form)
    if checked is None:
        raise InputError(errors)
    return checked


def _in_scope(session: Session, caller: Caller, subscription_id: int) -> WebhookSubscription | None:
    row = session.get(WebhookSubscription, subscription_id)
    return row if row is not None and row.organisation_id in caller.scope() else None


def _changed() -> None:
    """The dispatcher matches the next events against the subscriptions as they are now,
    and the worker looks again (an enabled webhook resumes its paused deliveries)."""
    active.forget()
    outbox.notify_queued()


def create_subscription(
    caller: Caller, form: Mapping[str, str], organisation_id: int | None = None
) -> SavedSubscription:
    """A subscription for `organisation_id` (default: the caller's)."""
    action = "webhook.create"
    require(caller, EDIT_PERMISSION, action, OBJECT, "")
    checked = _checked(form)
    owner = caller.organisation_id if organisation_id is None else organisation_id
    secret = checked.secret or new_secret()
    created = None
    if owner in caller.scope():
        with session_scope() as session:
            if session.get(Organisation, owner) is not None:
                row = WebhookSubscription(
                    organisation_id=owner,
                    name=checked.name,
                    url=checked.url,
                    events=checked.events,
                    secret=secret,
                    enabled=checked.enabled,
                    created_by=caller.email[:320],
                )
                session.add(row)
                session.flush()
                created = _view(session, row)
    if created is None:
        not_found(caller, action, OBJECT, "", "organisation")
    _audit(caller, action, created, f"{created.name} -> {created.url} ({created.events_text})")
    _changed()
    return SavedSubscription(created, secret)


def update_subscription(
    caller: Caller, subscription_id: int, form: Mapping[str, str]
) -> SavedSubscription:
    """Change name, URL, events, enabled; a non-empty `secret` replaces the secret."""
    action = "webhook.update"
    require(caller, EDIT_PERMISSION, action, OBJECT, subscription_id)
    checked = _checked(form)
    with session_scope() as session:
        row = _in_scope(session, caller, subscription_id)
        if row is not None:
            row.name, row.url, row.events = checked.name, checked.url, checked.events
            row.enabled = checked.enabled
            if checked.secret:
                row.secret = checked.secret
            row.updated_at = utc_now()
            session.add(row)
            session.flush()
        view = _view(session, row) if row is not None else None
    if view is None:
        not_found(caller, action, OBJECT, subscription_id, "webhook")
    note = "; secret replaced" if checked.secret else ""
    _audit(caller, action, view, f"{view.name} -> {view.url} ({view.events_text}){note}")
    _changed()
    return SavedSubscription(view, checked.secret)


def rotate_secret(caller: Caller, subscription_id: int) -> SavedSubscription:
    """A new secret made by CCMS; the old one stops signing at once."""
    action = "webhook.rotate_secret"
    require(caller, EDIT_PERMISSION, action, OBJECT, subscription_id)
    secret = new_secret()
    with session_scope() as session:
        row = _in_scope(session, caller, subscription_id)
        if row is not None:
            row.secret = secret
            row.updated_at = utc_now()
            session.add(row)
            session.flush()
        view = _view(session, row) if row is not None else None
    if view is None:
        not_found(caller, action, OBJECT, subscription_id, "webhook")
    _audit(caller, action, view, view.name)
    return SavedSubscription(view, secret)


def delete_subscription(caller: Caller, subscription_id: int) -> str:
    """Delete it with its delivery log (what was not delivered yet is not sent)."""
    action = "webhook.delete"
    require(caller, EDIT_PERMISSION, action, OBJECT, subscription_id)
    with session_scope() as session:
        row = _in_scope(session, caller, subscription_id)
        view = _view(session, row) if row is not None else None
        if row is not None:
            session.execute(
                delete(WebhookDelivery).where(
                    col(WebhookDelivery.subscription_id) == subscription_id
                )
            )
            session.delete(row)
    if view is None:
        not_found(caller, action, OBJECT, subscription_id, "webhook")
    _audit(caller, action, view, f"{view.name} -> {view.url}")
    active.forget()
    return view.name


def get_subscription(caller: Caller, subscription_id: int) -> SubscriptionView:
    with read_session() as session:
        row = _in_scope(session, caller, subscription_id)
        view = _view(session, row) if row is not None else None
    if view is None:
        not_found(caller, "webhook.view", OBJECT, subscription_id, "webhook")
    return view


def send_test_event(caller: Caller, subscription_id: int) -> int:
    """Queue a `webhook.test` delivery to this subscription now; the delivery's id."""
    action = "webhook.test"
    require(caller, EDIT_PERMISSION, action, OBJECT, subscription_id)
    view = get_subscription(caller, subscription_id)
    if not view.enabled:
        raise SubscriptionDisabledError(
            tr("This webhook is disabled: enable it first (a disabled webhook sends nothing).")
        )
    now = utc_now()
    event_id = new_event_id()
    body = encode(test_payload(event_id, now, view.name))
    new = outbox.NewDelivery(view.id, event_id, TEST_EVENT, None, "", body, now)
    delivery_id = outbox.enqueue_one(new, now)
    _audit(caller, action, view, f"{view.name}: test event {event_id}")
    return delivery_id


def _audit(caller: Caller, action: str, view: SubscriptionView, detail: str) -> None:
    audit.record(caller.actor(), action, object_type=OBJECT, object_id=view.id, detail=detail)
