"""Commands to chargers connected to another process, over Redis (scale-out, issue 19).

A charger's websocket is held by one process (a gateway, or the embedded app). With
`CCMS_REDIS_URL` set, each process's command port is a `RoutedCommandPort`:

- Who holds whom: every `SYNC_S` a process writes the identities it newly holds into one
  Redis hash (identity -> its process id) and removes those it lost, but only while the
  entry is still its own (a charger that moved to another gateway keeps its new owner).
  Every `FULL_SYNC_S` it writes all of them again (a Redis that restarted empty is refilled).
  A process key with a short expiry (`ALIVE_S`) says the process is alive; a dead process's
  entries are not used. The whole hash is read back in the same turn: `is_connected` answers
  from it.
  A charger that connects here is written at once (the process hears its own connection
  events), so another process that has not read the hash since finds it with one look-up
  (`reachable`) instead of calling it offline for up to a second.
- A web process (`ccms web`) holds no charger (`NO_LOCAL_CHARGERS`): it only sends.
- A command for a charger held elsewhere goes to the owner's request channel with a reply
  channel and an id; the owner sends the CALL (`OcppServer.call`) and publishes the
  CALLRESULT payload, or the error: offline, timeout or the CALLERROR. The sender types the
  result as a local send would (`ocpp_server.v16.payloads.typed_result`) and raises the same
  errors, so `control.commands` cannot tell a routed command from a local one.

Without Redis the OCPP server itself is the command port, as in the embedded mode.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import time
import uuid
from typing import Any, Protocol, cast

import orjson
from redis import asyncio as aioredis

from ccms_app.core.events import EventBus, NetworkEvent
from ocpp_server.ports import ChargerOfflineError, CommandCallError, CommandTimeoutError
from ocpp_server.v16.payloads import request_to_call, typed_result

log = logging.getLogger(__name__)

OWNERS = "ccms:charger-owners"
SYNC_S = 1.0  # how often a process writes whom it newly holds and reads who holds the others
FULL_SYNC_S = 60.0  # how often it writes every charger it holds again
ALIVE_S = 10  # a process not heard of for this long holds nobody
REPLY_MARGIN_S = 5.0  # a routed command waits this much longer than the charger's timeout
# Delete an owner entry only if it is still ours (the charger may have moved meanwhile).
_RELEASE = "if redis.call('hget', KEYS[1], ARGV[1]) == ARGV[2] then return redis.call('hdel', KEYS[1], ARGV[1]) end return 0"  # noqa: E501


def _process_key(process: str) -> str:
    return f"ccms:process:{process}"


def _requests(process: str) -> str:
    return f"ccms:commands:{process}"


def _replies(process: str) -> str:
    return f"ccms:command-replies:{process}"


class LocalChargers(Protocol):
    """The chargers this process holds: its OCPP server (ocpp_server.server.OcppServer)."""

    def is_connected(self, identity: str) -> bool: ...

    def connected_identities(self) -> set[str]: ...

    async def send(self, identity: str, request: Any, timeout: float | None = None) -> Any: ...

    async def call(
        self, identity: str, action: str, payload: dict[str, Any], timeout: float | None = None
    ) -> dict[str, Any]: ...


class _NoLocalChargers:
    """A web process's chargers: none, so every command is routed to its owner."""

    def is_connected(self, identity: str) -> bool:
        return False

    def connected_identities(self) -> set[str]:
        return set()

    async def send(self, identity: str, request: Any, timeout: float | None = None) -> Any:
        raise ChargerOfflineError(identity)

    async def call(
        self, identity: str, action: str, payload: dict[str, Any], timeout: float | None = None
    ) -> dict[str, Any]:
        raise ChargerOfflineError(identity)


NO_LOCAL_CHARGERS: LocalChargers = _NoLocalChargers()


