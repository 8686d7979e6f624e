"""ccms_app.network.rules."""
