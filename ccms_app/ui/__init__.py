"""ccms_app.ui."""
