"""Reflex states for tests, built the way the app builds them."""

from __future__ import annotations

from typing import TypeVar

import reflex as rx

S = TypeVar("S", bound=rx.State)


def state_in_tree(cls: type[S]) -> S:
    """`cls` inside a fresh root state tree.

    A bare `cls()` has no parents: once any page state with a computed var that reads `cls` is
    imported (which depends on test order), setting a var on it fails with "Invalid path".
    """
    root = rx.State()
    return root.get_substate(cls.get_full_name().split("."))
