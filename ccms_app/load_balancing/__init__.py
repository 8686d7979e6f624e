"""ccms_app.load_balancing."""
