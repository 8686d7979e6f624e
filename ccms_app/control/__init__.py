"""ccms_app.control."""
