"""Pure notification rules: recipient lists, digest grouping and text, retry back-off."""
