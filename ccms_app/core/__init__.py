"""Cross-cutting infrastructure: configuration, database, logging, event bus."""
