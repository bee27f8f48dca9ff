"""The OpenAPI document as a contract: tags, one problem schema for every error, and the statuses
the HTTP edge, the caller checks and outages add (400, 401, 403, 413, 415, 429, 503), stated on
each operation."""

import json
from collections.abc import Iterator
from typing import Any

from fastapi import FastAPI
from fastapi.dependencies.models import Dependant
from fastapi.routing import APIRoute, RouteContext, iter_route_contexts
from pydantic import BaseModel

from app.core.config import Settings
from app.core.errors import PROBLEM_MEDIA_TYPE
from app.dependencies import ROLE_CHECKS, get_principal
from app.http.edge import NOT_RATE_LIMITED
from app.openapi_conditional import (
    cacheable_paths,
    document_conditional,
    document_head,
    is_cacheable,
)
from app.schemas.problems import ProblemRead

COMPONENTS_REF = "#/components/schemas/{model}"
PROBLEM_REF = COMPONENTS_REF.format(model=ProblemRead.__name__)
# FastAPI's own 422 body; this API answers every error with ProblemRead instead.
FASTAPI_VALIDATION_SCHEMAS = ("HTTPValidationError", "ValidationError")

DESCRIPTION = """\
Administrative reform index results (Chỉ số cải cách hành chính, PAR Index) of Lam Dong
province: units and their groups, lineage across years, each year's criteria tree, leaf scores,
and the results exactly as published, with rankings, breakdowns and improvement lists.

- **Errors** are RFC 9457 `application/problem+json` documents (`ProblemRead`); a 422 lists
  every problem in `errors`. Each problem `type` is a page of this service, `/problems/<slug>`,
  saying what the problem means and how to fix it (Vietnamese or English; JSON on request);
  `/problems` lists them all.
- **Scores and indices** travel as decimal strings, never binary floats: scores, totals and
  maxima with two decimals (more, up to four, only where a leaf was scored more finely),
  indices and percentages with exactly two (`"87.21"`), group means with exactly four.
- **Auth**: `Authorization: Bearer <key>` or `X-API-Key: <key>`, never both (400). Anonymous
  callers read published years; writes name the role they need (reader < editor < publisher <
  admin).
- **Rate limits**: anonymous reads per client IP, writes per API key; over the limit the answer
  is 429 with `Retry-After`.
- **Language**: `Accept-Language: vi` (default) or `en` chooses the primary `name`.
- **Conditional reads**: every read that answers an `ETag` takes it back in `If-None-Match`
  and answers 304 without a body while it is current; `HEAD` is answered wherever `GET` is,
  with the GET's status and headers (its `Content-Length` included) and no body.
"""

TAGS: list[dict[str, str]] = [
    {"name": "health", "description": "Liveness and readiness probes; never rate limited."},
    {
        "name": "units",
        "description": "Unit groups, units (search ignores case and Vietnamese diacritics) and "
        "their lineage: mergers, splits, renames and transfers.",
    },
    {
        "name": "years",
        "description": "Assessment years: drafts until published, then frozen; changes to a "
        "published year are corrections that open a new revision.",
    },
    {
        "name": "criteria",
        "description": "Each year's criteria tree and bands per unit group, replaced whole.",
    },
    {"name": "scores", "description": "A unit's leaf scores for a year, replaced whole."},
    {
        "name": "rankings",
        "description": "A group's ranking: standard competition ranking on the index rounded "
        "half-up to two decimals, with the previous year followed through lineage.",
    },
    {
        "name": "breakdowns",
        "description": "A unit's criteria tree with its points, the group mean and best, and its "
        "rank on every node.",
    },
    {
        "name": "improvements",
        "description": "Where a unit or a group loses the most points, and what the next rank "
        "needs.",
    },
    {"name": "history", "description": "A unit's results over the years, predecessors included."},
    {
        "name": "exports",
        "description": "A year's leaf scores as CSV or XLSX in the layout the importer reads.",
    },
    {
        "name": "open data",
        "description": "Everything published for a year in one download, as JSON or a ZIP of CSV "
        "files; draft years are never dumped.",
    },
    {
        "name": "imports",
        "description": "Whole-year imports of scores, criteria or published results from CSV, "
        "XLSX or JSON files: all or nothing, every attempt recorded.",
    },
    {
        "name": "publication",
        "description": "Publishing a year (revision 1) and its later corrections (revisions).",
    },
    {"name": "audit", "description": "Who changed what and when, newest first (editors)."},
    {"name": "keys", "description": "API keys and their roles (admins only)."},
    {
        "name": "webhooks",
        "description": "Receivers told when a year is published or corrected, with signed, "
        "retried deliveries (admins only).",
    },
]

