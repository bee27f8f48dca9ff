"""The pages that problem `type` URIs name: what each problem means and how to fix it.

Vietnamese by default, English with `?lang=en` or `Accept-Language` (as every problem is worded);
HTML for people, JSON for a client that asks for `application/json`. The texts are the
catalogue's: the title every problem of the kind carries (`problem.<slug>`) and its
explanation (`problem-help.<slug>.meaning`, `.fix`).
"""

import re
from collections.abc import Callable
from dataclasses import asdict, dataclass
from typing import Final

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, JSONResponse, Response

from app.core.errors import PROBLEMS_PATH, NotFound, problem_slugs, problem_type, request_language
from app.core.i18n import Language
from app.core.messages import message, say
from app.core.negotiation import best_offer
from app.pages.templating import render
from app.pages.text import Texts

PROBLEMS_EXACT: Final = (PROBLEMS_PATH,)
PROBLEMS_PREFIX: Final = f"{PROBLEMS_PATH}/"
# What the pages answer in; anything else (a browser's */*) gets the HTML.
_FORMATS: Final = {"text/html": "html", "application/json": "json"}
_CODE: Final = re.compile(r"`([^`]+)`")

router = APIRouter(include_in_schema=False)


@dataclass(frozen=True)
class ProblemHelp:
    """One problem type in one language."""

    slug: str
    type: str
    title: str
    meaning: str
    fix: str


def problem_help(request: Request, slug: str, language: Language) -> ProblemHelp:
    return ProblemHelp(
        slug=slug,
        type=problem_type(request.scope, slug),
        title=say(language, f"problem.{slug}"),
        meaning=say(language, f"problem-help.{slug}.meaning"),
        fix=say(language, f"problem-help.{slug}.fix"),
    )


def text_parts(text: str) -> list[tuple[bool, str]]:
    """The catalogue marks header and parameter names with backticks: (is code, text) pieces,
    so the template shows them as code and still escapes everything."""
    pieces = _CODE.split(text)
    return [(index % 2 == 1, piece) for index, piece in enumerate(pieces) if piece]


def _wants_json(request: Request) -> bool:
    return best_offer(request.headers.get("accept"), _FORMATS) == "json"


def _link(language: Language) -> Callable[[str], str]:
    return lambda path: f"{path}?lang={language}"


def _answer(
    request: Request, language: Language, json_body: object, template: str, **view: object
) -> Response:
    headers = {"Content-Language": language, "Vary": "Accept, Accept-Language"}
    if _wants_json(request):
        return JSONResponse(json_body, headers=headers)
    path = request.url.path
    other: Language = "en" if language == "vi" else "vi"
    html = render(
        template,
        t=Texts(language),
        lang=language,
        link=_link(language),
        switch_href=f"{path}?lang={other}",
        switch_lang=other,
        text_parts=text_parts,
        **view,
    )
    return HTMLResponse(html, headers=headers)


@router.get(PROBLEMS_PATH)
async def list_problems(request: Request) -> Response:
    language = request_language(request)
    problems = [problem_help(request, slug, language) for slug in problem_slugs()]
    body = {"language": language, "problems": [asdict(problem) for problem in problems]}
    return _answer(request, language, body, "problems.html", problems=problems)


@router.get(PROBLEMS_PREFIX + "{slug}")
async def show_problem(request: Request, slug: str) -> Response:
    if slug not in problem_slugs():
        raise NotFound(message("http.unknown-problem-type", slug=slug))
    language = request_language(request)
    problem = problem_help(request, slug, language)
    body = {"language": language, **asdict(problem)}
    return _answer(request, language, body, "problem.html", problem=problem)
