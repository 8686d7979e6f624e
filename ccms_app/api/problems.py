"""RFC 9457 problem details: every error the REST API answers is `application/problem+json`.

One shape for everything an integration can get wrong: `type`, `title`, `status`, `detail`,
and for invalid input `errors`, one entry per field (`location`: body, query or path;
`field`: its dotted name; `detail`: what is wrong, in the words the web UI uses). The use
cases raise their own errors (AssetError with field errors, NotFoundError, RefusedError, ...);
`PROBLEM_STATUS` says which status each becomes, so a route never builds an error by hand.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Coroutine, Mapping, Sequence
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse, Response
from fastapi.routing import APIRoute
from starlette.exceptions import HTTPException as StarletteHTTPException

from ccms_app.accounts.roles import InputError, NotFoundError, RefusedError
from ccms_app.core.i18n import Message, Translated
from ccms_app.core.listing import ListQueryError
from ccms_app.network.assets import AssetError, AssetInUse, AssetNotFound

log = logging.getLogger(__name__)

MEDIA_TYPE = "application/problem+json"
TITLES = {
    400: "Bad request",
    401: "Unauthorized",
    403: "Forbidden",
    404: "Not found",
    405: "Method not allowed",
    409: "Conflict",
    413: "Too large",
    422: "Invalid input",
    500: "Internal error",
    503: "Unavailable",
}

# Which status a use case's error becomes (the most specific class listed wins). Routes of a
# module add theirs with `register`.
PROBLEM_STATUS: dict[type[Exception], int] = {
    AssetInUse: 409,
    AssetNotFound: 404,
    NotFoundError: 404,
    RefusedError: 403,
    AssetError: 422,
    InputError: 422,
    ListQueryError: 400,
}


def register(statuses: Mapping[type[Exception], int]) -> None:
    PROBLEM_STATUS.update(statuses)


class Problem(Exception):
    """Raised by the API layer itself (auth, unknown cursor, ...)."""

    def __init__(
        self,
        status: int,
        detail: str,
        errors: Sequence[Mapping[str, str]] = (),
        title: str = "",
        headers: Mapping[str, str] | None = None,
    ) -> None:
        super().__init__(detail)
        self.status = status
        self.detail = detail
        self.errors = list(errors)
        self.title = title or TITLES.get(status, "Error")
        self.headers = dict(headers or {})


def problem_response(
    status: int,
    detail: str | Message,
    errors: Sequence[Mapping[str, str]] = (),
    title: str = "",
    headers: Mapping[str, str] | None = None,
) -> JSONResponse:
    body: dict[str, Any] = {
        "type": "about:blank",
        "title": title or TITLES.get(status, "Error"),
        "status": status,
        "detail": str(detail),
        **_code_of(detail),
    }
    if errors:
        body["errors"] = list(errors)
    return JSONResponse(body, status_code=status, media_type=MEDIA_TYPE, headers=headers)


def _code_of(detail: object) -> dict[str, Any]:
    """A domain error's code (its English message id) and values, when its words carry them
    (`core.i18n.tr` / `Message`): what a client matches on or words in its own language."""
    if not isinstance(detail, Translated | Message):
        return {}
    return {"code": detail.msgid, "params": {k: str(v) for k, v in detail.params.items()}}


def field_errors(errors: Mapping[str, str], location: str = "body") -> list[dict[str, str]]:
    """A use case's {field: message} as problem entries."""
    return [{"location": location, "field": f, "detail": m} for f, m in errors.items()]


def _status_of(exc: Exception) -> int | None:
    for cls in type(exc).__mro__:
        if cls in PROBLEM_STATUS:
            return PROBLEM_STATUS[cls]
    return None


async def _problem(_request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, Problem)
    return problem_response(exc.status, exc.detail, exc.errors, exc.title, exc.headers)


async def _invalid_request(_request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, RequestValidationError)
    errors = []
    for error in exc.errors():
        location, *path = (str(part) for part in error.get("loc", ("body",)))
        message = str(error.get("msg", "Invalid value"))
        if error.get("type") == "extra_forbidden":
            message = "Unknown field: this API refuses fields it does not know."
        errors.append({"location": location, "field": ".".join(path), "detail": message})
    count = len(errors)
    detail = f"{count} invalid field{'s' if count != 1 else ''}; nothing was saved."
    return problem_response(422, detail, errors)


