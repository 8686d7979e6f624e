"""ccms_app.drivers.components."""
