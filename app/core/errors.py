"""Domain errors carrying their HTTP status, rendered as RFC 9457 problem+json by one installer.

Titles and details are catalogue messages (app/core/messages.toml), worded in the language of
the request (`?lang=`, else Accept-Language, else Vietnamese) only when the problem is rendered;
`type`, `status` and the `loc` of each error stay the same in every language.
"""

import logging
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass
from functools import cache
from http import HTTPStatus
from typing import Any, ClassVar

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from fastapi.routing import iter_route_contexts
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.routing import Match
from starlette.types import Scope

from app.core.config import DEFAULT_PUBLIC_URL, Settings
from app.core.i18n import DEFAULT_LANGUAGE, Language, chosen_language
from app.core.messages import Message, catalogue, has_message, message
from app.core.outages import OUTAGE_TYPES, is_database_outage
from app.core.validation_messages import validation_message

PROBLEM_MEDIA_TYPE = "application/problem+json"
PROBLEMS_PATH = "/problems"
# Set on request.state when a request met a database outage; counted by app/http/metrics.py.
DATABASE_UNAVAILABLE = "database_unavailable"

logger = logging.getLogger(__name__)


def problem_title(slug: str) -> Message:
    """One title per problem type (RFC 9457 §3.1.3: the same for every occurrence)."""
    return message(f"problem.{slug}")


def has_title(slug: str) -> bool:
    return has_message(f"problem.{slug}")


@dataclass(frozen=True)
class Problem:
    """One thing wrong with the input: where (a path of keys, or sheet/row/column) and why."""

    loc: Sequence[str | int]
    msg: Message

    def as_dict(self, language: Language) -> dict[str, Any]:
        return {"loc": list(self.loc), "msg": self.msg.render(language)}


class ServiceError(Exception):
    status: ClassVar[int] = 400
    slug: ClassVar[str] = "bad-request"

    def __init__(self, detail: Message, *, errors: Sequence[Problem] = ()) -> None:
        super().__init__(detail.render("en"))  # for logs and tracebacks
        self.detail = detail
        self.errors = list(errors)
        # RFC 9457 extension members a kind of error adds to its document.
        self.extensions: dict[str, Any] = {}

    @property
    def title(self) -> Message:
        return problem_title(self.slug)


class NotFound(ServiceError):
    status = 404
    slug = "not-found"


class Conflict(ServiceError):
    status = 409
    slug = "conflict"


class InvalidInput(ServiceError):
    status = 422
    slug = "invalid-input"


class YearFrozen(Conflict):
    slug = "year-frozen"


@cache
def problem_slugs() -> tuple[str, ...]:
    """Every problem type the service names: one title each in the catalogue (`problem.*`)."""
    keys = (key for key in catalogue() if key.startswith("problem."))
    return tuple(sorted(key.removeprefix("problem.") for key in keys))


def problem_type(scope: Scope, slug: str) -> str:
    """The problem's `type`: the page of this service that explains it (app/pages/problems.py),
    under the public URL callers reach the service at."""
    settings: Settings | None = getattr(scope["app"].state, "settings", None)
    root = settings.public_root if settings is not None else DEFAULT_PUBLIC_URL
    return f"{root}{PROBLEMS_PATH}/{slug}"


def request_language(request: Request) -> Language:
    return chosen_language(request.query_params.get("lang"), request.headers.get("accept-language"))


def problem_response(
    *,
    status: int,
    title: Message | str,
    detail: Message | str,
    slug: str,
    scope: Scope,
    errors: Sequence[Problem] = (),
    headers: dict[str, str] | None = None,
    extensions: dict[str, Any] | None = None,
    language: Language = DEFAULT_LANGUAGE,
) -> JSONResponse:
    """A problem+json answer; `title` and `detail` are worded in `language` (a plain string is
    sent as it is, for callers below the catalogue's reach)."""
    body: dict[str, Any] = {
        "type": problem_type(scope, slug),
        "title": _worded(title, language),
        "status": status,
        "detail": _worded(detail, language),
    }
    if errors:
        body["errors"] = [error.as_dict(language) for error in errors]
    body.update(extensions or {})
    headers = {**(headers or {}), "Content-Language": language}
    return JSONResponse(body, status_code=status, media_type=PROBLEM_MEDIA_TYPE, headers=headers)


