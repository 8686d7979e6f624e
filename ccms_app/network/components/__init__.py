"""ccms_app.network.components."""
