"""Analytics components (Reflex)."""
