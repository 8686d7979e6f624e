"""ccms_app.network.pages."""
