"""Maintenance pages."""
