"""The login page and the own-account page."""
