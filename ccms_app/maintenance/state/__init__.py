"""Maintenance states (thin: they call the use cases)."""
