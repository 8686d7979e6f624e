"""Subscriptions as System -> Webhooks and the REST API use them, and who hears what:
validation, the secret shown once, scope, audit, the dispatcher's choice of receivers, the
backlog bound, retention, and every page handler declaring what it needs."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlmodel import Session, select

from ccms_app.accounts.gate_marks import requirement
from ccms_app.accounts.models import AuditEntry, Organisation
from ccms_app.accounts.roles import InputError, NotFoundError
from ccms_app.core import db
from ccms_app.core.types import utc_now
from ccms_app.network.models import ChargePoint
from ccms_app.webhooks import active, delivery_log, dispatcher, rounds, stats, subscriptions
from ccms_app.webhooks.models import WebhookSubscription
from ccms_app.webhooks.state.delivery_log import WebhookLogState, webhook_id_from_path
from ccms_app.webhooks.state.webhooks import WebhookFormState, WebhookListState
from tests.finance.wallets.tabs import login
from tests.webhooks.support import deliveries, queue_event, subscribe, system_caller

HOOK = "https://erp.example.com/hook"


@pytest.fixture
def sub_operator(organisation: Organisation) -> Organisation:
    with db.session_scope() as session:
        sub = Organisation(name="Sub Operator", parent_id=organisation.id)
        session.add(sub)
        session.flush()
        session.refresh(sub)
        return sub


def _charge_point(identity: str, organisation_id: int) -> int:
    with db.session_scope() as session:
        cp = ChargePoint(identity=identity, organisation_id=organisation_id)
        session.add(cp)
        session.flush()
        assert cp.id is not None
        return cp.id


def _audited(action: str) -> list[AuditEntry]:
    with Session(db.get_engine()) as session:
        return list(session.exec(select(AuditEntry).where(AuditEntry.action == action)).all())


def test_create_makes_a_secret_shown_once_and_lists_none(organisation) -> None:
    caller = system_caller(organisation.id)
    form = {"name": "ERP", "url": HOOK, "events": "session.started,session.stopped"}
    saved = subscriptions.create_subscription(caller, form)
    assert saved.secret.startswith("whsec_")
    assert saved.view.events_text == "session.started, session.stopped" and saved.view.enabled
    assert "secret" not in saved.view.form()
    with Session(db.get_engine()) as session:
        assert session.get(WebhookSubscription, saved.view.id).secret == saved.secret
    (entry,) = _audited("webhook.create")
    assert saved.secret not in entry.detail and "ERP" in entry.detail
    kept = subscriptions.update_subscription(caller, saved.view.id, saved.view.form())
    assert kept.secret == ""
    rotated = subscriptions.rotate_secret(caller, saved.view.id)
    assert rotated.secret.startswith("whsec_") and rotated.secret != saved.secret
    own = subscriptions.update_subscription(
        caller, saved.view.id, saved.view.form() | {"secret": "my-own-secret-0123456789"}
    )
    assert own.secret == "my-own-secret-0123456789"
    assert "secret replaced" in _audited("webhook.update")[-1].detail


def test_every_field_problem_at_once_and_nothing_saved(organisation) -> None:
    caller = system_caller(organisation.id)
    with pytest.raises(InputError) as refused:
        subscriptions.create_subscription(
            caller, {"name": "", "url": "ftp://x", "events": "nope", "secret": "short"}
        )
    assert set(refused.value.errors) == {"name", "url", "events", "secret"}
    assert "http://" in refused.value.errors["url"]
    with Session(db.get_engine()) as session:
        assert session.exec(select(WebhookSubscription)).all() == []


def test_scope_a_sub_operator_sees_only_its_own(organisation, sub_operator) -> None:
    parents = subscribe(organisation, HOOK)
    theirs = subscribe(sub_operator, HOOK)
    sub_caller = system_caller(sub_operator.id)
    assert subscriptions.get_subscription(sub_caller, theirs).organisation == "Sub Operator"
    with pytest.raises(NotFoundError):
        subscriptions.get_subscription(sub_caller, parents)
    with pytest.raises(NotFoundError):
        subscriptions.delete_subscription(sub_caller, parents)
    with pytest.raises(NotFoundError):  # nor make one for its parent
        subscriptions.create_subscription(
            sub_caller, {"name": "X", "url": HOOK, "events": "*"}, organisation.id
        )
    assert subscriptions.delete_subscription(system_caller(organisation.id), theirs) == "ERP"


def test_who_hears_a_charge_points_events(organisation, sub_operator) -> None:
    """The operator's webhook hears its sub-operators' charge points; theirs only their own;
    a webhook hears only the types it chose; a disabled one nothing."""
    parents = subscribe(organisation, HOOK)
    theirs = subscribe(sub_operator, HOOK)
    starts_only = subscribe(organisation, HOOK, events="session.started")
    disabled = subscribe(organisation, HOOK)
    caller = system_caller(organisation.id)
    view = subscriptions.get_subscription(caller, disabled)
    subscriptions.update_subscription(caller, disabled, view.form() | {"enabled": "false"})
    own_cp = _charge_point("CP-OWN", organisation.id)
    sub_cp = _charge_point("CP-SUB", sub_operator.id)
    now = utc_now()
    events = [
        dispatcher.WebhookEvent("charge_point.online", own_cp, "CP-OWN", {"online": True}, now),
        dispatcher.WebhookEvent("charge_point.online", sub_cp, "CP-SUB", {"online": True}, now),
        dispatcher.WebhookEvent("charge_point.online", 999_999, "GONE", {"online": True}, now),
    ]
    listening = active.active_subscriptions().load()
    assert dispatcher.queue_events(events, listening, now) == 3
    assert [d.identity for d in deliveries(parents)] == ["CP-OWN", "CP-SUB"]
    assert [d.identity for d in deliveries(theirs)] == ["CP-SUB"]
    assert deliveries(starts_only) == [] and deliveries(disabled) == []
    first, second = deliveries(parents)
    assert first.event_id != second.event_id
    assert deliveries(theirs)[0].event_id == second.event_id  # one event, one id


def test_a_failing_receivers_backlog_is_bounded(organisation, monkeypatch) -> None:
    monkeypatch.setattr(dispatcher, "MAX_BACKLOG", 2)
    subscription_id = subscribe(organisation, HOOK)
    cp = _charge_point("CP-1", organisation.id)
    with db.session_scope() as session:
        row = session.get(WebhookSubscription, subscription_id)
        row.failing_since = utc_now()
        session.add(row)
    active.forget()
    listening = active.active_subscriptions().load()
    before = stats.totals()["dropped"]
    now = utc_now()
    events = [
        dispatcher.WebhookEvent("charge_point.status_changed", cp, "CP-1", {"status": s}, now)
        for s in ("Available", "Preparing", "Charging")
    ]
    assert dispatcher.queue_events(events, listening, now) == 2
    assert stats.totals()["dropped"] == before + 1
    assert [d.state for d in deliveries(subscription_id)] == ["pending", "waiting"]


def test_finished_deliveries_leave_the_log_after_retention(organisation) -> None:
    subscription_id = subscribe(organisation, HOOK)
    queue_event(subscription_id, None, 1)
    queue_event(subscription_id, None, 2)
    (first, _second) = deliveries(subscription_id)
    long_ago = utc_now() - timedelta(days=30)
    outcome = rounds.Outcome(first.id, subscription_id, True, long_ago, None, status=200)
    rounds.settle_and_claim([outcome], {}, 0, 0, utc_now(), utc_now())
    retention = delivery_log.delivery_log_retention(14)
    assert retention.count(utc_now() - timedelta(days=14)) == 1
    assert sum(retention.purge(utc_now() - timedelta(days=14), 100)) == 1
    assert [d.state for d in deliveries(subscription_id)] == ["pending"]
    assert delivery_log.count_undelivered() == 1


async def test_the_dialogs_errors_stay_while_typing_until_the_next_save(
    organisation: Organisation,
) -> None:
    """They sit above Save, and the field typed last arrives (on leaving it) with the
    mousedown of the click on Save: clearing them then would move Save under the pointer."""
    tab = login(int(organisation.id or 0), "hooks@example.com").at("/system/webhooks")
    await tab.send(WebhookFormState, "open_new")
    form = await tab.state(WebhookFormState)
    await tab.send(WebhookFormState, "set_value", name="url", value="ftp://x")
    await tab.send(WebhookFormState, "save", secret_form={})
    assert set(form.errors) == {"name", "url"} and form.mode == "create"

    await tab.send(WebhookFormState, "set_value", name="name", value="ERP")
    await tab.send(WebhookFormState, "set_value", name="url", value=HOOK)
    assert set(form.errors) == {"name", "url"}

    await tab.send(WebhookFormState, "save", secret_form={})
    assert (form.errors, form.message, form.mode) == ({}, "", "")


def test_every_page_handler_declares_what_it_needs() -> None:
    """What the gate reads (tests/accounts/test_gate_enumeration.py checks the whole app)."""
    edits = {"save", "rotate_secret", "delete", "send_test"}
    for state in (WebhookListState, WebhookFormState, WebhookLogState):
        for name in state.event_handlers:
            needed = requirement(state, name)
            assert needed is not None or name == "setvar", f"{state.__name__}.{name}"
            if name in edits:
                assert needed == "system:edit", name
            elif name != "setvar" and name != "export_csv":
                assert needed == "system:view", name


def test_the_log_page_reads_its_webhook_from_the_url() -> None:
    assert webhook_id_from_path("/system/webhooks/12") == 12
    assert webhook_id_from_path("/system/webhooks/12/") == 12
    assert webhook_id_from_path("/system/webhooks/x") == 0
    assert webhook_id_from_path("/system/webhooks/" + "9" * 30) == 0
