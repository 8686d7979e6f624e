"""Analytics pages, registered in ccms_app.ccms_app from PAGES: (page, route, title, on_load)."""

from __future__ import annotations

from ccms_app.analytics.pages import analyses, reports, statistics

PAGES = [*statistics.PAGES, *analyses.PAGES, *reports.PAGES]

__all__ = ["PAGES"]
