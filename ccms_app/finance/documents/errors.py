"""Why a document cannot be issued, in words for the operator."""

from __future__ import annotations


class DocumentError(ValueError):
    """A billing document cannot be issued or credited; the message says why."""


class DocumentNotFoundError(DocumentError):
    """No such session or document (or not one this caller may see)."""


class NotBillableError(DocumentError):
    """The session's cost is not final: still running, held for review or unpriced."""


class AlreadyCreditedError(DocumentError):
    """A document is credited once; its credit note exists."""
