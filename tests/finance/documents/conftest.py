"""The billed network of tests/finance/documents/support.py, for every test here."""

from tests.finance.documents.support import world

__all__ = ["world"]
