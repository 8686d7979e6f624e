"""ccms_app.monitoring.state."""
