"""Documented error responses shared by the routers (RFC 9457 problem+json)."""

from typing import Any

from app.schemas.problems import ProblemRead

Responses = dict[int | str, dict[str, Any]]


def problem(description: str) -> dict[str, Any]:
    return {
        "model": ProblemRead,
        "description": description,
        "content": {"application/problem+json": {}},
    }


NOT_FOUND: Responses = {404: problem("The year, group, unit or criterion does not exist.")}
INVALID: Responses = {422: problem("The input is not valid; `errors` lists every problem.")}
AUTH: Responses = {
    401: problem("No API key was sent where one is needed, or the key is unknown or revoked."),
    403: problem("The API key's role does not allow this."),
}
CONFLICT: Responses = {
    409: problem("The change conflicts with stored data (e.g. a published year).")
}
