"""Load Balancing: the pieces its pages are built from."""
