"""Reflex states of the brand: the one every page reads, and the System > Branding editor."""
