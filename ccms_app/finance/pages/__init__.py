"""Finance pages: overview, tariffs, charging history, documents, billing settings."""
