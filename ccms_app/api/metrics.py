"""GET /metrics: Prometheus text format for the charger side and the web side of CCMS.

Two kinds of figures, both cheap:
- counted as frames pass (`observe_frame`, a frame listener of ccms_app.runtime): OCPP
  messages by action, direction and type, CALLERRORs by code, and how long CCMS takes to
  answer a charge point's CALL. Action and error-code labels are limited to the names OCPP
  defines ("other" for anything else) so a charge point cannot grow the label set.
- read at scrape time from what already exists (`ScrapeCollector`): connected charge points
  and the OCPP listener (the running network), the database writer's queue depth and batch
  sizes (its own counters), and open web sessions (one COUNT on login_session, in a thread).

Only addresses in CCMS_METRICS_ALLOW, or a request with an API key of the network operator
(not a sub-operator) whose role may view System, may read it (403 otherwise): the figures
name no charge point, but how busy a network is remains the operator's business.
"""

from __future__ import annotations

import asyncio
import ipaddress
import itertools
import time
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from ocpp.v16.enums import Action as OcppAction
from prometheus_client import CollectorRegistry, Counter, Histogram
from prometheus_client.exposition import CONTENT_TYPE_LATEST, generate_latest
from prometheus_client.metrics_core import (
    CounterMetricFamily,
    GaugeMetricFamily,
    HistogramMetricFamily,
    Metric,
    SummaryMetricFamily,
)
from prometheus_client.registry import Collector
from sqlalchemy import func
from sqlmodel import select
from starlette.requests import Request
from starlette.responses import PlainTextResponse, Response
from starlette.routing import Route

from ccms_app.accounts.api_keys import principal_for_api_key
from ccms_app.accounts.http_gate import client_address, public_route
from ccms_app.accounts.models import LoginSession
from ccms_app.accounts.organisations import is_network_operator
from ccms_app.accounts.rules.permissions import Action, Module
from ccms_app.core import push_stats
from ccms_app.core.config import get_settings
from ccms_app.core.db import read_session
from ccms_app.core.types import utc_now
from ccms_app.runtime import listen_to_frames, running_network
from ccms_app.webhooks import stats as webhook_stats
from ccms_app.webhooks.delivery_log import count_undelivered
from ocpp_server.ports import FrameRecord

KNOWN_ACTIONS = frozenset(action.value for action in OcppAction)
KNOWN_ERROR_CODES = frozenset(
    {
        "NotImplemented",
        "NotSupported",
        "InternalError",
        "ProtocolError",
        "SecurityError",
        "FormationViolation",
        "FormatViolation",
        "PropertyConstraintViolation",
        "OccurenceConstraintViolation",
        "OccurrenceConstraintViolation",
        "TypeConstraintViolation",
        "GenericError",
        "MessageTypeNotSupported",
        "RpcFrameworkError",
    }
)
MESSAGE_TYPES = {2: "call", 3: "callresult", 4: "callerror"}
# CALLs still waiting for our answer, remembered for the latency histogram; a CALL never
# answered (connection lost) is dropped once this many wait, oldest first.
MAX_WAITING_CALLS = 20_000

REGISTRY = CollectorRegistry(auto_describe=True)
MESSAGES = Counter(
    "ccms_ocpp_messages",
    "OCPP-J frames by action, direction (in: from the charge point) and message type.",
    ["action", "direction", "type"],
    registry=REGISTRY,
)
CALL_ERRORS = Counter(
    "ccms_ocpp_call_errors",
    "CALLERROR frames by OCPP error code and direction.",
    ["code", "direction"],
    registry=REGISTRY,
)
CALL_HANDLING = Histogram(
    "ccms_ocpp_call_handling_seconds",
    "From a charge point's CALL arriving to CCMS sending its CALLRESULT or CALLERROR.",
    ["action"],
    buckets=(0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0),
    registry=REGISTRY,
)

_waiting: dict[tuple[str, str], tuple[str, float]] = {}  # (identity, message id) -> action, t0


