"""The delivery worker: POSTs queued deliveries, signed, and retries them with back-off.

One asyncio task per process. Each round records the attempts that finished and claims the
due deliveries in one short transaction (`rounds.settle_and_claim`), then starts one task
per claimed delivery. An attempt is an httpx POST bounded by `timeout` in total (connect,
send, answer); a 2xx answer delivers it, anything else is an error for the delivery log and
a retry per `rules.backoff.RetryPolicy`. At most `per_subscription` attempts run at once
per subscription and `max_in_flight` in all, so a receiver that hangs holds its own slots
and delays neither other receivers nor anything else: the worker only awaits sockets, and
the database sees a few short commits a second.

Redirects are not followed (a receiver that moved answers 3xx: an error the log shows).
The body's first `RESPONSE_EXCERPT_CHARS` characters are kept for the log, no more is read.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import random
import time
from collections import defaultdict
from datetime import datetime, timedelta

import httpx

from ccms_app.core.types import utc_now
from ccms_app.webhooks import outbox, rounds, stats
from ccms_app.webhooks.rules import outcomes
from ccms_app.webhooks.rules.backoff import RetryPolicy
from ccms_app.webhooks.rules.signing import (
    EVENT_ID_HEADER,
    EVENT_TYPE_HEADER,
    SIGNATURE_HEADER,
    signature_header,
)

log = logging.getLogger(__name__)

DELIVERY_TIMEOUT_S = 10.0
MAX_IN_FLIGHT = 64
PER_SUBSCRIPTION = 4
ROUND_PAUSE_S = 0.05  # after a wake-up: lets finished attempts and new events gather
IDLE_WAKE_S = 30.0  # look at the table at least this often (changes from other processes)
LEASE_MARGIN_S = 60.0
RESPONSE_EXCERPT_CHARS = 1000
USER_AGENT = "CCMS-Webhooks/1"


def _excerpt(raw: bytes) -> str:
    text = raw.decode("utf-8", errors="replace").replace("\x00", "")
    return text[:RESPONSE_EXCERPT_CHARS]


def _failure(status: int) -> str:
    if 300 <= status < 400:
        return outcomes.redirect_refused(status)
    return f"HTTP {status}"


class DeliveryWorker:
    """Sends what the outbox holds; `start()` / `stop()` bound its life."""

    def __init__(
        self,
        *,
        policy: RetryPolicy | None = None,
        timeout: float = DELIVERY_TIMEOUT_S,
        max_in_flight: int = MAX_IN_FLIGHT,
        per_subscription: int = PER_SUBSCRIPTION,
        transport: httpx.AsyncBaseTransport | None = None,
    ) -> None:
        self._policy = policy or RetryPolicy()
        self._timeout = timeout
        self._max_in_flight = max_in_flight
        self._per_subscription = per_subscription
        self._transport = transport
        self._client: httpx.AsyncClient | None = None
        self._loop: asyncio.AbstractEventLoop | None = None
        self._wake = asyncio.Event()
        self._task: asyncio.Task[None] | None = None
        self._attempts: dict[int, tuple[int, asyncio.Task[None]]] = {}  # delivery -> sub, task
        self._finished: list[rounds.Outcome] = []

    async def start(self) -> None:
        self._loop = asyncio.get_running_loop()
        self._client = httpx.AsyncClient(
            timeout=httpx.Timeout(self._timeout),
            follow_redirects=False,
            transport=self._transport,
            headers={"User-Agent": USER_AGENT},
            limits=httpx.Limits(max_connections=self._max_in_flight),
        )
        outbox.on_queued(self.wake)
        promoted = await asyncio.to_thread(rounds.promote_orphans, utc_now())
        if promoted:
            log.warning("webhook deliveries restarted", extra={"charge_points": promoted})
        self._task = asyncio.create_task(self._run(), name="ccms-webhook-deliveries")

    async def stop(self) -> None:
        """Stop sending: attempts under way are cancelled and handed back (due at once,
        for the next start), finished ones are recorded."""
        outbox.forget_listener(self.wake)
        if self._task is not None:
            self._task.cancel()
            await asyncio.gather(self._task, return_exceptions=True)
        attempts = [task for _sub, task in self._attempts.values()]
        for task in attempts:
            task.cancel()
        await asyncio.gather(*attempts, return_exceptions=True)
        unfinished = list(self._attempts)
        self._attempts.clear()
        finished, self._finished = self._finished, []
        now = utc_now()
        with contextlib.suppress(Exception):
            await asyncio.to_thread(rounds.settle_and_claim, finished, {}, 0, 0, now, now)
            await asyncio.to_thread(rounds.release, unfinished, now)
        if self._client is not None:
            await self._client.aclose()
        self._task = self._client = None

    def wake(self) -> None:
        """Something was queued (callable from any thread)."""
        loop = self._loop
        if loop is None or loop.is_closed():
            return
        try:
            running = asyncio.get_running_loop()
        except RuntimeError:
            running = None
        if running is loop:
            self._wake.set()
        else:
            loop.call_soon_threadsafe(self._wake.set)

    # --- rounds -------------------------------------------------------------------------------

    async def _run(self) -> None:
        while True:
            try:
                next_due = await self._round()
            except Exception:
                log.exception("webhook delivery round failed")
                next_due = utc_now() + timedelta(seconds=1)
            await self._sleep_until(next_due)

    async def _round(self) -> datetime | None:
        finished, self._finished = self._finished, []
        in_flight: dict[int, set[int]] = defaultdict(set)
        for delivery_id, (subscription_id, _task) in self._attempts.items():
            in_flight[subscription_id].add(delivery_id)
        now = utc_now()
        lease = now + timedelta(seconds=self._timeout + LEASE_MARGIN_S)
        try:
            claimed = await asyncio.to_thread(
                rounds.settle_and_claim,
                finished,
                in_flight,
                self._per_subscription,
                self._max_in_flight - len(self._attempts),
                now,
                lease,
            )
        except Exception:
            self._finished = finished + self._finished  # recorded next round
            raise
        for due in claimed.deliveries:
            task = asyncio.create_task(self._attempt(due), name=f"ccms-webhook-{due.id}")
            self._attempts[due.id] = (due.subscription_id, task)
        return claimed.next_due

    async def _sleep_until(self, next_due: datetime | None) -> None:
        wait = IDLE_WAKE_S
        if next_due is not None:
            wait = max(0.0, min(wait, (next_due - utc_now()).total_seconds()))
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(self._wake.wait(), timeout=wait)
        self._wake.clear()
        await asyncio.sleep(ROUND_PAUSE_S)

    # --- one attempt --------------------------------------------------------------------------

    async def _attempt(self, due: rounds.DueDelivery) -> None:
        attempted_at = utc_now()
        started = time.perf_counter()
        status: int | None = None
        excerpt, error = "", ""
        try:
            status, excerpt = await self._post(due)
            error = "" if 200 <= status < 300 else _failure(status)
        except TimeoutError:
            error = outcomes.no_answer(self._timeout)
        except httpx.ConnectError as exc:
            error = outcomes.no_connection(exc)[:500]
        except httpx.HTTPError as exc:
            error = f"{type(exc).__name__}: {exc}"[:500]
        except Exception as exc:  # never leave a delivery leased by a dead task
            log.exception("webhook attempt failed unexpectedly", extra={"delivery_id": due.id})
            error = f"{type(exc).__name__}: {exc}"[:500]
        seconds = time.perf_counter() - started
        self._finish(due, attempted_at, status, excerpt, error, seconds)

    def _finish(
        self,
        due: rounds.DueDelivery,
        attempted_at: datetime,
        status: int | None,
        excerpt: str,
        error: str,
        seconds: float,
    ) -> None:
        delivered = not error
        retry_at = None
        if not delivered:
            jitter = random.uniform(-1.0, 1.0)
            retry_at = self._policy.next_attempt(
                due.created_at, due.attempts + 1, utc_now(), jitter
            )
        outcome = "delivered" if delivered else ("retrying" if retry_at else "given_up")
        stats.record_attempt(outcome, seconds)
        if outcome == "given_up":
            log.warning(
                "webhook delivery given up",
                extra={"delivery_id": due.id, "event_type": due.event_type, "error": error},
            )
        self._finished.append(
            rounds.Outcome(
                delivery_id=due.id,
                subscription_id=due.subscription_id,
                delivered=delivered,
                attempted_at=attempted_at,
                retry_at=retry_at,
                status=status,
                error=error,
                response_body=excerpt,
                duration_ms=round(seconds * 1000),
            )
        )
        self._attempts.pop(due.id, None)
        self._wake.set()

    async def _post(self, due: rounds.DueDelivery) -> tuple[int, str]:
        """(status, the body's start); raises TimeoutError after `timeout` in all."""
        assert self._client is not None
        body = due.payload.encode()
        headers = {
            "Content-Type": "application/json",
            SIGNATURE_HEADER: signature_header(due.secret, int(time.time()), body),
            EVENT_ID_HEADER: due.event_id,
            EVENT_TYPE_HEADER: due.event_type,
        }
        try:
            async with asyncio.timeout(self._timeout):
                async with self._client.stream(
                    "POST", due.url, content=body, headers=headers
                ) as response:
                    raw = b""
                    async for chunk in response.aiter_bytes():
                        raw += chunk
                        if len(raw) >= RESPONSE_EXCERPT_CHARS * 4:
                            break
                    return response.status_code, _excerpt(raw)
        except httpx.TimeoutException as exc:
            raise TimeoutError from exc
