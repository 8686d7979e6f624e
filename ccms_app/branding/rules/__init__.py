"""The brand's decisions without I/O: colours (contrast, palette) and uploaded images."""
