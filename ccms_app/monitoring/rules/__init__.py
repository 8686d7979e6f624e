"""ccms_app.monitoring.rules: pure decisions of the live views."""
