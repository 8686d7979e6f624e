"""ccms_app.drivers."""
