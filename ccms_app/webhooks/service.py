"""Webhooks in a running CCMS: the dispatcher, the delivery worker and the log's retention.

The composition root starts this beside the OCPP server, on the same event bus:

    webhooks = await start_webhooks(get_event_bus())
    ...
    await webhooks.stop()

or `async with webhooks_running(bus):`. Start it before the OCPP server (so the first boots
are heard) and stop it after (so the last events are queued); a stop hands attempts under
way back to the table, and the next start sends them.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from datetime import timedelta

from ccms_app.core.events import EventBus
from ccms_app.core.retention import purge_in_background
from ccms_app.core.types import utc_now
from ccms_app.webhooks.delivery import DeliveryWorker
from ccms_app.webhooks.delivery_log import delivery_log_retention
from ccms_app.webhooks.dispatcher import WebhookDispatcher

log = logging.getLogger(__name__)

LOG_RETENTION_DAYS = 14  # finished deliveries stay in the log this long
PURGE_EVERY = timedelta(hours=1)
FIRST_PURGE_AFTER = timedelta(minutes=10)


@dataclass
class WebhookService:
    dispatcher: WebhookDispatcher
    worker: DeliveryWorker
    retention_days: int = LOG_RETENTION_DAYS
    _purge: asyncio.Task[None] | None = field(default=None, repr=False)

    async def start(self) -> None:
        await self.worker.start()
        await self.dispatcher.start()
        self._purge = asyncio.create_task(self._purge_hourly(), name="ccms-webhook-purge")

    async def stop(self) -> None:
        if self._purge is not None:
            self._purge.cancel()
            await asyncio.gather(self._purge, return_exceptions=True)
        await self.dispatcher.stop()
        await self.worker.stop()

    async def _purge_hourly(self) -> None:
        await asyncio.sleep(FIRST_PURGE_AFTER.total_seconds())
        while True:
            try:
                retained = delivery_log_retention(self.retention_days)
                await purge_in_background([retained], utc_now())
            except Exception:
                log.exception("webhook delivery log purge failed")
            await asyncio.sleep(PURGE_EVERY.total_seconds())


async def start_webhooks(
    bus: EventBus,
    worker: DeliveryWorker | None = None,
    dispatcher: WebhookDispatcher | None = None,
) -> WebhookService:
    """Start delivering this process's events; `stop()` the answer at shutdown."""
    service = WebhookService(dispatcher or WebhookDispatcher(bus), worker or DeliveryWorker())
    await service.start()
    log.info("webhooks started")
    return service


@contextlib.asynccontextmanager
async def webhooks_running(
    bus: EventBus,
    worker: DeliveryWorker | None = None,
    dispatcher: WebhookDispatcher | None = None,
) -> AsyncIterator[WebhookService]:
    service = await start_webhooks(bus, worker, dispatcher)
    try:
        yield service
    finally:
        await service.stop()
