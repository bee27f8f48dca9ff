"""Request ids and structured logs: one JSON object per line, one access line per request.

Every request gets an id: the caller's `X-Request-ID` when it is a plain token, else a fresh one.
It is echoed in the response, kept in a context variable so every log record written while the
request runs carries it, and stored in `request.state.request_id`.

Secrets are never logged: the access line holds the path without the query (the query goes to
its own field with key/token values redacted), no header is logged, and the formatters redact
`Authorization`, `X-API-Key` and `Cookie` values and `…key=`/`…token=` parameters from any text
that reaches them.
"""

import itertools
import logging
import os
import re
import sys
import time
from collections.abc import Mapping
from contextvars import ContextVar
from datetime import UTC, datetime
from inspect import isawaitable
from typing import Any, Final, TypeGuard
from urllib.parse import parse_qsl, quote

from fastapi import FastAPI, Request
from pydantic_core import to_json
from starlette.responses import Response
from starlette.types import Scope

from app.core.config import LoggingSettings

REQUEST_ID_HEADER: Final = "X-Request-ID"
ACCESS_LOGGER: Final = "app.access"
REDACTED: Final = "[redacted]"

request_id_var: ContextVar[str | None] = ContextVar("request_id", default=None)

_ACCEPTED_REQUEST_ID = re.compile(r"[A-Za-z0-9._-]{1,128}")
# Field names whose values are never written, whatever they hold.
_SENSITIVE_FIELDS = frozenset(
    {"authorization", "x-api-key", "x_api_key", "api_key", "cookie", "set-cookie", "set_cookie"}
    | {"password", "secret", "token"}
)
_SENSITIVE_PARAMETER = re.compile(r"key|token|secret|password", re.IGNORECASE)
_TEXT_SECRETS = (
    # "Authorization: Bearer …", "'x-api-key': '…'", "Cookie=…" up to the end of a quote or line.
    re.compile(
        r"(?i)\b(authorization|x-api-key|x_api_key|set-cookie|cookie)\b"
        r"(['\"]?\s*[:=]\s*['\"]?)[^'\"\r\n]+"
    ),
    # "?api_key=…", "&token=…", " access_token=…" in URLs and free text.
    re.compile(r"(?i)(^|[?&;\s])([\w.-]*(?:key|token|secret|password)[\w.-]*)=([^&;\s'\"#]+)"),
)
# Attributes every LogRecord has; anything else on a record came through `extra=`.
_RECORD_ATTRIBUTES = frozenset(vars(logging.makeLogRecord({}))) | {
    "message",
    "asctime",
    "request_id",
    "color_message",  # uvicorn's coloured duplicate of msg
}
_HANDLER_MARK = "_par_index_handler"
_PRE_REDACTED = "_pre_redacted"

access_logger = logging.getLogger(ACCESS_LOGGER)


class _RequestIds:
    """New request ids: 32 hex digits, a random half drawn once per process and a counter.

    Unique like a uuid4 across processes and restarts (64 random bits each), at a tenth of its
    cost: a uuid4 asks the kernel for randomness on every request. Ids are not secrets.
    """

    def __init__(self) -> None:
        self.reseed()

    def reseed(self) -> None:
        self._prefix = os.urandom(8).hex()
        self._counter = itertools.count()

    def next(self) -> str:
        return f"{self._prefix}{next(self._counter) & 0xFFFFFFFFFFFFFFFF:016x}"


_request_ids = _RequestIds()
# A forked worker must not repeat its parent's ids.
os.register_at_fork(after_in_child=_request_ids.reseed)


def accepted_request_id(value: str | None) -> str:
    """The caller's id when it is 1-128 of [A-Za-z0-9._-], else a new one of 32 hex digits."""
    if value is not None and _ACCEPTED_REQUEST_ID.fullmatch(value):
        return value
    return _request_ids.next()


def redact_query(query: str) -> str:
    """The query string with the values of key/token/secret/password parameters redacted."""
    return "&".join(
        f"{quote(name, safe='')}="
        + (REDACTED if _SENSITIVE_PARAMETER.search(name) else quote(value, safe=""))
        for name, value in parse_qsl(query, keep_blank_values=True)
    )


