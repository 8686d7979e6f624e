"""core/asset_cache.HashedAssetCache on a Starlette app serving a build-like folder: the
content-named files get `immutable`, the pages (whose names carry no hash) do not."""

from __future__ import annotations

from pathlib import Path

import pytest
from starlette.applications import Starlette
from starlette.routing import Mount
from starlette.staticfiles import StaticFiles
from starlette.testclient import TestClient

from ccms_app.core.asset_cache import IMMUTABLE, HashedAssetCache, is_hashed_asset


@pytest.fixture
def client(tmp_path: Path) -> TestClient:
    assets = tmp_path / "assets"
    assets.mkdir()
    (assets / "_live_._index-B7lAbrRB.js").write_text("export default 1;")
    (assets / "__reflex_global_styles-NccINl-w.css").write_text("body{}")
    (assets / "index.html").write_text("<html>the Assets page</html>")
    app = Starlette(routes=[Mount("/", app=StaticFiles(directory=tmp_path, html=True))])
    return TestClient(HashedAssetCache(app))


def test_content_named_files_are_cached_for_good(client: TestClient) -> None:
    for path in (
        "/assets/_live_._index-B7lAbrRB.js",
        "/assets/__reflex_global_styles-NccINl-w.css",
    ):
        first = client.get(path)
        assert first.status_code == 200
        assert first.headers["cache-control"] == IMMUTABLE.decode()
        again = client.get(path, headers={"if-none-match": first.headers["etag"]})
        assert again.status_code == 304
        assert again.headers["cache-control"] == IMMUTABLE.decode()


def test_pages_and_misses_keep_revalidating(client: TestClient) -> None:
    page = client.get("/assets/")
    assert page.status_code == 200 and "Assets page" in page.text
    assert "cache-control" not in page.headers
    missing = client.get("/assets/gone-AAAAAAAA.js")
    assert missing.status_code == 404 and "cache-control" not in missing.headers


def test_what_counts_as_content_named() -> None:
    assert is_hashed_asset("/assets/DynamicIcon-COYFJMGU.js")
    assert is_hashed_asset("/assets/_account_._index-Bp-4KJ-N.js")
    assert not is_hashed_asset("/assets")  # the Assets page
    assert not is_hashed_asset("/assets/index.html")
    assert not is_hashed_asset("/assets/stations/12")
    assert not is_hashed_asset("/brand/favicon")
    assert not is_hashed_asset("/assets/sub/dir-COYFJMGU.js")
