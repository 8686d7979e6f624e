"""ccms_app.monitoring.pages."""
