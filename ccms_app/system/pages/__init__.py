"""System: pages."""
