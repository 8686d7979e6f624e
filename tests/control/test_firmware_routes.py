"""The HTTP side of Firmware Management against the ASGI app the product mounts (build_api)."""

from __future__ import annotations

import hashlib
import io
from collections.abc import AsyncIterator

import httpx
import pytest
from sqlmodel import Session, select

from ccms_app.accounts import auth
from ccms_app.accounts.auth import SESSION_COOKIE
from ccms_app.accounts.models import OperatorAccount, Organisation
from ccms_app.api import build_api
from ccms_app.control.firmware import errors, images, storage
from ccms_app.control.models import DiagnosticsFile
from ccms_app.core.config import Settings
from ccms_app.network.models import ChargePoint
from tests.control.firmware_support import firmware_settings

__all__ = ["firmware_settings"]

CP = "CP-HTTP-1"
MB = 1024 * 1024


@pytest.fixture
async def client(firmware_settings: Settings, engine) -> AsyncIterator[httpx.AsyncClient]:
    transport = httpx.ASGITransport(app=build_api())
    async with httpx.AsyncClient(transport=transport, base_url="http://ccms.test") as http:
        yield http


@pytest.fixture
def charge_point(session: Session, organisation: Organisation) -> ChargePoint:
    cp = ChargePoint(identity=CP, organisation_id=organisation.id, registration_state="registered")
    session.add(cp)
    session.commit()
    return cp


def stored_files(settings: Settings) -> list[str]:
    directory = settings.diagnostics_dir / CP
    return sorted(p.name for p in directory.iterdir()) if directory.exists() else []


async def test_serves_an_uploaded_firmware_image(client, organisation, firmware_settings) -> None:
    data = b"\x7fELF firmware " * 1000
    image = images.store_firmware(
        organisation.id, "fw 2.1.0.bin", "", io.BytesIO(data), "ops@example.com"
    )
    assert image.version == "2.1.0"
    assert image.sha256 == hashlib.sha256(data).hexdigest()
    assert image.stored_name == f"{image.sha256[:12]}-{organisation.id}-fw_2.1.0.bin"
    assert image.url == f"http://ccms.test:3000/firmware/{image.stored_name}"

    reply = await client.get(f"/firmware/{image.stored_name}")
    assert reply.status_code == 200
    assert reply.content == data
    assert reply.headers["content-type"] == "application/octet-stream"
    head = await client.head(f"/firmware/{image.stored_name}")
    assert head.headers["content-length"] == str(len(data))
    assert (await client.get("/firmware/no-such-file.bin")).status_code == 404


def test_version_is_put_into_the_served_name(organisation, firmware_settings) -> None:
    image = images.store_firmware(organisation.id, "image.bin", "7.0", io.BytesIO(b"x"), "ops")
    assert image.stored_name.endswith("-image-7.0.bin")
    assert storage.version_from_file_name(image.stored_name) == "7.0"
    with pytest.raises(errors.FirmwareError, match=r"already uploaded as version 7\.0"):
        images.store_firmware(organisation.id, "again.bin", "7.1", io.BytesIO(b"x"), "ops")
    with pytest.raises(errors.FirmwareError, match="version is required"):
        images.store_firmware(organisation.id, "noversion.bin", "", io.BytesIO(b"y"), "ops")
    with pytest.raises(errors.FirmwareError, match="empty"):
        images.store_firmware(organisation.id, "fw-1.0.bin", "", io.BytesIO(b""), "ops")
    leftovers = [p.name for p in firmware_settings.firmware_dir.iterdir()]
    assert leftovers == [image.stored_name]  # no temporary files left behind


@pytest.mark.parametrize(
    "path",
    [
        "/firmware/..%2Fsecret.txt",
        "/firmware/%2E%2E%2Fsecret.txt",
        "/firmware/..",
        "/firmware/.hidden",
        "/firmware/sub%2F..%2F..%2Fsecret.txt",
        "/firmware/..%5Csecret.txt",
    ],
)
async def test_path_traversal_is_refused(client, firmware_settings, path: str) -> None:
    firmware_settings.firmware_dir.mkdir(parents=True)
    (firmware_settings.firmware_dir.parent / "secret.txt").write_text("top secret")
    (firmware_settings.firmware_dir / ".hidden").write_text("hidden")
    reply = await client.get(path)
    assert reply.status_code == 404
    assert b"secret" not in reply.content and b"hidden" not in reply.content


