"""A file answered over HTTP as a private download (receipts, invoices, settlement and
reimbursement reports): saved, never shown inline, never kept by a shared cache."""

from __future__ import annotations

from starlette.responses import Response


def private_attachment(data: bytes, media_type: str, name: str) -> Response:
    """`data` as a download named `name`, with no-store caching (it holds someone's money)."""
    return Response(
        data,
        media_type=media_type,
        headers={
            "Content-Disposition": f'attachment; filename="{name}"',
            "Cache-Control": "private, no-store",
        },
    )
