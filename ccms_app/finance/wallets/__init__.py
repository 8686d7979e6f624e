"""Prepaid wallets: a double-entry ledger per driver and group account, vouchers."""
