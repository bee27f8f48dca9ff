"""Reads in the contract as the HTTP edge serves them: the ETag of every cacheable GET, its
If-None-Match parameter and its 304, and a HEAD beside every GET (app/http/head.py).

A GET is cacheable when HttpCacheMiddleware covers its path (app/http/edge.py installs it with
the API prefix) and the route does not declare `not_cached` (app/dependencies.NOT_CACHED): the
same two facts that decide at run time whether an answer carries an ETag.
"""

from collections.abc import Callable, Iterator
from copy import deepcopy
from typing import Any

from fastapi import FastAPI
from fastapi.dependencies.models import Dependant
from fastapi.routing import RouteContext

from app.dependencies import not_cached
from app.http.caching import HttpCacheMiddleware

ETAG_HEADER: dict[str, Any] = {
    "description": "Identifies this representation: the data revision, the release serving it "
    "and what selected it. Send it back in `If-None-Match`.",
    "schema": {"type": "string", "pattern": '^"[^"]*"$'},
}
CACHE_CONTROL_HEADER: dict[str, Any] = {
    "description": "`public, max-age=60` for anonymous callers, `private, no-cache` with "
    "credentials.",
    "schema": {"type": "string"},
}
IF_NONE_MATCH: dict[str, Any] = {
    "name": "If-None-Match",
    "in": "header",
    "required": False,
    "description": "ETags of representations the caller holds (or `*`): when one is current, "
    "the answer is 304 without a body.",
    "schema": {"type": "string"},
}
NOT_MODIFIED: dict[str, Any] = {
    "description": "Not modified: the representation named in `If-None-Match` is current; no body.",
    "headers": {"ETag": ETAG_HEADER, "Cache-Control": CACHE_CONTROL_HEADER},
}


def cacheable_paths(app: FastAPI) -> Callable[[str], bool]:
    """Whether the caching layer, as this app installed it, covers a path."""
    for middleware in app.user_middleware:
        factory: object = middleware.cls
        if factory is HttpCacheMiddleware:
            options: dict[str, Any] = dict(middleware.kwargs)
            prefixes = tuple(options["prefixes"])
            exact = frozenset(options.get("exact_paths", ()))
            return lambda path: path in exact or path.startswith(prefixes)
    return lambda path: False


def _calls(dependant: Dependant) -> Iterator[Any]:
    for dependency in dependant.dependencies:
        yield dependency.call
        yield from _calls(dependency)


def is_cacheable(route: RouteContext, method: str, covered: Callable[[str], bool]) -> bool:
    """A GET the caching layer covers, on a route that does not declare itself `not_cached`."""
    return (
        method == "GET"
        and covered(route.path_format or "")
        and not any(call is not_cached for call in _calls(route.dependant))
    )


def document_conditional(operation: dict[str, Any]) -> None:
    """ETag and Cache-Control on the 200, the If-None-Match parameter and the 304."""
    responses: dict[str, Any] = operation["responses"]
    success = responses.get("200")
    if success is not None:
        headers = success.setdefault("headers", {})
        headers["ETag"] = deepcopy(ETAG_HEADER)
        headers["Cache-Control"] = deepcopy(CACHE_CONTROL_HEADER)
    parameters: list[dict[str, Any]] = operation.setdefault("parameters", [])
    if not any(parameter["name"] == IF_NONE_MATCH["name"] for parameter in parameters):
        parameters.append(deepcopy(IF_NONE_MATCH))
    responses["304"] = deepcopy(NOT_MODIFIED)


def document_head(paths: dict[str, Any]) -> None:
    """A HEAD beside every GET: its parameters, statuses and headers, without bodies."""
    for item in paths.values():
        get = item.get("get")
        if get is None:
            continue
        head = deepcopy(get)
        name: str = get["operationId"]
        head["operationId"] = f"head{name[0].upper()}{name[1:]}"
        head["summary"] = f"{get['summary']} (headers only)"
        for response in head["responses"].values():
            response.pop("content", None)
        item["head"] = head
