"""ccms_app.accounts."""
