"""Work orders over the REST API, real HTTP: create, list and filter, the lifecycle, notes,
parts, time, photos (multipart upload, download, refusals), a command from the work order,
scope and permissions."""

from __future__ import annotations

import pytest

from ccms_app.accounts.models import Organisation
from ocpp_server.server import OcppServer
from tests.api.rest import Keys, bearer, keys, rest, served, sub_operator
from tests.api.test_commands_api import ApiChargePoint, command_port
from tests.fixtures.ocpp import connect_charge_point
from tests.maintenance.work_orders.conftest import photo_dir
from tests.maintenance.work_orders.support import Workshop, make_workshop

__all__ = ["command_port", "keys", "photo_dir", "rest", "served", "sub_operator"]
JPEG = b"\xff\xd8\xff\xe0\x00\x10JFIF\x00" + b"\x00" * 200


@pytest.fixture
def workshop(organisation: Organisation) -> Workshop:
    return make_workshop(organisation)


async def _create(rest, key: dict[str, str], w: Workshop, **fields) -> dict:
    body = {"charge_point_id": w.charge_point_id, "title": "Connector 2 broken"} | fields
    reply = await rest.post("/work-orders", json=body, headers=key)
    assert reply.status_code == 201, reply.text
    return reply.json()


async def test_create_list_filter_and_the_lifecycle(rest, keys: Keys, workshop: Workshop) -> None:
    w = workshop
    key = bearer(keys.make("Maintenance staff"))
    created = await _create(rest, key, w, priority="high", connector_id=2)
    path = f"/work-orders/{created['id']}"
    assert created["status"] == "open" and created["station"] == "Depot"
    assert created["events"][0]["to_status"] == "open"
    listed = (await rest.get("/work-orders", params={"priority": "high"}, headers=key)).json()
    assert listed["total"] == 1 and listed["items"][0]["charge_point"] == w.identity
    assert (await rest.get("/work-orders", params={"overdue": True}, headers=key)).json()[
        "total"
    ] == 0
    reply = await rest.post(f"{path}/actions", json={"action": "claim"}, headers=key)
    assert reply.status_code == 409 and "not an API key" in reply.json()["detail"]
    reply = await rest.post(f"{path}/actions", json={"action": "start"}, headers=key)
    assert reply.status_code == 200 and reply.json()["status"] == "in_progress"
    reply = await rest.post(f"{path}/actions", json={"action": "resolve"}, headers=key)
    assert reply.status_code == 422
    assert reply.json()["errors"][0]["field"] == "resolution"
    await rest.post(f"{path}/notes", json={"text": "RCD replaced"}, headers=key)
    await rest.post(f"{path}/parts", json={"part": "RCD 30 mA", "quantity": 1}, headers=key)
    reply = await rest.post(f"{path}/time", json={"minutes": 40}, headers=key)
    assert reply.status_code == 201 and reply.json()["time_spent_min"] == 40
    reply = await rest.post(
        f"{path}/actions", json={"action": "resolve", "text": "RCD replaced"}, headers=key
    )
    done = reply.json()
    assert done["status"] == "resolved" and done["resolution"] == "RCD replaced"
    assert [e["kind"] for e in done["events"]][:4] == ["status", "time", "part", "note"]
    reply = await rest.put(
        f"{path}/assignee", json={"assignee_account_id": w.tech.account_id}, headers=key
    )
    assert reply.status_code == 409


async def test_photos_upload_download_and_refusals(
    rest, keys: Keys, workshop: Workshop, photo_dir
) -> None:
    key = bearer(keys.make("Maintenance staff"))
    created = await _create(rest, key, workshop)
    path = f"/work-orders/{created['id']}/photos"
    reply = await rest.post(path, files={"file": ("IMG_1.jpg", JPEG, "image/jpeg")}, headers=key)
    assert reply.status_code == 201, reply.text
    photo = reply.json()
    assert photo["content_type"] == "image/jpeg" and photo["file_name"] == "IMG_1.jpg"
    download = await rest.get(f"{path}/{photo['id']}", headers=key)
    assert download.status_code == 200 and download.content == JPEG
    assert download.headers["content-type"] == "image/jpeg"
    assert download.headers["cache-control"] == "private, no-store"
    fake = await rest.post(
        path, files={"file": ("x.jpg", b"GIF89a....", "image/jpeg")}, headers=key
    )
    assert fake.status_code == 422
    assert fake.json()["errors"][0]["field"] == "file"
    big = await rest.post(
        path, files={"file": ("big.jpg", JPEG + b"\x00" * 1024 * 1024, "image/jpeg")}, headers=key
    )
    assert big.status_code == 413 and "at most 1 MB" in big.json()["detail"]


