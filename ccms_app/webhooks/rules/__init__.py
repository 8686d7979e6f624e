"""Webhooks: pure rules (signing, retry schedule, event types, payloads, input checks)."""
