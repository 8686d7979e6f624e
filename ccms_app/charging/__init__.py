"""ccms_app.charging."""
