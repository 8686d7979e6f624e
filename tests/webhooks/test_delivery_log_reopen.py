"""System > Webhooks > one webhook across a websocket reconnect (Reflex runs on_load again in
the same tab state): the same webhook loading again refreshes it and its log and keeps the
log's search, filters, sort and page and the delivery open in its dialog; another webhook
starts newest first. Events go through the real gate on a real migrated database."""

from __future__ import annotations

from ccms_app.accounts.models import Organisation
from ccms_app.core.rows import stored_id
from ccms_app.webhooks.state.delivery_log import ROUTE_PREFIX, WebhookLogState
from tests.finance.wallets.tabs import Tab, login
from tests.webhooks.support import deliveries, queue_event, subscribe


async def _open(tab: Tab, webhook_id: int) -> None:
    """The page's on_load handlers, as Reflex runs them on a visit or a reconnect."""
    tab.at(f"{ROUTE_PREFIX}{webhook_id}")
    await tab.send(WebhookLogState, "open_page")
    await tab.send(WebhookLogState, "load")


async def test_a_reconnect_keeps_the_log_query_and_open_delivery_of_the_same_webhook(
    organisation: Organisation,
) -> None:
    hook = subscribe(organisation, "https://erp.example.com/hooks")
    other = subscribe(organisation, "https://bi.example.com/hooks")
    for n in range(11):
        queue_event(hook, None, n, identity="CP-1")
    queue_event(hook, None, 11, identity="CP-2")
    tab = login(stored_id(organisation.id), "hooks@example.com")
    await _open(tab, hook)
    await tab.send(WebhookLogState, "set_search", value="CP-1")
    await tab.send(WebhookLogState, "set_filter", key="state", value="pending")
    await tab.send(WebhookLogState, "sort_by", key="attempts")
    await tab.send(WebhookLogState, "set_page_size", value="10")
    await tab.send(WebhookLogState, "go_to_page", page=2)
    first = deliveries(hook)[0].id
    await tab.send(WebhookLogState, "open_delivery", delivery_id=str(first))
    queue_event(hook, None, 12, identity="CP-1")  # meanwhile, a new event

    await _open(tab, hook)  # the reconnect

    log: WebhookLogState = await tab.state(WebhookLogState)
    assert (log.search, log.filters) == ("CP-1", {"state": "pending"})
    assert (log.sort, log.descending, log.page_size, log.page) == ("attempts", False, 10, 2)
    assert (log.total, len(log.rows)) == (12, 2)
    assert log.detail_open
    assert log.detail["id"] == str(first)

    await _open(tab, other)  # another webhook
    assert (log.sort, log.descending, log.page) == ("created_at", True, 1)
    assert (log.search, log.filters, log.detail_open) == ("", {}, False)
    assert log.total == 0
