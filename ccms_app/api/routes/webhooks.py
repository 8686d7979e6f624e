"""Webhooks over the REST API (being built: no routes yet)."""

from __future__ import annotations

from ccms_app.api.deps import router

api = router("/webhooks", "Webhooks")
