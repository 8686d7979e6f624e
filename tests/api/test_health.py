"""GET /healthz over HTTP: ok with a live database and OCPP listener, 503 with the reason."""

from __future__ import annotations

from pathlib import Path

from sqlalchemy import create_engine
from sqlalchemy.engine import Engine

from ccms_app.core import db
from tests.api.support import client, network

__all__ = ["client", "network"]


async def test_ok_when_database_and_ocpp_listener_answer(client, network) -> None:
    reply = await client.get("/healthz")
    assert reply.status_code == 200, reply.text
    assert reply.json() == {
        "status": "ok",
        "checks": {"database": "ok", "ocpp_listener": "ok"},
        "ocpp_port": network.server.port,
    }
    assert reply.headers["cache-control"] == "no-store"


async def test_503_when_the_database_is_unreachable(
    client, network, engine: Engine, tmp_path: Path
) -> None:
    (tmp_path / "a-file").write_text("not a directory")
    db.set_engine(create_engine(f"sqlite:///{tmp_path / 'a-file' / 'ccms.db'}"))
    try:
        reply = await client.get("/healthz")
    finally:
        db.set_engine(engine)
    assert reply.status_code == 503
    body = reply.json()
    assert body["status"] == "unavailable"
    assert body["reason"].startswith("database unreachable: OperationalError")
    assert "unable to open database file" in body["reason"]
    assert body["checks"]["ocpp_listener"] == "ok"
    assert (await client.get("/healthz")).status_code == 200  # back once the database is


async def test_503_when_no_ocpp_listener_runs(client) -> None:
    reply = await client.get("/healthz")
    assert reply.status_code == 503
    assert reply.json() == {
        "status": "unavailable",
        "reason": "OCPP listener is not running",
        "checks": {"database": "ok", "ocpp_listener": "OCPP listener is not running"},
    }


async def test_503_once_the_ocpp_listener_stopped(client, network) -> None:
    await network.server.stop()
    reply = await client.get("/healthz")
    assert reply.status_code == 503
    assert reply.json()["reason"] == "OCPP listener is stopped"
