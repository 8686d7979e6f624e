"""ccms_app.drivers.pages."""
