"""A webhook receiver on a real socket: a small Starlette app served by granian.

- `receiver`: `Receiver` with `.url` (POST target), `.received` (every request: headers,
  body, when), and `.answers`: what to answer next, in order (an HTTP status, or HANG: wait
  `hang_seconds` before answering 200); when it runs out, 200. `.fast_url` always answers
  200 at once (`.fast_received`).
- `dead_url`: a URL on a port nobody listens on (connection refused).
"""

from __future__ import annotations

import asyncio
import contextlib
import time
from collections.abc import AsyncIterator
from dataclasses import dataclass, field

import pytest
from granian.constants import Interfaces
from granian.server.embed import Server
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import PlainTextResponse
from starlette.routing import Route

from tests.api.rest import free_port
from tests.fixtures.ocpp import eventually

HANG = "hang"
WAIT = 10.0


@dataclass(frozen=True)
class Received:
    headers: dict[str, str]
    body: bytes
    at: float  # time.monotonic()


@dataclass
class Receiver:
    url: str = ""
    received: list[Received] = field(default_factory=list)
    answers: list[int | str] = field(default_factory=list)
    hang_seconds: float = 30.0
    started: int = 0  # requests that arrived (a hanging one counts before it answers)
    release: asyncio.Event = field(default_factory=asyncio.Event)  # ends every hang
    fast_received: list[Received] = field(default_factory=list)

    async def handle(self, request: Request) -> PlainTextResponse:
        self.started += 1
        body = await request.body()
        answer = self.answers.pop(0) if self.answers else 200
        if answer == HANG:
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self.release.wait(), self.hang_seconds)
            answer = 200
        self.received.append(Received(dict(request.headers), body, time.monotonic()))
        return PlainTextResponse(f"answered {answer}", status_code=int(answer))

    async def fast(self, request: Request) -> PlainTextResponse:
        """`fast_url`: answers 200 at once, whatever `answers` say."""
        self.fast_received.append(Received(dict(request.headers), await request.body(), 0.0))
        return PlainTextResponse("ok")

    @property
    def fast_url(self) -> str:
        return self.url.replace("/hook", "/fast")

    def events(self) -> list[str]:
        """The event types received, in order."""
        return [r.headers.get("ccms-event-type", "") for r in self.received]


async def _listening(port: int) -> bool:
    with contextlib.suppress(OSError):
        _reader, writer = await asyncio.open_connection("127.0.0.1", port)
        writer.close()
        return True
    return False


@pytest.fixture
async def receiver() -> AsyncIterator[Receiver]:
    state = Receiver()
    app = Starlette(
        routes=[
            Route("/hook", state.handle, methods=["POST"]),
            Route("/fast", state.fast, methods=["POST"]),
        ]
    )
    port = free_port()
    server = Server(
        app, address="127.0.0.1", port=port, interface=Interfaces.ASGI, log_enabled=False
    )
    task = asyncio.create_task(server.serve())
    await eventually(lambda: _listening(port), timeout=WAIT)
    state.url = f"http://127.0.0.1:{port}/hook"
    yield state
    state.release.set()
    server.stop()
    with contextlib.suppress(TimeoutError, asyncio.CancelledError):
        await asyncio.wait_for(task, timeout=WAIT)


@pytest.fixture
def dead_url() -> str:
    return f"http://127.0.0.1:{free_port()}/hook"