def redact_text(text: str) -> str:
    """Free text with credential headers and key/token parameters blanked out."""
    if "=" not in text and ":" not in text:
        return text  # both patterns need one of them: most paths and messages are done here
    header, parameter = _TEXT_SECRETS
    text = header.sub(rf"\1\2{REDACTED}", text)
    return parameter.sub(rf"\1\2={REDACTED}", text)


def redact_value(name: str, value: Any) -> Any:
    if name.lower() in _SENSITIVE_FIELDS:
        return REDACTED
    if isinstance(value, str):
        return redact_text(value)
    if isinstance(value, Mapping):
        return {str(key): redact_value(str(key), item) for key, item in value.items()}
    return value


class _Timestamps:
    """ISO 8601 UTC times to the millisecond; the date and time part worked out once a second."""

    def __init__(self) -> None:
        self._second = -1
        self._prefix = ""

    def format(self, created: float) -> str:
        second = int(created)
        micros = round((created - second) * 1_000_000)
        if micros >= 1_000_000:  # rounds up into the next second: let datetime carry it
            return datetime.fromtimestamp(created, UTC).isoformat(timespec="milliseconds")
        if second != self._second:
            self._prefix = datetime.fromtimestamp(second, UTC).strftime("%Y-%m-%dT%H:%M:%S")
            self._second = second
        return f"{self._prefix}.{micros // 1000:03d}+00:00"


class JsonFormatter(logging.Formatter):
    """One JSON object per line: ts, level, logger, msg, request_id, then any `extra` fields."""

    def __init__(self) -> None:
        super().__init__()
        self._timestamps = _Timestamps()

    def format(self, record: logging.LogRecord) -> str:
        # Access lines come redacted already, their fields listed (log_access).
        fields: dict[str, Any] | None = getattr(record, _PRE_REDACTED, None)
        message = record.getMessage()
        payload = self._head(
            record.created,
            record.levelname,
            record.name,
            message if fields is not None else redact_text(message),
            getattr(record, "request_id", None) or request_id_var.get(),
        )
        if fields is not None:
            payload.update(fields)
        else:
            for name, value in vars(record).items():
                if name not in _RECORD_ATTRIBUTES and not name.startswith("_"):
                    payload[name] = redact_value(name, value)
        if record.exc_info:
            payload["exc_info"] = redact_text(self.formatException(record.exc_info))
        if record.stack_info:
            payload["stack_info"] = redact_text(self.formatStack(record.stack_info))
        return _json_line(payload)

    def access_line(self, message: str, fields: dict[str, Any]) -> str:
        """The line `format` writes for log_access's record, made without the record."""
        payload = self._head(time.time(), "INFO", ACCESS_LOGGER, message, request_id_var.get())
        payload.update(fields)
        return _json_line(payload)

    def _head(
        self, created: float, level: str, logger: str, message: str, request_id: str | None
    ) -> dict[str, Any]:
        """The fields every line starts with, in this order."""
        return {
            "ts": self._timestamps.format(created),
            "level": level,
            "logger": logger,
            "msg": message,
            "request_id": request_id,
        }


def _json_line(payload: dict[str, Any]) -> str:
    # pydantic_core's encoder writes a line in a fifth of json.dumps's time, and every request
    # writes one; anything it cannot encode is written as str().
    return to_json(payload, fallback=str).decode()


class TextFormatter(logging.Formatter):
    """Plain lines for a developer's terminal, redacted like the JSON ones."""

    def __init__(self) -> None:
        super().__init__("%(asctime)s %(levelname)s %(name)s [%(request_id)s] %(message)s")

    def format(self, record: logging.LogRecord) -> str:
        return redact_text(super().format(record))


class RequestIdFilter(logging.Filter):
    """Gives every record the id of the request being served (None outside a request)."""

    def filter(self, record: logging.LogRecord) -> bool:
        if getattr(record, "request_id", None) is None:
            record.request_id = request_id_var.get()
        return True


class _StdoutHandler(logging.StreamHandler):  # type: ignore[type-arg]
    """Writes to whatever sys.stdout is now (test runners swap it), not the one at setup."""

    def emit(self, record: logging.LogRecord) -> None:
        self.stream = sys.stdout
        super().emit(record)

    def write_line(self, line: str) -> bool:
        """A line made already, written as `emit` writes one; False if it could not be."""
        with self.lock:  # type: ignore[union-attr]  # Handler.__init__ creates it
            try:
                self.stream = sys.stdout
                self.stream.write(line + self.terminator)
                self.stream.flush()
            except Exception:  # the logging path reports it (handleError)
                return False
        return True


