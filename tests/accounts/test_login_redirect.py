"""After login the operator returns to the page asked for, and only to a page of this site."""

from __future__ import annotations

import pytest

from ccms_app.accounts.rules.redirects import safe_next


@pytest.mark.parametrize(
    ("asked", "goes_to"),
    [
        ("/live", "/live"),
        ("/live?tab=sessions", "/live?tab=sessions"),
        (None, "/"),
        ("", "/"),
        ("/login", "/"),
        ("//evil.example/phish", "/"),
        ("https://evil.example/", "/"),
        ("javascript:alert(1)", "/"),
        ("/\\evil.example", "/"),
        ("/login/?next=/live", "/"),
        ("/live\n", "/"),
    ],
)
def test_next_page_after_login(asked: str | None, goes_to: str) -> None:
    assert safe_next(asked) == goes_to
