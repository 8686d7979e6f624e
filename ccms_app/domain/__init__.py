"""Pure charging-domain logic: no I/O, no database, unit-tested."""
