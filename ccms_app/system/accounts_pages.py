"""accounts_pages: filled in by its own change."""

from __future__ import annotations

from typing import Any

PAGES: list[tuple[Any, str, str, list[Any]]] = []
