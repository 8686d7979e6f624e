"""Firmware over the REST API, real HTTP: images uploaded as multipart (then served to
chargers), campaigns planned, read and cancelled; another organisation's key, a revoked key,
bad input."""

from __future__ import annotations

import hashlib
import json
from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta

import httpx
import pytest
from sqlalchemy.engine import Engine

from ccms_app.accounts.models import Organisation
from ccms_app.core.config import Settings
from ccms_app.core.scheduler import stop_scheduler
from ccms_app.core.types import utc_now
from tests.api.rest import Keys, bearer, keys, rest, served, sub_operator
from tests.control.core_profile_support import register
from tests.control.firmware_support import PUBLIC_URL, firmware_settings

__all__ = ["firmware_settings", "keys", "rest", "served", "sub_operator"]

FIRMWARE = b"\x7fELF firmware 2.1.0 " * 1000


@pytest.fixture
async def scheduler() -> AsyncIterator[None]:
    """Campaigns schedule jobs on the process scheduler: a fresh one after the test."""
    yield
    await stop_scheduler()


@pytest.fixture
def cp_id(engine: Engine, organisation: Organisation) -> int:
    return register(engine, organisation, utc_now() - timedelta(days=1))


async def upload(
    rest: httpx.AsyncClient,
    key: dict[str, str],
    content: bytes = FIRMWARE,
    name: str = "fw-2.1.0.bin",
    **form: str,
) -> httpx.Response:
    files = {"file": (name, content, "application/octet-stream")}
    return await rest.post("/firmware/images", files=files, data=form, headers=key)


def tomorrow() -> str:
    return (utc_now() + timedelta(days=1)).astimezone().isoformat()


async def test_an_uploaded_image_is_listed_and_served(
    rest: httpx.AsyncClient, served: str, keys: Keys, firmware_settings: Settings
) -> None:
    key = bearer(keys.make())
    made = await upload(rest, key)
    assert made.status_code == 201, made.text
    image = made.json()
    assert (image["version"], image["file_name"], image["size"]) == (
        "2.1.0",
        "fw-2.1.0.bin",
        len(FIRMWARE),
    )
    assert image["sha256"] == hashlib.sha256(FIRMWARE).hexdigest()
    assert image["url"] == f"{PUBLIC_URL}/firmware/{image['stored_name']}"
    assert made.headers["location"] == f"/api/v1/firmware/images/{image['id']}"

    viewer = bearer(keys.make("Viewer"))
    assert (await rest.get(f"/firmware/images/{image['id']}", headers=viewer)).json() == image
    listed = await rest.get("/firmware/images", params={"version": "2.1.0"}, headers=viewer)
    assert listed.json()["items"] == [image]
    async with httpx.AsyncClient(base_url=served) as charger:
        download = await charger.get(f"/firmware/{image['stored_name']}")
    assert download.content == FIRMWARE

    twice = await upload(rest, key, version="2.1.1")
    assert (twice.status_code, twice.json()["detail"]) == (
        422,
        "this file is already uploaded as version 2.1.0",
    )
    named = await upload(rest, key, b"other", "plain.bin", version="3.0-rc1")
    assert named.json()["version"] == "3.0-rc1"
    assert (await upload(rest, viewer, b"x", "fw-9.bin")).status_code == 403


async def test_a_campaign_is_planned_read_and_cancelled(
    rest: httpx.AsyncClient, keys: Keys, firmware_settings: Settings, cp_id: int, scheduler: None
) -> None:
    key = bearer(keys.make())
    image = (await upload(rest, key)).json()
    plan = {"name": "Spring update", "image_id": image["id"], "charge_point_ids": [cp_id]}
    made = await rest.post(
        "/firmware/campaigns", json={**plan, "scheduled_at": tomorrow()}, headers=key
    )
    assert made.status_code == 201, made.text
    campaign = made.json()
    assert (campaign["status"], campaign["image_version"], campaign["charge_points"]) == (
        "planned",
        "2.1.0",
        1,
    )
    scheduled = datetime.fromisoformat(campaign["scheduled_at"])
    assert scheduled.utcoffset() == timedelta(0) and scheduled > datetime.now(UTC)
    assert [(t["charge_point_id"], t["status"]) for t in campaign["targets"]] == [
        (cp_id, "pending")
    ]
    path = made.headers["location"].removeprefix("/api/v1")
    viewer = bearer(keys.make("Viewer"))
    assert (await rest.get(path, headers=viewer)).json() == campaign
    listed = await rest.get("/firmware/campaigns", params={"status": "planned"}, headers=viewer)
    assert [c["id"] for c in listed.json()["items"]] == [campaign["id"]]
    assert "targets" not in listed.json()["items"][0]
    export = await rest.get("/firmware/campaigns/export?format=jsonl", headers=key)
    assert [json.loads(line)["name"] for line in export.text.splitlines()] == ["Spring update"]

    assert (await rest.delete(path, headers=viewer)).status_code == 403
    cancelled = await rest.delete(path, headers=key)
    assert cancelled.status_code == 200, cancelled.text
    assert cancelled.json()["status"] == "cancelled"
    again = await rest.delete(path, headers=key)
    assert (again.status_code, again.json()["detail"]) == (
        409,
        "a cancelled campaign cannot be cancelled",
    )


