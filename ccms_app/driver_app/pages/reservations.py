"""Driver app page module (being built)."""

from __future__ import annotations

from typing import Any

PAGES: list[tuple[Any, str, Any, list[Any]]] = []