def _worded(text: Message | str, language: Language) -> str:
    return text if isinstance(text, str) else text.render(language)


def error_response(request: Request, exc: ServiceError) -> JSONResponse:
    return problem_response(
        status=exc.status,
        title=exc.title,
        detail=exc.detail,
        slug=exc.slug,
        errors=exc.errors,
        extensions=exc.extensions,
        language=request_language(request),
        scope=request.scope,
    )


async def _service_error(request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, ServiceError)
    return error_response(request, exc)


async def _validation_error(request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, RequestValidationError)
    if isinstance(exc.body, bytes) and exc.body:
        # FastAPI passes a body it did not read as JSON (another Content-Type, or none) on to
        # validation as raw bytes: the media type is what is wrong, not the fields.
        return problem_response(
            status=415,
            title=problem_title("unsupported-media-type"),
            detail=message("request.send-json"),
            slug="unsupported-media-type",
            language=request_language(request),
            scope=request.scope,
        )
    errors = [
        Problem(
            loc=[p if isinstance(p, int) else str(p) for p in error["loc"]],
            msg=validation_message(error),
        )
        for error in exc.errors()
    ]
    return problem_response(
        status=422,
        title=problem_title("invalid-request"),
        detail=message("request.problems", count=len(errors)),
        slug="invalid-request",
        errors=errors,
        language=request_language(request),
        scope=request.scope,
    )


def allowed_methods(request: Request) -> list[str]:
    """Every method the routes at this path serve; Starlette's 405 names only the first route's
    (`GET /units` and `POST /units` are two routes), but `Allow` must list them all."""
    methods: set[str] = set()
    for route in iter_route_contexts(request.app.routes):
        match, _ = route.matches(request.scope)
        if match is not Match.NONE and route.methods:
            methods |= route.methods
    if "GET" in methods:
        methods.add("HEAD")  # answered wherever GET is (app/http/head.py)
    return sorted(methods)


async def _http_error(request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, StarletteHTTPException)
    phrase = HTTPStatus(exc.status_code).phrase
    slug = phrase.lower().replace(" ", "-")
    headers = dict(exc.headers) if exc.headers else {}
    if exc.status_code == HTTPStatus.METHOD_NOT_ALLOWED:
        headers["Allow"] = ", ".join(allowed_methods(request)) or headers.get("Allow", "")
    return problem_response(
        status=exc.status_code,
        title=problem_title(slug) if has_title(slug) else phrase,
        detail=_http_detail(exc, slug, phrase),
        slug=slug,
        headers=headers or None,
        language=request_language(request),
        scope=request.scope,
    )


class WordedHTTPException(StarletteHTTPException):
    """An HTTP-layer refusal raised inside the app whose detail is a catalogue message, worded
    in the caller's language like every other problem (`detail` keeps the English text)."""

    def __init__(
        self, status_code: int, wording: Message, *, headers: dict[str, str] | None = None
    ) -> None:
        super().__init__(status_code, detail=wording.render("en"), headers=headers)
        self.wording = wording


def problem_language(scope: Scope) -> Language:
    """The language of a problem answered by a middleware, before any route ran."""
    request = Request(scope)
    return chosen_language(request.query_params.get("lang"), request.headers.get("accept-language"))


def _http_detail(exc: StarletteHTTPException, slug: str, phrase: str) -> Message | str:
    """Starlette's own refusals carry the bare phrase: worded from the catalogue. A detail
    written by the code that raised it is kept."""
    if isinstance(exc, WordedHTTPException):
        return exc.wording
    if isinstance(exc.detail, str) and exc.detail != phrase:
        return exc.detail
    return message(f"http.{slug}") if has_message(f"http.{slug}") else phrase


async def _unexpected_error(request: Request, exc: Exception) -> JSONResponse:
    # Last resort: log the traceback, never leak it.
    logger.exception("unhandled error on %s %s", request.method, request.url.path, exc_info=exc)
    return problem_response(
        status=500,
        title=problem_title("internal-error"),
        detail=message("server.failed"),
        slug="internal-error",
        language=request_language(request),
        scope=request.scope,
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
            title=problem_title("database-unavailable"),
            detail=message("database.unavailable", seconds=retry_after_s),
            slug="database-unavailable",
            language=request_language(request),
            scope=request.scope,
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
