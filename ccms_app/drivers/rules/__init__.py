"""ccms_app.drivers.rules."""
