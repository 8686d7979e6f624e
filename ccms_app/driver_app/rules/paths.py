"""The driver app's addresses (all under /app) and where a sign-in may send the driver."""

from __future__ import annotations

from urllib.parse import quote

APP = "/app"
SIGN_IN = "/app/login"
SIGN_UP = "/app/signup"
FORGOT = "/app/forgot"
RESET = "/app/reset"
VERIFY = "/app/auth/verify"
_NOT_AFTER_SIGN_IN = (SIGN_IN, SIGN_UP, FORGOT, RESET, "/app/auth")


def safe_app_next(path: str | None) -> str:
    """A path inside the app to go to after signing in; the app's start page otherwise
    (never another site, never an operator page, never the sign-in pages themselves)."""
    if (
        not path
        or not (path == APP or path.startswith(APP + "/") or path.startswith(APP + "?"))
        or "\\" in path
        or not path.isprintable()
        or any(
            path.split("?")[0].rstrip("/") == p or path.startswith(p + "/")
            for p in _NOT_AFTER_SIGN_IN
        )
    ):
        return APP
    return path


def sign_in_url(path: str | None, query: str | None = None) -> str:
    target = path or APP
    if query:
        target = f"{target}?{query}"
    target = safe_app_next(target)
    return SIGN_IN if target == APP else f"{SIGN_IN}?next={quote(target, safe='')}"


def connector_path(identity: str, connector_id: int) -> str:
    """The page a connector's QR label opens: start charging there (`/app/c/<id>/<n>`)."""
    return f"{APP}/c/{quote(identity, safe='')}/{connector_id}"


def station_path(station_id: int) -> str:
    return f"{APP}/stations/{station_id}"


def reserve_path(connector_row_id: int) -> str:
    """Reserve a connector (its `connector.id` row)."""
    return f"{APP}/reserve/{connector_row_id}"


def receipt_path(document_id: int) -> str:
    """A receipt's PDF, for its driver only."""
    return f"{APP}/receipts/{document_id}.pdf"
