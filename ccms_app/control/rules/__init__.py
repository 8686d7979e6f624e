"""ccms_app.control.rules."""
