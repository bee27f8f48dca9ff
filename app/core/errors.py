"""Domain errors carrying their HTTP status, rendered as RFC 9457 problem+json by one installer."""

import logging
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass
from http import HTTPStatus
from typing import Any, ClassVar

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from fastapi.routing import iter_route_contexts
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.routing import Match

from app.core.outages import OUTAGE_TYPES, is_database_outage

PROBLEM_MEDIA_TYPE = "application/problem+json"
PROBLEM_TYPE_BASE = "https://par-index.example/problems/"
# Set on request.state when a request met a database outage; counted by app/http/metrics.py.
DATABASE_UNAVAILABLE = "database_unavailable"

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class Problem:
    """One thing wrong with the input: where (a path of keys, or sheet/row/column) and why."""

    loc: Sequence[str | int]
    msg: str

    def as_dict(self) -> dict[str, Any]:
        return {"loc": list(self.loc), "msg": self.msg}


class ServiceError(Exception):
    status: ClassVar[int] = 400
    title: ClassVar[str] = "Bad request"
    slug: ClassVar[str] = "bad-request"

    def __init__(self, detail: str, *, errors: Sequence[Problem] = ()) -> None:
        super().__init__(detail)
        self.detail = detail
        self.errors = list(errors)
        # RFC 9457 extension members a kind of error adds to its document.
        self.extensions: dict[str, Any] = {}


class NotFound(ServiceError):
    status = 404
    title = "Not found"
    slug = "not-found"


class Conflict(ServiceError):
    status = 409
    title = "Conflict"
    slug = "conflict"


class InvalidInput(ServiceError):
    status = 422
    title = "Invalid input"
    slug = "invalid-input"


class YearFrozen(Conflict):
    title = "Year is published"
    slug = "year-frozen"


def problem_response(
    *,
    status: int,
    title: str,
    detail: str,
    slug: str,
    errors: Sequence[Problem] = (),
    headers: dict[str, str] | None = None,
    extensions: dict[str, Any] | None = None,
) -> JSONResponse:
    body: dict[str, Any] = {
        "type": PROBLEM_TYPE_BASE + slug,
        "title": title,
        "status": status,
        "detail": detail,
    }
    if errors:
        body["errors"] = [error.as_dict() for error in errors]
    body.update(extensions or {})
    return JSONResponse(body, status_code=status, media_type=PROBLEM_MEDIA_TYPE, headers=headers)


async def _service_error(_request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, ServiceError)
    return problem_response(
        status=exc.status,
        title=exc.title,
        detail=exc.detail,
        slug=exc.slug,
        errors=exc.errors,
        extensions=exc.extensions,
    )


async def _validation_error(_request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, RequestValidationError)
    if isinstance(exc.body, bytes) and exc.body:
        # FastAPI passes a body it did not read as JSON (another Content-Type, or none) on to
        # validation as raw bytes: the media type is what is wrong, not the fields.
        return problem_response(
            status=415,
            title="Unsupported media type",
            detail="Send the request body as application/json.",
            slug="unsupported-media-type",
        )
    errors = [
        Problem(loc=[p if isinstance(p, int) else str(p) for p in error["loc"]], msg=error["msg"])
        for error in exc.errors()
    ]
    return problem_response(
        status=422,
        title="Invalid request",
        detail=f"{len(errors)} problem(s) in the request; see errors.",
        slug="invalid-request",
        errors=errors,
    )


def allowed_methods(request: Request) -> list[str]:
    """Every method the routes at this path serve; Starlette's 405 names only the first route's
    (`GET /units` and `POST /units` are two routes), but `Allow` must list them all."""
    methods: set[str] = set()
    for route in iter_route_contexts(request.app.routes):
        match, _ = route.matches(request.scope)
        if match is not Match.NONE and route.methods:
            methods |= route.methods
    return sorted(methods)


async def _http_error(request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, StarletteHTTPException)
    phrase = HTTPStatus(exc.status_code).phrase
    detail = exc.detail if isinstance(exc.detail, str) else phrase
    headers = dict(exc.headers) if exc.headers else {}
    if exc.status_code == HTTPStatus.METHOD_NOT_ALLOWED:
        headers["Allow"] = ", ".join(allowed_methods(request)) or headers.get("Allow", "")
    return problem_response(
        status=exc.status_code,
        title=phrase,
        detail=detail,
        slug=phrase.lower().replace(" ", "-"),
        headers=headers or None,
    )


async def _unexpected_error(request: Request, exc: Exception) -> JSONResponse:
    # Last resort: log the traceback, never leak it.
    logger.exception("unhandled error on %s %s", request.method, request.url.path, exc_info=exc)
    return problem_response(
        status=500,
        title="Internal server error",
        detail="The server failed to answer; the error has been logged.",
        slug="internal-error",
    )


def _database_unavailable(
    retry_after_s: int,
) -> Callable[[Request, Exception], Awaitable[JSONResponse]]:
    async def database_unavailable(request: Request, exc: Exception) -> JSONResponse:
        if not is_database_outage(exc):
            raise exc  # a bug, not an outage: the last-resort handler logs it and answers 500
        # The error's text may hold the database URL: name its type only.
        logger.warning(
            "database unavailable on %s %s (%s)",
            request.method,
            request.url.path,
            type(exc).__name__,
        )
        setattr(request.state, DATABASE_UNAVAILABLE, True)
        return problem_response(
            status=503,
            title="Database unavailable",
            detail=f"The database cannot be reached; retry in {retry_after_s} s.",
            slug="database-unavailable",
            headers={"Retry-After": str(retry_after_s), "Cache-Control": "no-store"},
        )

    return database_unavailable


def install_error_handlers(app: FastAPI, *, database_retry_after_s: int) -> None:
    app.add_exception_handler(ServiceError, _service_error)
    app.add_exception_handler(RequestValidationError, _validation_error)
    app.add_exception_handler(StarletteHTTPException, _http_error)
    database_unavailable = _database_unavailable(database_retry_after_s)
    for outage_type in OUTAGE_TYPES:
        app.add_exception_handler(outage_type, database_unavailable)
    app.add_exception_handler(Exception, _unexpected_error)
