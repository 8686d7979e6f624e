"""The wallet network of tests/finance/wallets/support.py, for every test here."""

from tests.finance.wallets.support import wallet_world

__all__ = ["wallet_world"]
