"""Load Balancing pages: the sites list and one site (registered in ccms_app.ccms_app)."""

from __future__ import annotations

from ccms_app.load_balancing.pages.sites import ON_LOAD, ROUTE, TITLE, page

__all__ = ["ON_LOAD", "ROUTE", "TITLE", "page"]
