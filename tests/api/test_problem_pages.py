"""Problem types resolve (app/pages/problems.py): every `type` the service can emit is a page of
the service saying what the problem means and how to fix it, in Vietnamese and English."""

import importlib
import pkgutil
from collections.abc import Iterator

import pytest
from fastapi import FastAPI
from httpx import AsyncClient
from markupsafe import escape

import app as app_package
from app.core.config import Settings
from app.core.errors import PROBLEM_MEDIA_TYPE, ServiceError, problem_slugs
from app.core.i18n import Language
from app.core.messages import say
from app.http import limits, rate_limit
from tests.conftest import AppBuilder, http_client

# Named in app/core/errors.py where no ServiceError is raised.
HANDLER_SLUGS = {
    "invalid-request",
    "unsupported-media-type",
    "internal-error",
    "database-unavailable",
}
# Starlette's refusals, named after their status phrase.
HTTP_SLUGS = {"not-found", "method-not-allowed", "not-acceptable", "unauthorized"}


def _subclasses(cls: type[ServiceError]) -> Iterator[type[ServiceError]]:
    for sub in cls.__subclasses__():
        yield sub
        yield from _subclasses(sub)


def emitted_slugs() -> set[str]:
    """Every slug a ServiceError of the service carries, the handlers' and the edge's."""
    for module in pkgutil.walk_packages(app_package.__path__, "app."):
        importlib.import_module(module.name)
    raised = {ServiceError.slug} | {error.slug for error in _subclasses(ServiceError)}
    edge = {limits._SLUG, rate_limit._SLUG}
    return raised | edge | HANDLER_SLUGS | HTTP_SLUGS


def test_every_slug_the_service_emits_has_a_page() -> None:
    assert emitted_slugs() - set(problem_slugs()) == set()


@pytest.mark.parametrize("slug", problem_slugs())
@pytest.mark.parametrize("language", ["vi", "en"])
async def test_each_problem_page_explains_it_in_both_languages(
    anonymous_client: AsyncClient, slug: str, language: Language
) -> None:
    response = await anonymous_client.get(f"/problems/{slug}", params={"lang": language})
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/html")
    assert response.headers["content-language"] == language
    html = response.text
    assert f'<html lang="{language}">' in html
    assert say(language, f"problem.{slug}") in html
    for part in ("meaning", "fix"):
        text = say(language, f"problem-help.{slug}.{part}")
        # Backticked names are shown as code; everything is escaped.
        expected = "".join(
            f"<code>{escape(piece)}</code>" if index % 2 else str(escape(piece))
            for index, piece in enumerate(text.split("`"))
        )
        assert expected in html


async def test_vietnamese_by_default_english_by_header(anonymous_client: AsyncClient) -> None:
    vietnamese = await anonymous_client.get("/problems/unit-not-found")
    english = await anonymous_client.get(
        "/problems/unit-not-found", headers={"Accept-Language": "en-GB,en;q=0.9"}
    )
    assert "Không tìm thấy đơn vị" in vietnamese.text
    assert "Unit not found" in english.text
    assert english.headers["content-language"] == "en"


async def test_json_when_asked_for(anonymous_client: AsyncClient) -> None:
    response = await anonymous_client.get(
        "/problems/year-frozen", headers={"Accept": "application/json", "Accept-Language": "en"}
    )
    assert response.headers["content-type"] == "application/json"
    body = response.json()
    assert body["slug"] == "year-frozen"
    assert body["title"] == "Year is published"
    assert body["type"] == "http://127.0.0.1:8000/problems/year-frozen"
    assert "correction_reason" in body["fix"]


async def test_the_list_links_every_problem(anonymous_client: AsyncClient) -> None:
    html = (await anonymous_client.get("/problems", params={"lang": "en"})).text
    for slug in problem_slugs():
        assert f'href="/problems/{slug}?lang=en"' in html
    listed = await anonymous_client.get("/problems", headers={"Accept": "application/json"})
    assert [p["slug"] for p in listed.json()["problems"]] == list(problem_slugs())


async def test_an_unknown_slug_is_a_404_problem(anonymous_client: AsyncClient) -> None:
    response = await anonymous_client.get("/problems/no-such-problem")
    assert response.status_code == 404
    assert response.headers["content-type"] == PROBLEM_MEDIA_TYPE
    assert "no-such-problem" in response.json()["detail"]


async def test_a_problems_type_is_its_page_under_the_public_url(
    build_app: AppBuilder,
) -> None:
    app: FastAPI = build_app(public_url="https://chiso.lamdong.gov.vn/par/")
    async with http_client(app) as http:
        problem = (await http.get("/api/v1/units/NO-SUCH-UNIT")).json()
        assert problem["type"] == "https://chiso.lamdong.gov.vn/par/problems/unit-not-found"
        servers = (await http.get("/openapi.json")).json()["servers"]
    assert servers[0]["url"] == "https://chiso.lamdong.gov.vn/par"
    page = await anonymous_page(
        app, problem["type"].removeprefix("https://chiso.lamdong.gov.vn/par")
    )
    assert page == 200


async def anonymous_page(app: FastAPI, path: str) -> int:
    async with http_client(app) as http:
        return (await http.get(path)).status_code


def test_the_default_public_url_is_where_make_run_serves() -> None:
    assert Settings.model_construct().public_root == "http://127.0.0.1:8000"
