"""ccms_app.drivers.local_lists."""
