"""ccms_app.system."""
