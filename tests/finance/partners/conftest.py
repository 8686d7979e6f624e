"""The partner network of tests/finance/partners/support.py, for every test here."""

from tests.finance.partners.support import network

__all__ = ["network"]