def _action(name: str) -> str:
    return name if name in KNOWN_ACTIONS else ("other" if name else "unknown")


# The labelled children, looked up once per label set: `labels()` takes a lock and builds a
# key on every call, and this runs on the event loop for every frame in and out.
_message_counters: dict[tuple[str, str, str], Any] = {}
_handling_histograms: dict[str, Any] = {}


def observe_frame(frame: FrameRecord) -> None:
    """Count one frame (runs on the event loop for every frame: dict and counter work only)."""
    action = _action(frame.action)
    kind = MESSAGE_TYPES.get(frame.message_type or 0, "malformed")
    labels = (action, frame.direction, kind)
    counter = _message_counters.get(labels)
    if counter is None:
        counter = _message_counters[labels] = MESSAGES.labels(*labels)
    counter.inc()
    if kind == "callerror":
        code = frame.error_code if frame.error_code in KNOWN_ERROR_CODES else "other"
        CALL_ERRORS.labels(code, frame.direction).inc()
    key = (frame.identity, frame.message_id)
    if frame.direction == "in" and kind == "call":
        if len(_waiting) >= MAX_WAITING_CALLS:
            del _waiting[next(iter(_waiting))]
        _waiting[key] = (action, time.perf_counter())
    elif frame.direction == "out" and kind in ("callresult", "callerror"):
        started = _waiting.pop(key, None)
        if started is not None:
            histogram = _handling_histograms.get(started[0])
            if histogram is None:
                histogram = _handling_histograms[started[0]] = CALL_HANDLING.labels(started[0])
            histogram.observe(time.perf_counter() - started[1])


@dataclass(frozen=True)
class Snapshot:
    """Scrape-time figures, read on the event loop (and one query in a thread)."""

    listener_up: bool = False
    connected: int = 0
    writer_queue: int = 0
    writer_batches: int = 0
    writer_units: int = 0
    web_sessions: int = 0
    webhook_backlog: int = 0


class ScrapeCollector(Collector):
    """Turns the latest Snapshot into metric families when the registry is rendered."""

    def __init__(self) -> None:
        self.snapshot = Snapshot()

    def collect(self) -> Iterator[Metric]:
        s = self.snapshot
        yield GaugeMetricFamily(
            "ccms_ocpp_listener_up", "1 while the OCPP listener accepts connections.",
            value=int(s.listener_up),
        )  # fmt: skip
        yield GaugeMetricFamily(
            "ccms_charge_points_connected", "Charge points with an open websocket.",
            value=s.connected,
        )  # fmt: skip
        yield GaugeMetricFamily(
            "ccms_db_writer_queue_depth", "Units of work waiting for the database writer.",
            value=s.writer_queue,
        )  # fmt: skip
        yield SummaryMetricFamily(
            "ccms_db_writer_batch_units",
            "Units of work per database writer batch (count: batches, sum: units).",
            count_value=s.writer_batches,
            sum_value=s.writer_units,
        )
        yield GaugeMetricFamily(
            "ccms_web_sessions_open", "Operator login sessions not yet expired.",
            value=s.web_sessions,
        )  # fmt: skip
        yield from _webhook_metrics(s)
        pushes, seconds = push_stats.totals()
        yield SummaryMetricFamily(
            "ccms_live_push_seconds",
            "Time to push one batch of charger events to every watching tab (count, sum).",
            count_value=pushes,
            sum_value=seconds,
        )
        yield _push_lag()


def _push_lag() -> HistogramMetricFamily:
    counts, seconds = push_stats.lag_totals()
    bounds = [*(str(bound) for bound in push_stats.LAG_BUCKETS), "+Inf"]
    cumulative = list(itertools.accumulate(counts))
    return HistogramMetricFamily(
        "ccms_live_push_lag_seconds",
        "From a charger event a Live Monitoring tab shows (a status, a connection, a session "
        "that starts or ends) being written to the tab being sent the update.",
        buckets=list(zip(bounds, cumulative, strict=True)),
        sum_value=seconds,
    )


