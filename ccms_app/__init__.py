"""CCMS: Cloud Charging Management System."""
