"""Shared pytest fixtures live in tests/fixtures/*; each module is a plugin listed here."""

pytest_plugins = [
    "tests.fixtures.db",
    "tests.fixtures.ocpp",
    "tests.fixtures.settings",
]
