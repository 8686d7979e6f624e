"""QR labels over real HTTP (the app's Starlette app, `ccms_app.api.build_api`): gated by
assets:view, scoped to the operator's network, a PDF whose QR codes are exactly segno's code
of the connector's driver app address, printed under it too."""

from __future__ import annotations

import io
from collections.abc import AsyncIterator

import httpx
import pytest
import segno
from pypdf import PdfReader
from pypdf.generic import ContentStream

from ccms_app.accounts.auth import SESSION_COOKIE
from ccms_app.accounts.login_guard import login_guard
from ccms_app.accounts.models import Organisation
from ccms_app.accounts.rules.permissions import Action, Module, permission
from ccms_app.accounts.web_session import DRIVER_SESSION_COOKIE
from ccms_app.api import build_api
from ccms_app.branding.brands import effective_brand
from ccms_app.core.db import session_scope
from ccms_app.driver_app.rules.paths import connector_path
from ccms_app.network.models import ChargePoint, Connector, Station
from ccms_app.network.rules import qr_labels as rules
from ccms_app.network.rules.qr_labels import LABEL_W, PAGE_H, QR_SIZE, QUIET_ZONE
from tests.driver_app.support import signed_in_driver
from tests.finance.documents.test_routes import login
from tests.fixtures.settings import SettingsEnv

ASSETS_VIEW = permission(Module.ASSETS, Action.VIEW)
BASE = "https://charge.example"
PT = 72 / 25.4  # points per mm


def _site(org: int, station_name: str, identity: str, connectors: int) -> tuple[int, int]:
    with session_scope() as s:
        station = Station(organisation_id=org, name=station_name, address="Kai 1")
        s.add(station)
        s.flush()
        cp = ChargePoint(
            organisation_id=org, station_id=station.id, identity=identity, max_power_w=11_000
        )
        s.add(cp)
        s.flush()
        s.add_all(
            Connector(
                organisation_id=org,
                charge_point_id=cp.id,
                connector_id=n,
                connector_type="Type2" if n == 1 else "CCS2",
                max_power_w=22_000 if n == 1 else None,
            )
            for n in range(1, connectors + 1)
        )
        return int(station.id or 0), int(cp.id or 0)


@pytest.fixture
async def web(engine: object, settings_env: SettingsEnv) -> AsyncIterator[httpx.AsyncClient]:
    settings_env.setenv("CCMS_PUBLIC_URL", BASE)
    login_guard.reset()
    transport = httpx.ASGITransport(app=build_api())
    async with httpx.AsyncClient(transport=transport, base_url="http://ccms.test") as http:
        yield http


async def _get(web: httpx.AsyncClient, url: str, cookies: dict[str, str]) -> httpx.Response:
    web.cookies.clear()
    return await web.get(url, cookies=cookies)


def _qr_codes(data: bytes, count: int) -> list[list[list[int]]]:
    """The QR matrices drawn on the first page, label by label, read back from the PDF's
    filled rectangles (label i's code sits in its QR_SIZE box)."""
    reader = PdfReader(io.BytesIO(data))
    page = reader.pages[0]
    rects: list[tuple[float, float, float, float]] = []
    pending = None
    for operands, operator in ContentStream(page.get_contents(), reader).operations:
        if operator == b"re":
            pending = tuple(float(v) for v in operands)
        elif operator == b"f" and pending is not None:
            rects.append(pending)
            pending = None
        elif operator in (b"S", b"n", b"B"):
            pending = None
    codes = []
    for index in range(count):
        _, left, top = rules.position(index)
        box_x, box_y = left + (LABEL_W - QR_SIZE) / 2, top + 17
        inside = []
        for x, y, w, h in rects:  # fpdf2 writes the top edge and a negative height
            x_mm, top_mm = x / PT, PAGE_H - max(y, y + h) / PT
            if box_x - 0.1 <= x_mm <= box_x + QR_SIZE and box_y - 0.1 <= top_mm <= box_y + QR_SIZE:
                inside.append((x_mm, top_mm, abs(w) / PT))
        module = min(abs(r[3]) for r in rects) / PT
        size = round(QR_SIZE / module) - 2 * QUIET_ZONE
        origin_x, origin_y = box_x + QUIET_ZONE * module, box_y + QUIET_ZONE * module
        matrix = [[0] * size for _ in range(size)]
        for x_mm, top_mm, width in inside:
            row, column = round((top_mm - origin_y) / module), round((x_mm - origin_x) / module)
            for c in range(column, column + round(width / module)):
                matrix[row][c] = 1
        codes.append(matrix)
    return codes


def _expected(url: str) -> list[list[int]]:
    return [list(row) for row in segno.make(url, micro=False).matrix]


