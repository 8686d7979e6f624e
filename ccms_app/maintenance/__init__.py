"""ccms_app.maintenance."""
