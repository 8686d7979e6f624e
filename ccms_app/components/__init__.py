"""Shared UI building blocks: navigation and layout, badges, stat cards, tables, headers."""
