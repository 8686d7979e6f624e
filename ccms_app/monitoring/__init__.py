"""ccms_app.monitoring."""