async def _http_error(_request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, StarletteHTTPException)
    return problem_response(exc.status_code, str(exc.detail), headers=exc.headers)


async def _use_case_error(_request: Request, exc: Exception) -> JSONResponse:
    status = _status_of(exc) or 500
    errors = getattr(exc, "errors", None)
    entries = field_errors(errors) if isinstance(errors, Mapping) else []
    said = exc.args[0] if len(exc.args) == 1 else str(exc)
    detail = said if isinstance(said, str | Message) and str(said) else TITLES.get(status, "Error")
    return problem_response(status, detail, entries)


def unexpected(request: Request, exc: Exception) -> JSONResponse:
    """An error no use case declared: logged with its traceback, answered without it."""
    log.error(
        "REST API error",
        exc_info=exc,
        extra={"path": request.url.path, "method": request.method},
    )
    return problem_response(500, "CCMS could not complete this request; the error is logged.")


class ProblemRoute(APIRoute):
    """Every route answers problem+json, even for an error nobody expected (a Starlette
    handler for Exception would answer, then raise it again into the server)."""

    def get_route_handler(self) -> Callable[[Request], Coroutine[Any, Any, Response]]:
        handler = super().get_route_handler()

        async def handle(request: Request) -> Response:
            try:
                return await handler(request)
            except Exception as exc:
                if isinstance(exc, (StarletteHTTPException, RequestValidationError, Problem)):
                    raise
                if _status_of(exc) is not None:
                    raise
                return unexpected(request, exc)

        return handle


PROBLEM_SCHEMA: dict[str, Any] = {
    "type": "object",
    "description": "RFC 9457 problem details",
    "required": ["type", "title", "status", "detail"],
    "properties": {
        "type": {"type": "string"},
        "title": {"type": "string"},
        "status": {"type": "integer"},
        "detail": {"type": "string"},
        "code": {
            "type": "string",
            "description": "A domain error's code: the English message its detail words",
        },
        "params": {
            "type": "object",
            "description": "The values the code names ({name} in it)",
            "additionalProperties": {"type": "string"},
        },
        "errors": {
            "type": "array",
            "items": {
                "type": "object",
                "required": ["location", "field", "detail"],
                "properties": {
                    "location": {"type": "string", "enum": ["body", "query", "path", "header"]},
                    "field": {"type": "string"},
                    "detail": {"type": "string"},
                },
            },
        },
    },
}
DOCUMENTED = {
    "400": "Not a valid request for this resource (e.g. a cursor of another list)",
    "401": "No API key, or an unknown or revoked one",
    "403": "The key's role does not allow this",
    "404": "Not found in the key's organisation scope",
    "409": "Refused because of the object's state (e.g. still in use)",
    "422": "Invalid input: one entry per field in `errors`; nothing was saved",
}


def document(schema: dict[str, Any]) -> dict[str, Any]:
    """Every operation documents the problems it may answer, as problem+json (FastAPI's
    own 422 schema describes a body this API never sends)."""
    components = schema.setdefault("components", {}).setdefault("schemas", {})
    for unused in ("HTTPValidationError", "ValidationError"):
        components.pop(unused, None)
    components["Problem"] = PROBLEM_SCHEMA
    reference = {"$ref": "#/components/schemas/Problem"}
    for operations in schema.get("paths", {}).values():
        for operation in operations.values():
            responses = operation.setdefault("responses", {})
            for status, description in DOCUMENTED.items():
                responses[status] = {
                    "description": description,
                    "content": {MEDIA_TYPE: {"schema": reference}},
                }
    return schema


def install(app: FastAPI) -> None:
    """The handlers, once every route module has registered its errors."""
    app.add_exception_handler(Problem, _problem)
    app.add_exception_handler(RequestValidationError, _invalid_request)
    app.add_exception_handler(StarletteHTTPException, _http_error)
    for error_class in PROBLEM_STATUS:
        app.add_exception_handler(error_class, _use_case_error)