def _direct_handler() -> _StdoutHandler | None:
    """The service's JSON handler when it is the only one an access line would reach, and
    nothing filters it on the way but the request-id filter; else None.

    Through `Logger.info` (a record, the extra fields copied onto it, the handler chain) an
    access line was a third of a warm 304's time in the running server, about 40 µs; written
    directly it takes about half that (bench/README.md, 2026-12-06 00:35). Where the
    service's own handler is the only one, the line is written to it; any other handler (a
    test's, an operator's) puts every line back on the logging path."""
    logger: logging.Logger | None = access_logger
    found: _StdoutHandler | None = None
    while logger is not None:
        if logger.filters:
            return None
        for handler in logger.handlers:
            if found is not None or not _writes_json_directly(handler):
                return None
            found = handler
        if not logger.propagate:
            break
        logger = logger.parent
    return found


def _writes_json_directly(handler: logging.Handler) -> TypeGuard[_StdoutHandler]:
    return (
        type(handler) is _StdoutHandler
        and type(handler.formatter) is JsonFormatter
        and handler.level <= logging.INFO
        and all(type(found) is RequestIdFilter for found in handler.filters)
    )


def configure_logging(settings: LoggingSettings) -> None:
    """Route all logging (uvicorn's too) to one stdout handler; safe to call again."""
    root = logging.getLogger()
    for handler in [h for h in root.handlers if getattr(h, _HANDLER_MARK, False)]:
        root.removeHandler(handler)
    handler = _StdoutHandler()
    setattr(handler, _HANDLER_MARK, True)
    handler.addFilter(RequestIdFilter())
    handler.setFormatter(JsonFormatter() if settings.json_lines else TextFormatter())
    root.addHandler(handler)
    root.setLevel(settings.level)
    # Neither formatter writes the caller's file and line, thread or process: the logging
    # HOWTO's "Optimization" settings skip collecting them, a third of an access line's cost.
    logging._srcfile = None
    logging.logThreads = False
    logging.logProcesses = False
    logging.logMultiprocessing = False
    # uvicorn installs its own plain handlers before it builds the app; send its lines here.
    for name in ("uvicorn", "uvicorn.error"):
        logger = logging.getLogger(name)
        logger.handlers.clear()
        logger.propagate = True


def add_request_id_to_error_responses(app: FastAPI) -> None:
    """Put X-Request-ID on the 500 answer of an unhandled error too.

    Starlette sends that answer from its outermost middleware, outside this edge, so the
    installed `Exception` handler (app.core.errors) is wrapped instead. Call after it is installed.
    """
    handler = app.exception_handlers.get(Exception)
    if handler is None:
        return

    async def with_request_id(request: Request, exc: Exception) -> Response:
        result = handler(request, exc)
        response = await result if isawaitable(result) else result
        request_id = request_id_var.get()
        if request_id is not None:
            response.headers[REQUEST_ID_HEADER] = request_id
        return response

    app.add_exception_handler(Exception, with_request_id)


def log_access(scope: Scope, status: int, elapsed_s: float) -> None:
    """One access line: method, path, status and duration; the query with secrets redacted."""
    if not access_logger.isEnabledFor(logging.INFO):
        return
    duration_ms = round(elapsed_s * 1000, 2)
    client = scope.get("client")
    # Redacted here, field by field, so the formatter need not scan every value again: only
    # the path and the query are the caller's text; the method is checked by the server.
    path = redact_text(scope["path"])
    fields: dict[str, Any] = {
        "method": scope["method"],
        "path": path,
        "status": status,
        "duration_ms": duration_ms,
        "client": client[0] if client else None,
    }
    query = scope.get("query_string", b"").decode("latin-1")
    if query:
        fields["query"] = redact_query(query)
    message = f"{scope['method']} {path} {status} {duration_ms:.2f} ms"
    handler = _direct_handler()
    if handler is not None:
        formatter: JsonFormatter = handler.formatter  # type: ignore[assignment]
        if handler.write_line(formatter.access_line(message, fields)):
            return
    # The fields go on the record one by one too, for any other handler that reads them there.
    extra = {**fields, _PRE_REDACTED: fields}
    access_logger.info("%s %s %s %.2f ms", scope["method"], path, status, duration_ms, extra=extra)
