"""Where a login may send the browser afterwards: a path on this site, never elsewhere."""

from __future__ import annotations

LOGIN_ROUTE = "/login"
HOME_ROUTE = "/"
ACCOUNT_ROUTE = "/account"  # the own account: open to every login, whatever the role


def safe_next(path: str | None) -> str:
    """Where to go after login: a path on this site only (never `//evil.example`)."""
    if (
        not path
        or not path.startswith("/")
        or path.startswith("//")
        or "\\" in path  # browsers treat a backslash like a slash
        or not path.isprintable()
        or path.split("?")[0].rstrip("/") == LOGIN_ROUTE
        or path.startswith("/auth/")
    ):
        return HOME_ROUTE
    return path
