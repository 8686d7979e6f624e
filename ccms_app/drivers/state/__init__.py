"""ccms_app.drivers.state."""
