"""ccms_app.control.state."""
