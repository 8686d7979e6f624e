"""System: state."""
