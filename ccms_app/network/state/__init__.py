"""ccms_app.network.state."""
