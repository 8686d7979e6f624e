"""ccms_app.charging.state."""
