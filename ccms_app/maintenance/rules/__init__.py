"""Pure maintenance rules: no database, no reflex, no I/O."""
