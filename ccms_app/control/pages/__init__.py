"""ccms_app.control.pages."""
