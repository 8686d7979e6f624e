"""GET /firmware/{filename}: the firmware images charge points download (UpdateFirmware)."""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import FileResponse, PlainTextResponse, Response
from starlette.routing import Route

from ccms_app.accounts.http_gate import public_route
from ccms_app.control.firmware import images


@public_route("charge points download firmware images (UpdateFirmware); they have no login")
async def serve_firmware(request: Request) -> Response:
    """No login: a charger has none. Firmware images are not secrets, and the stored names
    start with a hash of the content, so they are not guessable either."""
    path = images.firmware_file(request.path_params["filename"])
    if path is None:
        return PlainTextResponse("no such firmware file", status_code=404)
    return FileResponse(path, media_type="application/octet-stream", filename=path.name)


routes = [Route("/firmware/{filename}", serve_firmware, methods=["GET", "HEAD"])]
