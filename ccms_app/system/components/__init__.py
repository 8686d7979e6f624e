"""System: components."""
