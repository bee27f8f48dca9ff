"""Routes of the pages and of their embeddable fragments: HTML, outside the OpenAPI document.

Each page is rendered once per data revision and language and kept in the result cache beside
the API's own results; the HTTP edge gives it the API's ETag and Cache-Control rules.
"""

from collections.abc import Awaitable, Callable
from typing import Annotated, Any, Final, Literal

from fastapi import APIRouter, Depends, Query, Request
from fastapi.responses import HTMLResponse

from app.core.errors import ServiceError
from app.core.i18n import Language
from app.core.messages import message
from app.dependencies import GroupPath, PublicGroupResultsDep, UnitCodePath, YearPath
from app.pages.templating import render
from app.pages.text import Texts
from app.pages.unit_views import UnitPages
from app.services.access.principal import NotAuthenticated

PAGE_EXACT: Final = ("/",)
PAGE_PREFIXES: Final = ("/years/",)
EMBED_PREFIX: Final = "/embed"

router = APIRouter(include_in_schema=False)

LanguageQuery = Annotated[Language, Query(alias="lang", description="`vi` (default) or `en`.")]
RankingSection = Literal["chart", "table"]
UnitSection = Literal["breakdown", "improvements", "history"]
ImprovementSection = Literal["units", "criteria"]
Build = Callable[[Texts], Awaitable[object]]


async def get_pages(results: PublicGroupResultsDep) -> UnitPages:
    return UnitPages(results)


PagesDep = Annotated[UnitPages, Depends(get_pages)]


def _link(language: Language) -> Callable[[str], str]:
    """Links between pages keep the language (Vietnamese needs no parameter)."""
    return lambda path: path if language == "vi" else f"{path}?lang=en"


def _context(request: Request, language: Language, t: Texts) -> dict[str, Any]:
    path = request.url.path
    return {
        "t": t,
        "lang": language,
        "link": _link(language),
        "switch_href": f"{path}?lang=en" if language == "vi" else path,
        "switch_lang": "en" if language == "vi" else "vi",
        "path": path,
        # From a fragment, its page: /embed/years/2024/rankings/department/chart → the ranking.
        "page_href": _link(language)(path.removeprefix(EMBED_PREFIX).rsplit("/", 1)[0]),
    }


def _error_page(request: Request, language: Language, error: ServiceError) -> HTMLResponse:
    t = Texts(language)
    html = render(
        "error.html",
        title=error.title.render(language),
        detail=error.detail.render(language),
        **_context(request, language, t),
    )
    return HTMLResponse(html, status_code=error.status)


async def _respond(
    request: Request,
    pages: UnitPages,
    language: Language,
    build: Build,
    *,
    template: str,
    section: str | None = None,
) -> HTMLResponse:
    """The page from the cache, or built, rendered and cached; a refusal as an HTML page."""
    if not request.app.state.settings.auth.anonymous_read:
        # Pages carry no API key: they exist only while anonymous reading is allowed.
        refusal = NotAuthenticated(message("access.pages-off"))
        return _error_page(request, language, refusal)
    await pages.results.sync()
    key = ("page", request.url.path, language)
    html = pages.results.cache.get(key)
    if not isinstance(html, bytes):
        t = Texts(language)
        try:
            view = await build(t)
        except ServiceError as error:
            return _error_page(request, language, error)
        context = _context(request, language, t)
        # Kept encoded, as the API keeps its JSON: a hit costs no rendering and no encoding.
        html = render(template, view=view, section=section, **context).encode()
        pages.results.keep(key, html)
    return HTMLResponse(html)


@router.get("/", response_class=HTMLResponse)
async def show_home(request: Request, pages: PagesDep, lang: LanguageQuery = "vi") -> HTMLResponse:
    return await _respond(request, pages, lang, lambda t: pages.home(lang), template="home.html")


@router.get("/years/{year}/rankings/{group}", response_class=HTMLResponse)
async def show_ranking(
    request: Request, year: YearPath, group: GroupPath, pages: PagesDep, lang: LanguageQuery = "vi"
) -> HTMLResponse:
    async def build(t: Texts) -> object:
        return await pages.ranking_page(year=year, group=group, language=lang, t=t)

    return await _respond(request, pages, lang, build, template="ranking.html")


@router.get("/years/{year}/units/{unit_code}", response_class=HTMLResponse)
async def show_unit(
    request: Request,
    year: YearPath,
    unit_code: UnitCodePath,
    pages: PagesDep,
    lang: LanguageQuery = "vi",
) -> HTMLResponse:
    async def build(t: Texts) -> object:
        return await pages.unit_page(year=year, code=unit_code, language=lang, t=t)

    return await _respond(request, pages, lang, build, template="unit.html")


@router.get("/years/{year}/improvements/{group}", response_class=HTMLResponse)
async def show_group_improvements(
    request: Request, year: YearPath, group: GroupPath, pages: PagesDep, lang: LanguageQuery = "vi"
) -> HTMLResponse:
    async def build(t: Texts) -> object:
        return await pages.improvements_page(year=year, group=group, language=lang)

    return await _respond(request, pages, lang, build, template="improvements.html")


@router.get(EMBED_PREFIX + "/years/{year}/rankings/{group}/{section}", response_class=HTMLResponse)
async def embed_ranking(
    request: Request,
    year: YearPath,
    group: GroupPath,
    section: RankingSection,
    pages: PagesDep,
    lang: LanguageQuery = "vi",
) -> HTMLResponse:
    async def build(t: Texts) -> object:
        return await pages.ranking_page(year=year, group=group, language=lang, t=t)

    return await _respond(
        request, pages, lang, build, template="embed.html", section=f"ranking_{section}"
    )


@router.get(EMBED_PREFIX + "/years/{year}/units/{unit_code}/{section}", response_class=HTMLResponse)
async def embed_unit(
    request: Request,
    year: YearPath,
    unit_code: UnitCodePath,
    section: UnitSection,
    pages: PagesDep,
    lang: LanguageQuery = "vi",
) -> HTMLResponse:
    async def build(t: Texts) -> object:
        return await pages.unit_page(year=year, code=unit_code, language=lang, t=t)

    return await _respond(
        request, pages, lang, build, template="embed.html", section=f"unit_{section}"
    )


@router.get(
    EMBED_PREFIX + "/years/{year}/improvements/{group}/{section}", response_class=HTMLResponse
)
async def embed_group_improvements(
    request: Request,
    year: YearPath,
    group: GroupPath,
    section: ImprovementSection,
    pages: PagesDep,
    lang: LanguageQuery = "vi",
) -> HTMLResponse:
    async def build(t: Texts) -> object:
        return await pages.improvements_page(year=year, group=group, language=lang)

    return await _respond(
        request, pages, lang, build, template="embed.html", section=f"improvements_{section}"
    )
