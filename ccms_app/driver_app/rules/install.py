"""What makes the driver app installable: the web app manifest (pure; the route serves it)."""

from __future__ import annotations

from typing import Any

ICON_SIZES = (192, 512)


def manifest(product_name: str, theme_colour: str, language: str) -> dict[str, Any]:
    """The W3C web app manifest: the brand's name, standalone, scoped to /app."""
    return {
        "name": product_name,
        "short_name": product_name[:12],
        "start_url": "/app",
        "scope": "/app",
        "id": "/app",
        "display": "standalone",
        "orientation": "portrait",
        "lang": language.replace("_", "-"),
        "background_color": "#ffffff",
        "theme_color": theme_colour,
        "icons": [
            {
                "src": f"/app/icon-{size}.png",
                "sizes": f"{size}x{size}",
                "type": "image/png",
                "purpose": "any maskable",
            }
            for size in ICON_SIZES
        ],
    }
