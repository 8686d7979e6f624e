"""ccms_app.control.components."""
