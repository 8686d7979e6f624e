"""Webhooks as the app wires them: the network runtime runs them, /metrics counts them."""

from __future__ import annotations

from ocpp.v16 import call

from ccms_app.core.config import get_settings
from ccms_app.runtime import network_runtime
from ccms_app.webhooks import subscriptions
from tests.api.support import client
from tests.api.test_metrics import scrape, value
from tests.fixtures.ocpp import connect_charge_point, eventually
from tests.webhooks.receiver import Receiver, receiver
from tests.webhooks.support import deliveries, system_caller

__all__ = ["client", "receiver"]


async def _boot_and_deliver(url: str, receiver: Receiver, subscription_id: int) -> None:
    async with connect_charge_point(url, "CP-WIRED-1") as cp:
        await cp.call(call.BootNotification("Model", "Vendor"))
        await eventually(lambda: receiver.events() == ["charge_point.online"], timeout=10)
        await eventually(lambda: deliveries(subscription_id)[0].state == "delivered", timeout=10)


async def test_the_runtime_delivers_and_metrics_count(
    client, receiver: Receiver, organisation, settings_env
) -> None:
    settings_env.setenv("CCMS_OCPP_PORT", "0")
    settings_env.setenv("CCMS_DEMO_FLEET", "0")
    caller = system_caller(organisation.id)
    form = {"name": "ERP", "url": receiver.url, "events": "charge_point.online"}
    subscription_id = subscriptions.create_subscription(caller, form).view.id
    before = await scrape(client)
    async with network_runtime(get_settings()) as runtime:
        await _boot_and_deliver(runtime.ocpp_url, receiver, subscription_id)
    after = await scrape(client)
    delivered = value(after, "ccms_webhook_deliveries_total", outcome="delivered")
    assert delivered == value(before, "ccms_webhook_deliveries_total", outcome="delivered") + 1
    assert value(after, "ccms_webhook_attempt_seconds_count") >= 1
    assert ("ccms_webhook_backlog", frozenset()) in after
