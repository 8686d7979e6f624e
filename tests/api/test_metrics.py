"""GET /metrics over HTTP: Prometheus text that parses, fed by a real charge point's frames."""

from __future__ import annotations

from datetime import timedelta

import httpx
import pytest
from ocpp.v16 import call
from prometheus_client.parser import text_string_to_metric_families

from ccms_app.accounts.models import LoginSession, OperatorAccount, Organisation
from ccms_app.core import db, push_stats
from ccms_app.core.config import get_settings
from ccms_app.core.events import EventBus
from ccms_app.core.types import utc_now
from ccms_app.monitoring.state.publisher import LivePublisher
from tests.api.rest import Keys, bearer
from tests.api.support import client, client_from, network
from tests.fixtures.ocpp import connect_charge_point

__all__ = ["client", "network"]

Samples = dict[tuple[str, frozenset[tuple[str, str]]], float]


async def scrape(http: httpx.AsyncClient) -> Samples:
    reply = await http.get("/metrics")
    assert reply.status_code == 200, reply.text
    assert reply.headers["content-type"].startswith("text/plain; version=")
    return {
        (sample.name, frozenset(sample.labels.items())): sample.value
        for family in text_string_to_metric_families(reply.text)
        for sample in family.samples
    }


def value(samples: Samples, name: str, **labels: str) -> float:
    return samples.get((name, frozenset(labels.items())), 0.0)


async def test_counts_a_charge_points_boot_over_a_real_websocket(client, network) -> None:
    url = f"ws://127.0.0.1:{network.server.port}/ocpp"
    boot = {"action": "BootNotification", "direction": "in", "type": "call"}
    answer = {"action": "BootNotification", "direction": "out", "type": "callresult"}
    before = await scrape(client)
    assert value(before, "ccms_ocpp_listener_up") == 1
    assert value(before, "ccms_charge_points_connected") == 0

    async with connect_charge_point(url, "CP-METRICS-1") as cp:
        reply = await cp.call(call.BootNotification("Model", "Vendor"))
        assert reply.status in ("Accepted", "Pending")
        during = await scrape(client)
        assert value(during, "ccms_charge_points_connected") == 1

    assert value(during, "ccms_ocpp_messages_total", **boot) == (
        value(before, "ccms_ocpp_messages_total", **boot) + 1
    )
    assert value(during, "ccms_ocpp_messages_total", **answer) == (
        value(before, "ccms_ocpp_messages_total", **answer) + 1
    )
    handled = ("ccms_ocpp_call_handling_seconds_count", {"action": "BootNotification"})
    assert value(during, handled[0], **handled[1]) == value(before, handled[0], **handled[1]) + 1
    assert value(during, "ccms_db_writer_batch_units_count") >= 1  # the boot was written
    assert value(during, "ccms_db_writer_batch_units_sum") >= 1
    assert ("ccms_db_writer_queue_depth", frozenset()) in during


async def test_counts_a_callerror_by_code(client, network) -> None:
    url = f"ws://127.0.0.1:{network.server.port}/ocpp"
    labels = {"code": "NotSupported", "direction": "out"}
    before = await scrape(client)
    async with connect_charge_point(url, "CP-METRICS-2") as cp:
        # An action CCMS does not support: answered with a CALLERROR (the library then gives None)
        assert await cp.call(call.SignCertificate(csr="x")) is None
    after = await scrape(client)
    assert value(after, "ccms_ocpp_call_errors_total", **labels) == (
        value(before, "ccms_ocpp_call_errors_total", **labels) + 1
    )


async def test_counts_open_web_sessions_only(client, organisation: Organisation) -> None:
    now = utc_now()
    with db.session_scope() as s:
        account = OperatorAccount(
            organisation_id=organisation.id, email="ops@example.com", password_hash="unused"
        )
        s.add(account)
        s.flush()
        for n, expires in enumerate((now + timedelta(hours=1), now - timedelta(minutes=1))):
            s.add(LoginSession(account_id=account.id, token_hash=f"{n:064d}", expires_at=expires))
    samples = await scrape(client)
    assert value(samples, "ccms_web_sessions_open") == 1
    assert value(samples, "ccms_ocpp_listener_up") == 0  # no network runs in this test


async def test_refuses_an_address_outside_the_allow_list(
    engine, monkeypatch: pytest.MonkeyPatch
) -> None:
    async with client_from("203.0.113.9") as outsider:
        reply = await outsider.get("/metrics")
    assert reply.status_code == 403
    assert "203.0.113.9" in reply.text and "CCMS_METRICS_ALLOW" in reply.text
    monkeypatch.setenv("CCMS_METRICS_ALLOW", "10.0.0.0/8, 203.0.113.9")
    get_settings.cache_clear()
    try:
        async with client_from("203.0.113.9") as listed:
            assert (await listed.get("/metrics")).status_code == 200
        async with client_from("127.0.0.1") as local:
            assert (await local.get("/metrics")).status_code == 403  # no longer listed
        async with client_from("::ffff:10.1.2.3") as mapped:
            assert (await mapped.get("/metrics")).status_code == 200
    finally:
        monkeypatch.undo()
        get_settings.cache_clear()


async def test_an_operator_key_that_may_view_system_reads_them_from_anywhere(
    engine, organisation: Organisation
) -> None:
    """Outside the allow list a key is needed: the network operator's, with system:view;
    a sub-operator's key, a key without system:view or a revoked one are refused."""
    keys = Keys(organisation.id or 0)
    with db.session_scope() as s:
        sub = Organisation(name="Sub", parent_id=organisation.id)
        s.add(sub)
        s.flush()
        sub_id = sub.id or 0
    async with client_from("203.0.113.9") as outsider:
        operator = await outsider.get("/metrics", headers=bearer(keys.make("Operator")))
        assert operator.status_code == 200 and "ccms_ocpp_listener_up" in operator.text
        for refused_key in (
            keys.make("Administrator", sub_id),
            keys.make("Maintenance staff"),
            keys.revoked(),
            "ccms_not-a-key-at-all-but-long-enough",
        ):
            reply = await outsider.get("/metrics", headers=bearer(refused_key))
            assert reply.status_code == 403, refused_key


async def test_reports_the_time_live_pushes_take(client) -> None:
    before = await scrape(client)
    publisher = LivePublisher(EventBus(), 0.0)
    await publisher.publish()
    after = await scrape(client)
    pushed = value(after, "ccms_live_push_seconds_count") - value(
        before, "ccms_live_push_seconds_count"
    )
    assert pushed == 1
    assert value(after, "ccms_live_push_seconds_sum") >= value(before, "ccms_live_push_seconds_sum")


async def test_reports_how_long_after_a_charger_event_tabs_were_sent_it(client) -> None:
    before = await scrape(client)
    push_stats.record_lag(0.07)
    after = await scrape(client)

    def added(bucket: str) -> float:
        name = "ccms_live_push_lag_seconds_bucket"
        return value(after, name, le=bucket) - value(before, name, le=bucket)

    assert (added("0.05"), added("0.1"), added("+Inf")) == (0, 1, 1)
    count = "ccms_live_push_lag_seconds_count"
    assert value(after, count) - value(before, count) == 1
