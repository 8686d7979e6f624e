"""Pure analytics rules: no database, no Reflex, no I/O."""
