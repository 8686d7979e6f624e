"""Load Balancing: the states behind its pages (thin: the use cases decide)."""