def _webhook_metrics(s: Snapshot) -> Iterator[Metric]:
    deliveries = CounterMetricFamily(
        "ccms_webhook_deliveries",
        "Webhook delivery attempts by outcome (delivered; retrying: failed, tried again "
        "later; given_up: failed for a day) and events dropped (a failing receiver's backlog "
        "was full).",
        labels=["outcome"],
    )
    for outcome, count in webhook_stats.totals().items():
        deliveries.add_metric([outcome], count)
    yield deliveries
    attempts, seconds = webhook_stats.attempt_time()
    yield SummaryMetricFamily(
        "ccms_webhook_attempt_seconds",
        "Time of webhook delivery attempts, from the POST to the answer or error (count, sum).",
        count_value=attempts,
        sum_value=seconds,
    )
    yield GaugeMetricFamily(
        "ccms_webhook_backlog", "Webhook deliveries pending or waiting (not yet delivered or "
        "given up).", value=s.webhook_backlog,
    )  # fmt: skip


SCRAPE = ScrapeCollector()
REGISTRY.register(SCRAPE)


def install() -> None:
    """Start counting frames (build_api calls it; repeated calls count once)."""
    listen_to_frames(observe_frame)


def _open_web_sessions() -> int:
    with read_session() as session:
        query = select(func.count()).select_from(LoginSession)
        return int(session.exec(query.where(LoginSession.expires_at > utc_now())).one())


async def snapshot() -> Snapshot:
    network = running_network()
    listener_up, connected, queue, batches, units = False, 0, 0, 0, 0
    if network is not None:
        try:
            listener_up = network.server.port > 0
        except RuntimeError:  # stopped
            listener_up = False
        connected = len(network.server.connected_identities())
        writer = network.events.writer
        queue, batches, units = writer.pending, writer.batches, writer.units
    sessions = await asyncio.to_thread(_open_web_sessions)
    backlog = await asyncio.to_thread(count_undelivered)
    return Snapshot(listener_up, connected, queue, batches, units, sessions, backlog)


def allowed(address: str) -> bool:
    """Whether `address` is in CCMS_METRICS_ALLOW (no address, or not an IP: refused)."""
    try:
        ip = ipaddress.ip_address(address)
    except ValueError:
        return False
    if isinstance(ip, ipaddress.IPv6Address) and ip.ipv4_mapped is not None:
        ip = ip.ipv4_mapped  # a dual-stack socket reports IPv4 clients as ::ffff:a.b.c.d
    return any(ip in network for network in get_settings().metrics_networks)


@public_route(
    "Prometheus scrapes without a login: addresses in CCMS_METRICS_ALLOW, or an API key of the "
    "network operator whose role may view System (checked here)"
)
async def metrics(request: Request) -> Response:
    address = client_address(request)
    if not allowed(address) and not await _key_allows(request, address):
        return PlainTextResponse(
            f"Metrics are not served to {address or 'an unknown address'}: add it to "
            "CCMS_METRICS_ALLOW or send an API key of the network operator "
            "(Authorization: Bearer <key>) whose role may view System.",
            status_code=403,
        )
    SCRAPE.snapshot = await snapshot()
    return Response(generate_latest(REGISTRY), media_type=CONTENT_TYPE_LATEST)


async def _key_allows(request: Request, address: str) -> bool:
    """The figures are the whole installation's: a sub-operator's key never reads them."""
    scheme, _, key = request.headers.get("authorization", "").partition(" ")
    if scheme.lower() != "bearer" or not key:
        return False
    principal = await asyncio.to_thread(principal_for_api_key, key.strip(), address)
    if principal is None or not principal.can(Module.SYSTEM, Action.VIEW):
        return False
    return await asyncio.to_thread(is_network_operator, principal.organisation_id)


routes = [Route("/metrics", metrics, methods=["GET"])]
