"""Writing a Reflex state without sending what did not change."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any


def write_changed(state: Any, values: Mapping[str, Any]) -> None:
    """Set only the fields whose value differs: Reflex sends every field that was set to the
    browser (a shared state: to every tab linked to it), changed or not."""
    for name, value in values.items():
        if getattr(state, name) != value:
            setattr(state, name, value)
