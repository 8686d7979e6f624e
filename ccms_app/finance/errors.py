"""Errors every finance use case raises: the API maps them to problem+json (422 / 404 / 409),
the pages show their messages next to the fields they name."""

from __future__ import annotations

from collections.abc import Mapping


class FinanceError(ValueError):
    """The operator must correct something. `errors` maps form fields to messages (all of them
    at once); the message alone is for problems that belong to no field."""

    def __init__(self, message: str, errors: Mapping[str, str] | None = None) -> None:
        super().__init__(message)
        self.errors: dict[str, str] = dict(errors or {})


class FinanceNotFound(LookupError):
    """No such row in the caller's scope (another organisation's rows do not exist for it)."""


class FinanceConflict(FinanceError):
    """The request is valid but the data's state refuses it (e.g. crediting a document twice,
    a receipt for a session still held for review)."""
