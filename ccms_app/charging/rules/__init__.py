"""ccms_app.charging.rules."""
