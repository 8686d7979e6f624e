"""ccms_app.network."""