class RoutedCommandPort:
    """The command port in scale-out mode (see module doc)."""

    def __init__(self, server: LocalChargers, redis_url: str, bus: EventBus | None = None) -> None:
        self._server = server
        self._bus = bus  # this process's events: a charger connecting here is written at once
        self._wake = asyncio.Event()
        # Any: redis-py types its hash and script calls as sync-or-async unions
        self._redis: Any = aioredis.from_url(redis_url)
        self.process = uuid.uuid4().hex
        self._written: set[str] = set()  # identities this process wrote as its own
        self._written_all_at = 0.0  # monotonic time of the last full write
        self._owners: dict[str, str] = {}  # identity -> owner process, as last read
        self._waiting: dict[str, asyncio.Future[dict[str, Any]]] = {}
        self._tasks: list[asyncio.Task[None]] = []
        self.listening = asyncio.Event()  # set once requests and replies are heard

    # --- the CommandPort -------------------------------------------------------------

    def is_connected(self, identity: str) -> bool:
        return self._server.is_connected(identity) or identity in self._owners

    def connected_identities(self) -> set[str]:
        return self._server.connected_identities() | set(self._owners)

    async def reachable(self, identity: str) -> bool:
        """Whether the charger is connected anywhere, asking Redis when the last turn's mirror
        does not know it (it connected elsewhere within the last second)."""
        if self.is_connected(identity):
            return True
        owner = await self._owner_now(identity)
        if owner is not None:
            self._owners[identity] = owner
        return owner is not None

    async def send(self, identity: str, request: Any, timeout: float | None = None) -> Any:
        """Send here if the charger is connected here, else through its owner."""
        if self._server.is_connected(identity):
            return await self._server.send(identity, request, timeout)
        owner = self._owners.get(identity) or await self._owner_now(identity)
        if owner is None:
            raise ChargerOfflineError(identity)
        action, payload = request_to_call(request)
        reply = await self._ask(owner, identity, action, payload, timeout)
        return _result(action, reply)

    # --- running ---------------------------------------------------------------------

    def start(self) -> None:
        self._tasks = [
            asyncio.create_task(self._sync_loop(), name="ccms-command-owners"),
            asyncio.create_task(self._listen_loop(), name="ccms-command-routing"),
        ]
        if self._bus is not None:
            events = self._bus.subscribe()
            self._tasks.append(
                asyncio.create_task(self._follow_connections(events), name="ccms-command-owned")
            )

    async def stop(self) -> None:
        for task in self._tasks:
            task.cancel()
        for task in self._tasks:
            with contextlib.suppress(asyncio.CancelledError):
                await task
        with contextlib.suppress(OSError, aioredis.RedisError):
            for identity in self._written:
                await self._redis.eval(_RELEASE, 1, OWNERS, identity, self.process)
            await self._redis.delete(_process_key(self.process))
        await self._redis.aclose()

    async def sync(self) -> None:
        """One turn: say this process is alive, write whom it newly holds (every charger it
        holds each `FULL_SYNC_S`), release those it lost, read the others."""
        held = self._server.connected_identities()
        await self._redis.set(_process_key(self.process), "1", ex=ALIVE_S)
        now = time.monotonic()
        new = held - self._written
        if now - self._written_all_at >= FULL_SYNC_S:
            new, self._written_all_at = held, now
        if new:
            await self._redis.hset(OWNERS, mapping=dict.fromkeys(new, self.process))
        for identity in self._written - held:
            await self._redis.eval(_RELEASE, 1, OWNERS, identity, self.process)
        self._written = held
        owners = {
            key.decode(): value.decode()
            for key, value in (await self._redis.hgetall(OWNERS)).items()
        }
        self._written -= held - owners.keys()  # lost from the hash: written again next turn
        alive = await self._alive(set(owners.values()) - {self.process})
        self._owners = {
            identity: owner
            for identity, owner in owners.items()
            if owner != self.process and owner in alive
        }

    async def _alive(self, processes: set[str]) -> set[str]:
        ordered = sorted(processes)
        if not ordered:
            return set()
        found = await self._redis.mget([_process_key(p) for p in ordered])
        return {process for process, value in zip(ordered, found, strict=True) if value}

    async def _owner_now(self, identity: str) -> str | None:
        """A charger that connected elsewhere since the last turn (not yet in the mirror)."""
        owner = await self._redis.hget(OWNERS, identity)
        if owner is None or owner.decode() == self.process:
            return None
        process = owner.decode()
        return process if await self._alive({process}) else None

    async def _sync_loop(self) -> None:
        while True:
            self._wake.clear()
            try:
                await self.sync()
            except (OSError, aioredis.RedisError):
                log.warning("command routing: cannot reach Redis", exc_info=True)
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._wake.wait(), SYNC_S)

    async def _follow_connections(self, events: asyncio.Queue[NetworkEvent]) -> None:
        """A charger connected here: write it now, not at the next turn."""
        assert self._bus is not None
        try:
            while True:
                event = await events.get()
                if event.kind == "charge_point" and event.data.get("online") is True:
                    self._wake.set()
        finally:
            self._bus.unsubscribe(events)

    # --- asking the owner, answering the others ------------------------------------------

    async def _ask(
        self, owner: str, identity: str, action: str, payload: dict[str, Any], timeout: float | None
    ) -> dict[str, Any]:
        request_id = uuid.uuid4().hex
        waiting: asyncio.Future[dict[str, Any]] = asyncio.get_running_loop().create_future()
        self._waiting[request_id] = waiting
        message = {
            "id": request_id,
            "reply_to": self.process,
            "identity": identity,
            "action": action,
            "payload": payload,
            "timeout": timeout,
        }
        try:
            await self._redis.publish(_requests(owner), orjson.dumps(message))
            limit = (timeout or 30.0) + REPLY_MARGIN_S
            return await asyncio.wait_for(waiting, timeout=limit)
        except TimeoutError:
            raise CommandTimeoutError(identity) from None
        finally:
            self._waiting.pop(request_id, None)

    async def _listen_loop(self) -> None:
        while True:
            try:
                pubsub = self._redis.pubsub(ignore_subscribe_messages=True)
                await pubsub.subscribe(_requests(self.process), _replies(self.process))
                self.listening.set()
                try:
                    async for message in pubsub.listen():
                        if message.get("type") == "message":
                            self._dispatch(message["channel"].decode(), message["data"])
                finally:
                    self.listening.clear()
                    await pubsub.aclose()
            except (OSError, aioredis.RedisError):
                log.warning("command routing: lost Redis, listening again", exc_info=True)
                await asyncio.sleep(SYNC_S)

    def _dispatch(self, channel: str, data: bytes) -> None:
        try:
            body = orjson.loads(data)
        except orjson.JSONDecodeError:
            log.warning("command routing: dropped a message that is not JSON")
            return
        if channel == _replies(self.process):
            waiting = self._waiting.get(str(body.get("id")))
            if waiting is not None and not waiting.done():
                waiting.set_result(body)
            return
        task = asyncio.create_task(self._answer(body))
        task.add_done_callback(_log_failure)

    async def _answer(self, body: dict[str, Any]) -> None:
        """Send a relayed CALL to a charger held here; publish what came of it."""
        reply: dict[str, Any] = {"id": body.get("id")}
        started = time.monotonic()
        try:
            reply["result"] = await self._server.call(
                str(body["identity"]), str(body["action"]), body["payload"], body.get("timeout")
            )
        except ChargerOfflineError:
            reply["error"] = "offline"
        except CommandTimeoutError:
            reply["error"] = "timeout"
        except CommandCallError as exc:
            reply |= {"error": "call", "code": exc.code, "description": exc.description}
        except ValueError as exc:
            reply |= {"error": "call", "code": "FormationViolation", "description": str(exc)}
        log.info(
            "routed command answered",
            extra={
                "identity": body.get("identity"),
                "action": body.get("action"),
                "outcome": reply.get("error", "result"),
                "seconds": round(time.monotonic() - started, 3),
            },
        )
        await self._redis.publish(_replies(str(body["reply_to"])), orjson.dumps(reply))


def _result(action: str, reply: dict[str, Any]) -> Any:
    """The owner's reply as a local send would have returned or raised it."""
    error = reply.get("error")
    if error == "offline":
        raise ChargerOfflineError(action)
    if error == "timeout":
        raise CommandTimeoutError(action)
    if error is not None:
        raise CommandCallError(str(reply.get("code", "")), str(reply.get("description", "")))
    try:
        return typed_result(action, cast(dict[str, Any], reply.get("result") or {}))
    except TypeError as exc:
        raise CommandCallError("FormationViolation", f"invalid reply: {exc}") from None


def _log_failure(task: asyncio.Task[None]) -> None:
    if not task.cancelled() and task.exception() is not None:
        log.error("routed command failed", exc_info=task.exception())
