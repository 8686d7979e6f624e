"""Webhooks: state (System -> Webhooks)."""