async def test_another_organisations_key_sees_and_uses_nothing(
    rest: httpx.AsyncClient,
    keys: Keys,
    firmware_settings: Settings,
    cp_id: int,
    sub_operator: Organisation,
    scheduler: None,
) -> None:
    parent = bearer(keys.make())
    image = (await upload(rest, parent)).json()
    plan = {"name": "Parent's", "image_id": image["id"], "charge_point_ids": [cp_id]}
    campaign = (await rest.post("/firmware/campaigns", json=plan, headers=parent)).json()
    sub = bearer(keys.make(organisation_id=sub_operator.id))
    assert (await rest.get("/firmware/images", headers=sub)).json()["total"] == 0
    assert (await rest.get(f"/firmware/images/{image['id']}", headers=sub)).status_code == 404
    assert (await rest.get("/firmware/campaigns", headers=sub)).json()["total"] == 0
    for method in ("GET", "DELETE"):
        reply = await rest.request(method, f"/firmware/campaigns/{campaign['id']}", headers=sub)
        assert reply.status_code == 404, method
    with_parents = await rest.post("/firmware/campaigns", json=plan, headers=sub)
    assert (with_parents.status_code, with_parents.json()["detail"]) == (
        422,
        "choose an uploaded firmware image",
    )
    own = (await upload(rest, sub, b"the sub-operator's own", "fw-1.0.bin")).json()
    on_parents = await rest.post(
        "/firmware/campaigns", json={**plan, "image_id": own["id"]}, headers=sub
    )
    assert on_parents.json()["detail"] == "some chosen charge points do not exist or are not yours"


async def test_a_revoked_key_is_401(rest: httpx.AsyncClient, keys: Keys) -> None:
    revoked = bearer(keys.revoked())
    assert (await upload(rest, revoked)).status_code == 401
    for method, path in (
        ("GET", "/firmware/images"),
        ("GET", "/firmware/images/1"),
        ("GET", "/firmware/campaigns"),
        ("GET", "/firmware/campaigns/1"),
        ("DELETE", "/firmware/campaigns/1"),
        ("POST", "/firmware/campaigns"),
    ):
        assert (await rest.request(method, path, headers=revoked)).status_code == 401, path


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"scheduled_at": "2030-01-31T08:00:00"}, "scheduled_at"),
        ({"charge_point_ids": [0]}, "charge_point_ids.0"),
        ({"image_id": "latest"}, "image_id"),
        ({"retries": -1}, "retries"),
        ({"name": "N" * 201}, "name"),
        ({"when": "now"}, "when"),
    ],
)
async def test_bad_campaigns_are_422_naming_the_field(
    rest: httpx.AsyncClient, keys: Keys, body: dict[str, object], field: str
) -> None:
    plan = {"name": "Plan", "image_id": 1, "charge_point_ids": [1], **body}
    reply = await rest.post("/firmware/campaigns", json=plan, headers=bearer(keys.make()))
    assert reply.status_code == 422, reply.text
    assert [e["field"] for e in reply.json()["errors"]] == [field]


async def test_bad_uploads_are_422(
    rest: httpx.AsyncClient, keys: Keys, firmware_settings: Settings
) -> None:
    key = bearer(keys.make())
    no_file = await rest.post("/firmware/images", data={"version": "1.0"}, headers=key)
    assert [e["field"] for e in no_file.json()["errors"]] == ["file"]
    no_version = await upload(rest, key, name="firmware.bin")
    assert no_version.status_code == 422
    assert no_version.json()["detail"].startswith("version is required")
    empty = await upload(rest, key, b"", "fw-1.0.bin")
    assert (empty.status_code, empty.json()["detail"]) == (422, "the firmware file is empty")
    assert (await rest.get("/firmware/images", headers=key)).json()["total"] == 0