# Statuses that any operation of a kind can answer, whatever its router declares.
EDGE_PROBLEMS: dict[str, str] = {
    "400": "The body could not be read as text (e.g. it is not UTF-8).",
    "401": "No API key was sent where one is needed, or the key is unknown or revoked.",
    "403": "The API key's role does not allow this.",
    "413": "The request body is larger than the configured limit.",
    "415": "The body is not sent as `application/json`.",
    "422": "The request is not valid; `errors` lists every problem.",
    "429": "Too many requests in this minute; retry after `Retry-After` seconds.",
    "503": "The database cannot be reached; retry after `Retry-After` seconds.",
}
TWO_CREDENTIALS = (
    "More than one credential header was sent (`Authorization` and `X-API-Key`): send one."
)
RETRY_AFTER = {
    "Retry-After": {
        "description": "Seconds until the rate-limit window ends.",
        "schema": {"type": "integer", "minimum": 1},
    }
}
RETRY_AFTER_OUTAGE = {
    "Retry-After": {
        "description": "Seconds to wait before trying again.",
        "schema": {"type": "integer", "minimum": 1},
    }
}


def _dependencies(dependant: Dependant) -> Iterator[Dependant]:
    for dependency in dependant.dependencies:
        yield dependency
        yield from _dependencies(dependency)


def _problem_content() -> dict[str, Any]:
    return {PROBLEM_MEDIA_TYPE: {"schema": {"$ref": PROBLEM_REF}}}


def _add_problem(responses: dict[str, Any], status: str, description: str | None = None) -> None:
    """Document `status`; a second reason for the same status is added to its description."""
    text = description or EDGE_PROBLEMS[status]
    response = responses.setdefault(status, {"description": text})
    if text not in response["description"]:
        response["description"] = f"{response['description']} {text}"


def _document_route(route: RouteContext, operation: dict[str, Any], *, anonymous: bool) -> None:
    """States what the route's dependencies and the HTTP edge make it answer."""
    responses: dict[str, Any] = operation["responses"]
    calls = [dependency.call for dependency in _dependencies(route.dependant)]
    authenticated = get_principal in calls
    role_checked = any(call in ROLE_CHECKS for call in calls)
    if authenticated:
        _add_problem(responses, "401")
        _add_problem(responses, "400", TWO_CREDENTIALS)
        # Authentication reads the keys from the database, so every such operation may meet
        # an outage.
        _add_problem(responses, "503")
        responses["503"]["headers"] = RETRY_AFTER_OUTAGE
        if anonymous and not role_checked:
            # Anonymous callers read published years, unless the settings turn that off: the
            # operation takes the document's optional security (see _optional_security).
            del operation["security"]
    if role_checked:
        _add_problem(responses, "403")
    body = operation.get("requestBody")
    if body is not None:
        _add_problem(responses, "413")
        if "application/json" in body.get("content", {}):
            _add_problem(responses, "400")
            _add_problem(responses, "415")
    if route.path_format not in NOT_RATE_LIMITED:
        _add_problem(responses, "429")
        responses["429"]["headers"] = RETRY_AFTER
    if "422" in responses:
        responses["422"]["description"] = EDGE_PROBLEMS["422"]
    for status, response in responses.items():
        if status[0] in "45":
            response["content"] = _problem_content()
    operation["responses"] = dict(sorted(responses.items()))


