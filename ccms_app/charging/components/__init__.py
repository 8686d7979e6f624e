"""ccms_app.charging.components."""