async def test_a_command_from_the_work_order_is_recorded(
    rest, keys: Keys, workshop: Workshop
) -> None:
    key = bearer(keys.make("Maintenance staff"))
    created = await _create(rest, key, workshop)
    path = f"/work-orders/{created['id']}/commands"
    reply = await rest.post(path, json={"action": "Reset", "type": "Hard"}, headers=key)
    assert reply.status_code == 200, reply.text
    assert reply.json()["status"] == "offline" and reply.json()["action"] == "Reset"
    bad = await rest.post(path, json={"action": "UnlockConnector"}, headers=key)
    assert bad.status_code == 422
    events = (await rest.get(f"/work-orders/{created['id']}", headers=key)).json()["events"]
    assert events[0]["kind"] == "command" and events[0]["text"].startswith(
        "Reset (type Hard): offline"
    )
    viewer = bearer(keys.make("Viewer"))
    assert (await rest.post(path, json={"action": "Reset"}, headers=viewer)).status_code == 403


async def test_scope_and_permissions(
    rest, keys: Keys, workshop: Workshop, sub_operator: Organisation
) -> None:
    admin = bearer(keys.make())
    created = await _create(rest, admin, workshop)
    sub_key = bearer(keys.make("Administrator", sub_operator.id))
    assert (await rest.get(f"/work-orders/{created['id']}", headers=sub_key)).status_code == 404
    viewer = bearer(keys.make("Viewer"))
    assert (await rest.get(f"/work-orders/{created['id']}", headers=viewer)).status_code == 200
    reply = await rest.post(
        "/work-orders",
        json={"charge_point_id": workshop.charge_point_id, "title": "x"},
        headers=viewer,
    )
    assert reply.status_code == 403
    unknown = await rest.post("/work-orders", json={"charge_point_id": 1, "x": 1}, headers=admin)
    assert unknown.status_code == 422


async def test_numbers_must_be_numbers(rest, keys: Keys, workshop: Workshop) -> None:
    # JSON true would otherwise pass as 1 (charge point 1, one part, one minute).
    key = bearer(keys.make("Maintenance staff"))
    bad = await rest.post(
        "/work-orders", json={"charge_point_id": True, "title": "Broken"}, headers=key
    )
    assert bad.status_code == 422 and bad.json()["errors"][0]["field"] == "charge_point_id"
    created = await _create(rest, key, workshop)
    path = f"/work-orders/{created['id']}"
    for sub, body in (("parts", {"part": "Fuse", "quantity": True}), ("time", {"minutes": "5"})):
        refused = await rest.post(f"{path}/{sub}", json=body, headers=key)
        assert refused.status_code == 422, refused.text
    assert (await rest.get(path, headers=key)).json()["parts"] == []


async def test_a_command_from_the_work_order_reaches_the_charger(
    rest, keys: Keys, workshop: Workshop, command_port: OcppServer
) -> None:
    """Over the real OCPP server: the technician's unlock reaches the connected charger, its
    answer is the command's outcome, and the work order's history records it."""
    key = bearer(keys.make("Maintenance staff"))
    created = await _create(rest, key, workshop, connector_id=2)
    path = f"/work-orders/{created['id']}/commands"
    url = f"ws://127.0.0.1:{command_port.port}/ocpp"
    async with connect_charge_point(url, workshop.identity, ApiChargePoint) as charger:
        reply = await rest.post(
            path, json={"action": "UnlockConnector", "connector_id": 2}, headers=key
        )
    assert reply.status_code == 200, reply.text
    assert (reply.json()["action"], reply.json()["status"]) == ("UnlockConnector", "accepted")
    assert charger.received == [("UnlockConnector", {"connector_id": 2})]
    events = (await rest.get(f"/work-orders/{created['id']}", headers=key)).json()["events"]
    assert events[0]["kind"] == "command" and "accepted" in events[0]["text"]