def _optional_security(document: dict[str, Any], *, anonymous: bool) -> None:
    """Anonymous-capable operations state no security of their own and inherit the document's,
    `[{}, {"HTTPBearer": []}, {"APIKeyHeader": []}]`: a key is optional. Said on the operation
    instead, generators that test only whether an operation lists security
    (openapi-python-client's `bool(operation.security)`) would demand an authenticated client.
    Operations that take no key at all (the probes) say so with `security: []`."""
    schemes = document.get("components", {}).get("securitySchemes", {})
    if not anonymous or not schemes:
        return
    document["security"] = [{}, *({name: []} for name in sorted(schemes))]
    for operations in document["paths"].values():
        for operation in operations.values():
            # Operations refused to anonymous callers keep their own list (without `{}`).
            if "security" not in operation and "401" not in operation["responses"]:
                operation["security"] = []


def _models(base: type[BaseModel] = BaseModel) -> Iterator[type[BaseModel]]:
    for model in base.__subclasses__():
        if model.__module__.startswith("app."):
            yield model
        yield from _models(model)


def _restore_examples(schemas: dict[str, Any]) -> None:
    """Puts back the nulls in the models' examples.

    FastAPI encodes its document with `exclude_none`, which also drops `null` values inside
    examples, so an example of a required nullable field would lose it and no longer validate.
    """
    models = {model.__name__: model for model in _models()}
    for name, schema in schemas.items():
        model = models.get(name)
        if model is not None and "examples" in schema:
            schema["examples"] = model.model_json_schema(mode="serialization")["examples"]


def _problem_components() -> dict[str, Any]:
    schema = ProblemRead.model_json_schema(ref_template=COMPONENTS_REF)
    definitions: dict[str, Any] = schema.pop("$defs", {})
    return {**definitions, ProblemRead.__name__: schema}


def polish(document: dict[str, Any], app: FastAPI) -> dict[str, Any]:
    """FastAPI's document, with every error as ProblemRead and every status it can answer."""
    settings: Settings = app.state.settings
    covered = cacheable_paths(app)
    for route in iter_route_contexts(app.routes):
        if not isinstance(route.original_route, APIRoute) or not route.include_in_schema:
            continue
        for method in route.methods or ():
            operation = document["paths"].get(route.path_format, {}).get(method.lower())
            if operation is not None:
                if is_cacheable(route, method, covered):
                    document_conditional(operation)
                _document_route(route, operation, anonymous=settings.auth.anonymous_read)
    _optional_security(document, anonymous=settings.auth.anonymous_read)
    document_head(document["paths"])
    schemas: dict[str, Any] = document.setdefault("components", {}).setdefault("schemas", {})
    for name in FASTAPI_VALIDATION_SCHEMAS:
        schemas.pop(name, None)
    schemas.update(_problem_components())
    _restore_examples(schemas)
    document["components"]["schemas"] = dict(sorted(schemas.items()))
    return document


def install_openapi(app: FastAPI) -> None:
    """Tags, description, and the polished document served at /openapi.json."""
    app.openapi_tags = TAGS
    app.description = DESCRIPTION
    settings: Settings = app.state.settings
    app.servers = [{"url": settings.public_root, "description": "This service (`APP_PUBLIC_URL`)."}]
    generate = app.openapi
    polished: list[dict[str, Any]] = []

    def openapi() -> dict[str, Any]:
        # FastAPI caches its document and builds a new one when routes are added.
        document = generate()
        if not polished or polished[0] is not document:
            polished[:] = [polish(document, app)]
        return document

    app.openapi = openapi  # type: ignore[method-assign]


def render(document: dict[str, Any]) -> str:
    """The committed form of openapi.json: sorted keys, two-space indent, final newline."""
    return json.dumps(document, indent=2, sort_keys=True, ensure_ascii=False) + "\n"
