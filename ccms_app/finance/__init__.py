"""ccms_app.finance."""