async def test_a_charge_points_labels(web: httpx.AsyncClient, organisation: Organisation) -> None:
    org = int(organisation.id or 0)
    _, cp = _site(org, "Hafen Depot", "CP-QR-1", 2)
    url = rules.charge_point_labels_path(cp)
    token = login(org, "assets@example.com", {ASSETS_VIEW})

    reply = await _get(web, url, {SESSION_COOKIE: token})

    assert reply.status_code == 200, reply.text
    assert reply.headers["content-type"] == "application/pdf"
    assert reply.headers["content-disposition"] == 'inline; filename="qr-labels-CP-QR-1.pdf"'
    assert "no-store" in reply.headers["cache-control"]
    text = PdfReader(io.BytesIO(reply.content)).pages[0].extract_text()
    first, second = BASE + "/app/c/CP-QR-1/1", BASE + "/app/c/CP-QR-1/2"
    assert first == BASE + connector_path("CP-QR-1", 1)
    for expected in (
        effective_brand(org).product_name,
        "Hafen Depot",
        "Scan to charge",
        "Charge point CP-QR-1 · connector 1",
        "Type2 · 22 kW",
        "CCS2 · 11 kW",  # no power of its own: the charge point's
        first,
        second,
    ):
        assert expected in text, (expected, text)
    assert _qr_codes(reply.content, 2) == [_expected(first), _expected(second)]


async def test_a_stations_labels_cover_its_charge_points(
    web: httpx.AsyncClient, organisation: Organisation
) -> None:
    org = int(organisation.id or 0)
    station, _ = _site(org, "Köln Süd", "CP-K-1", 1)
    with session_scope() as s:
        cp = ChargePoint(organisation_id=org, station_id=station, identity="CP-K-2")
        s.add(cp)
        s.flush()
        s.add_all(
            Connector(organisation_id=org, charge_point_id=cp.id, connector_id=n)
            for n in (1, 2, 3, 4, 5, 6)
        )
    token = login(org, "assets@example.com", {ASSETS_VIEW})

    reply = await _get(web, rules.station_labels_path(station), {SESSION_COOKIE: token})

    assert reply.status_code == 200, reply.text
    assert "qr-labels-K-ln-S-d.pdf" in reply.headers["content-disposition"]
    pages = PdfReader(io.BytesIO(reply.content)).pages
    assert len(pages) == 2  # seven labels, six to a page
    assert "Köln Süd" in pages[0].extract_text()
    assert BASE + "/app/c/CP-K-2/6" in pages[1].extract_text()


async def test_who_may_print_which_labels(
    web: httpx.AsyncClient, organisation: Organisation
) -> None:
    org = int(organisation.id or 0)
    _, cp = _site(org, "Hafen Depot", "CP-QR-1", 1)
    url = rules.charge_point_labels_path(cp)
    with session_scope() as s:
        other = Organisation(name="Another Network")
        s.add(other)
        s.flush()
        other_id = int(other.id or 0)
    other_station, other_cp = _site(other_id, "Elsewhere", "CP-ELSE-1", 1)

    assert (await _get(web, url, {})).status_code == 401
    driver = signed_in_driver("dana@example.com")
    assert (await _get(web, url, {DRIVER_SESSION_COOKIE: driver.token})).status_code == 401
    viewer = login(org, "finance@example.com", {permission(Module.FINANCE, Action.VIEW)})
    assert (await _get(web, url, {SESSION_COOKIE: viewer})).status_code == 403

    assets = login(org, "assets@example.com", {ASSETS_VIEW})
    cookie = {SESSION_COOKIE: assets}
    for elsewhere in (
        rules.charge_point_labels_path(other_cp),
        rules.station_labels_path(other_station),
        rules.charge_point_labels_path(999_999),
        "/qr-labels/charge-points/abc.pdf",
    ):
        reply = await _get(web, elsewhere, cookie)
        assert reply.status_code == 404 and reply.text == "No such labels.", elsewhere
    # Their own operator prints them.
    theirs = login(other_id, "other@example.com", {ASSETS_VIEW})
    reply = await _get(web, rules.charge_point_labels_path(other_cp), {SESSION_COOKIE: theirs})
    assert reply.status_code == 200


async def test_nothing_to_print_says_why(
    web: httpx.AsyncClient, organisation: Organisation
) -> None:
    org = int(organisation.id or 0)
    station, cp = _site(org, "Empty", "CP-EMPTY", 0)
    token = login(org, "assets@example.com", {ASSETS_VIEW})
    reply = await _get(web, rules.charge_point_labels_path(cp), {SESSION_COOKIE: token})
    assert reply.status_code == 409
    assert reply.text.startswith("Charge point CP-EMPTY has no connectors yet")
    reply = await _get(web, rules.station_labels_path(station), {SESSION_COOKIE: token})
    assert reply.status_code == 409 and "nothing to print" in reply.text


def test_label_rules() -> None:
    assert rules.label_url("https://x.example/", "CP 1/a", 2) == (
        "https://x.example" + connector_path("CP 1/a", 2)
    )
    assert (
        rules.label_url("https://x.example/", "CP 1/a", 2) == "https://x.example/app/c/CP%201%2Fa/2"
    )
    assert rules.dark_runs([[1, 1, 0, 1], [0, 0, 0, 0], [0, 1, 1, 1]]) == [
        (0, 0, 2),
        (0, 3, 1),
        (2, 1, 3),
    ]
    assert [rules.position(i)[:1] for i in (0, 5, 6)] == [(0,), (0,), (1,)]
    _, left, top = rules.position(5)
    assert left + LABEL_W <= 210 and top + rules.LABEL_H <= PAGE_H
    assert rules.file_name("../CP:1") == "qr-labels-CP-1.pdf"
    assert rules.file_name("走") == "qr-labels-connectors.pdf"
