"""The driver app's pages, as (page, route, title, on_load) for the app to register."""

from __future__ import annotations

from typing import Any

from ccms_app.driver_app.pages import (
    account,
    charging,
    history,
    reservations,
    sign_in,
    stations,
    wallet,
)

PAGES: list[tuple[Any, str, Any, list[Any]]] = [
    *sign_in.PAGES,
    *stations.PAGES,
    *charging.PAGES,
    *wallet.PAGES,
    *history.PAGES,
    *reservations.PAGES,
    *account.PAGES,
]
