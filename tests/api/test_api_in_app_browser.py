"""The REST API inside the real app (`ccms run`'s process, one port), and System -> API keys
in a real browser: an administrator makes a key on the page, reads it once from the dialog,
and that key works over HTTP on the same port; the schema and the docs are served there too.
"""

from __future__ import annotations

import json
import re
import urllib.error
import urllib.request

import pytest
from playwright.async_api import Browser, expect

from tests.fixtures.app_process import (
    ADMIN_EMAIL,
    ADMIN_PASSWORD,
    DESKTOP,
    UI_TIMEOUT_MS,
    RunningApp,
    _screenshot,
    browser,
    running_app,
)

pytestmark = pytest.mark.browser
__all__ = ["browser", "running_app"]


def _get(url: str, key: str = "") -> tuple[int, str]:
    request = urllib.request.Request(url, headers={"Authorization": f"Bearer {key}"} if key else {})
    try:
        with urllib.request.urlopen(request, timeout=10) as reply:
            return reply.status, reply.read().decode()
    except urllib.error.HTTPError as error:
        return error.code, error.read().decode()


def test_the_schema_and_docs_are_served_on_the_web_port(running_app: RunningApp) -> None:
    status, text = _get(f"{running_app.web_url}/api/v1/openapi.json")
    assert status == 200 and json.loads(text)["openapi"].startswith("3.1")
    status, text = _get(f"{running_app.web_url}/api/docs")
    assert status == 200 and "/api/v1/openapi.json" in text and "swagger" in text.lower()
    status, text = _get(f"{running_app.web_url}/api/v1/stations")
    assert status == 401 and json.loads(text)["title"] == "Unauthorized"


async def test_a_key_made_on_the_page_is_shown_once_and_works(
    running_app: RunningApp, browser: Browser
) -> None:
    context = await browser.new_context(viewport=DESKTOP)
    page = await context.new_page()
    await page.goto(f"{running_app.web_url}/login?next=%2Fsystem%2Fapi-keys")
    await page.fill("#email", ADMIN_EMAIL)
    await page.fill("#password", ADMIN_PASSWORD)
    await page.click("[data-testid=login-submit]")
    await page.wait_for_url(re.compile(r".*/system/api-keys/?$"), timeout=UI_TIMEOUT_MS)
    await page.click("[data-testid=api-keys-new]")
    await page.fill("[data-testid=api-key-form-name]", "ERP export")
    await page.click("[data-testid=api-key-form-submit]")
    revealed = page.locator("[data-testid=api-key-revealed]")
    await expect(revealed).to_contain_text("ccms_", timeout=UI_TIMEOUT_MS)
    key = (await revealed.inner_text()).strip()
    for width, height in ((1440, 900), (360, 740)):
        await page.set_viewport_size({"width": width, "height": height})
        await _screenshot(page, f"system-api-keys-created-{width}.png")
    status, text = _get(f"{running_app.web_url}/api/v1/stations", key)
    assert status == 200, text
    assert "total" in json.loads(text)
    status, _ = _get(f"{running_app.web_url}/api/v1/stations/export", key)
    assert status == 403  # the page's default role is Viewer: no export
    await page.click("[data-testid=api-key-revealed-done]")
    await expect(revealed).to_have_count(0, timeout=UI_TIMEOUT_MS)
    shown = page.locator("text=ERP export >> visible=true")
    await expect(shown.first).to_be_visible(timeout=UI_TIMEOUT_MS)
    await _screenshot(page, "system-api-keys-list-360.png")
    await context.close()
