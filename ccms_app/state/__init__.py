"""Thin Reflex states: call services, hold what the pages show."""
