"""System > Branding."""
