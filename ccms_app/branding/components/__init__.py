"""The brand on a page: the mark (logo and product name) and the colour overrides."""
