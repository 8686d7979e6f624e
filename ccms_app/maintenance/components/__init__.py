"""Maintenance UI pieces shared by its pages."""