async def test_raw_put_upload_is_stored_and_recorded(
    client, charge_point, firmware_settings, session
) -> None:
    body = b"2026-03-01 12:00:00 boot ok\n" * 100
    reply = await client.put(f"/diagnostics/{CP}/diag-2026.log", content=body)
    assert reply.status_code == 201
    assert reply.json() == {
        "file_name": "diag-2026.log",
        "size": len(body),
        "sha256": hashlib.sha256(body).hexdigest(),
    }
    assert (firmware_settings.diagnostics_dir / CP / "diag-2026.log").read_bytes() == body
    # The same name again is kept beside the first, never over it.
    assert (
        await client.post(f"/diagnostics/{CP}/diag-2026.log", content=b"second")
    ).status_code == 201
    assert stored_files(firmware_settings) == ["diag-2026-1.log", "diag-2026.log"]
    rows = session.exec(select(DiagnosticsFile).order_by(DiagnosticsFile.id)).all()
    assert [(r.file_name, r.size, r.charge_point_id) for r in rows] == [
        ("diag-2026.log", len(body), charge_point.id),
        ("diag-2026-1.log", 6, charge_point.id),
    ]
    assert rows[0].remote_address == "127.0.0.1"


async def test_multipart_upload_to_the_location_url(
    client, charge_point, firmware_settings
) -> None:
    """Most chargers POST a form to the location as given; the part names the file."""
    files = {"file": ("../../etc/evil name.tar.gz", b"log data", "application/gzip")}
    reply = await client.post(f"/diagnostics/{CP}/", files=files)
    assert reply.status_code == 201
    assert reply.json()["file_name"] == "evil_name.tar.gz"
    assert stored_files(firmware_settings) == ["evil_name.tar.gz"]
    named = await client.post(f"/diagnostics/{CP}/From URL.log", files=files)
    assert named.json()["file_name"] == "From_URL.log"  # the URL's name wins over the part's
    assert (await client.post(f"/diagnostics/{CP}", data={"note": "no file"})).status_code == 400


async def test_upload_file_names_are_sanitised(client, charge_point, firmware_settings) -> None:
    assert (
        await client.put(f"/diagnostics/{CP}/..%2F..%2Fcrontab", content=b"x")
    ).status_code == 404
    reply = await client.put(f"/diagnostics/{CP}/..%5C..%5Ccrontab", content=b"x")
    assert reply.status_code == 201 and reply.json()["file_name"] == "crontab"
    reply = await client.put(
        f"/diagnostics/{CP}/%C3%A9v%C3%A9nements%20du%20jour.log", content=b"x"
    )
    assert reply.json()["file_name"] == "evenements_du_jour.log"
    assert (await client.put(f"/diagnostics/{CP}/...", content=b"x")).status_code == 400
    assert stored_files(firmware_settings) == ["crontab", "evenements_du_jour.log"]
    assert not (firmware_settings.diagnostics_dir / "crontab").exists()


async def test_upload_size_limit(client, charge_point, firmware_settings, session) -> None:
    too_big = b"x" * (MB + 1)
    assert (await client.put(f"/diagnostics/{CP}/big.log", content=too_big)).status_code == 413

    async def chunked() -> AsyncIterator[bytes]:  # no Content-Length: counted while reading
        for _ in range(3):
            yield b"y" * (MB // 2)

    assert (await client.put(f"/diagnostics/{CP}/big.log", content=chunked())).status_code == 413
    files = {"file": ("big.log", too_big, "text/plain")}
    assert (await client.post(f"/diagnostics/{CP}/", files=files)).status_code == 413
    assert (await client.put(f"/diagnostics/{CP}/ok.log", content=b"z" * MB)).status_code == 201
    assert stored_files(firmware_settings) == ["ok.log"]  # nothing half-written kept
    assert [r.file_name for r in session.exec(select(DiagnosticsFile)).all()] == ["ok.log"]


async def test_upload_for_unknown_charge_point_is_refused(
    client, engine, firmware_settings
) -> None:
    assert (await client.put("/diagnostics/NOBODY/diag.log", content=b"x")).status_code == 404
    assert not (firmware_settings.diagnostics_dir / "NOBODY").exists()


async def test_download_needs_an_operator_of_the_charge_points_organisation(
    client, charge_point, firmware_settings, session
) -> None:
    await client.put(f"/diagnostics/{CP}/diag.log", content=b"the log")
    url = f"/diagnostics/{CP}/diag.log"
    assert (await client.get(url)).status_code == 401

    auth.ensure_admin("ops@example.com", "a-long-charging-phrase-1")
    client.cookies.set(
        SESSION_COOKIE, auth.authenticate("ops@example.com", "a-long-charging-phrase-1")
    )
    reply = await client.get(url)
    assert reply.status_code == 200 and reply.content == b"the log"
    assert "attachment" in reply.headers["content-disposition"]
    assert (await client.get(f"/diagnostics/{CP}/other.log")).status_code == 404

    other = Organisation(name="Other Operator")
    session.add(other)
    session.flush()
    password_hash = auth.hash_password("another-long-password")
    session.add(
        OperatorAccount(
            organisation_id=other.id,
            email="else@example.com",
            password_hash=password_hash,
            role_id=1,
        )
    )
    session.commit()
    client.cookies.set(
        SESSION_COOKIE, auth.authenticate("else@example.com", "another-long-password")
    )
    assert (await client.get(url)).status_code == 404  # another operator's charge point: not there
