"""HEAD wherever GET is (app/http/head.py): the GET's status and headers, no body, validated,
answered again, rate limited and counted like the GET it describes."""

from typing import Any

import pytest
from fastapi import FastAPI
from httpx import AsyncClient
from sqlalchemy.ext.asyncio import AsyncSession

from app.core.config import RateLimitSettings
from app.core.errors import PROBLEM_MEDIA_TYPE
from app.services.results.ranking import RankingService
from tests.conftest import AppBuilder, api_key, http_client

RANKING = "/api/v1/years/2024/rankings/department"
# The headers a HEAD must repeat from its GET; the request id and dates differ by design.
SAME_HEADERS = ("content-type", "content-length", "etag", "cache-control", "vary")


@pytest.fixture
def handler_calls(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    calls: list[str] = []
    original = RankingService.ranking_json

    async def counted(self: RankingService, **kwargs: Any) -> Any:
        calls.append(str(kwargs["group"]))
        return await original(self, **kwargs)

    monkeypatch.setattr(RankingService, "ranking_json", counted)
    return calls


def assert_head_of(head: Any, get: Any) -> None:
    assert head.status_code == get.status_code
    assert head.content == b""
    assert int(head.headers["content-length"]) == len(get.content) > 0
    for name in SAME_HEADERS:
        assert head.headers.get(name) == get.headers.get(name), name


@pytest.mark.parametrize(
    "path",
    [
        RANKING,
        f"{RANKING}?format=csv",
        "/years/2024/rankings/department",
        "/years/2024/rankings/department?lang=en",
        "/healthz",
        "/api/v1/years/2023/dump?format=csv",
    ],
)
async def test_head_answers_the_gets_status_and_headers_without_a_body(
    anonymous_client: AsyncClient, path: str
) -> None:
    get = await anonymous_client.get(path)
    head = await anonymous_client.head(path)
    assert get.status_code == 200
    assert_head_of(head, get)


async def test_head_of_a_missing_resource_is_the_404_problems_headers(
    anonymous_client: AsyncClient,
) -> None:
    path = "/api/v1/units/NO-SUCH-UNIT"
    get = await anonymous_client.get(path)
    head = await anonymous_client.head(path)
    assert get.status_code == 404
    assert head.headers["content-type"] == PROBLEM_MEDIA_TYPE
    assert head.headers["content-language"] == get.headers["content-language"]
    assert_head_of(head, get)


async def test_head_of_an_unknown_path_is_a_404_without_a_body(
    anonymous_client: AsyncClient,
) -> None:
    head = await anonymous_client.head("/api/v1/no/such/path")
    assert head.status_code == 404
    assert head.headers["content-type"] == PROBLEM_MEDIA_TYPE
    assert head.content == b""


async def test_head_with_the_current_etag_is_not_modified(
    anonymous_client: AsyncClient,
) -> None:
    etag = (await anonymous_client.head(RANKING)).headers["ETag"]
    not_modified = await anonymous_client.head(RANKING, headers={"If-None-Match": etag})
    assert not_modified.status_code == 304
    assert not_modified.headers["ETag"] == etag
    assert not_modified.content == b""


async def test_head_and_get_share_one_etag_and_the_replay_store(
    anonymous_client: AsyncClient, handler_calls: list[str]
) -> None:
    get = await anonymous_client.get(RANKING)
    head = await anonymous_client.head(RANKING)
    again = await anonymous_client.head(RANKING, headers={"If-None-Match": get.headers["ETag"]})
    assert head.headers["ETag"] == get.headers["ETag"]
    assert again.status_code == 304
    assert handler_calls == ["department"]


async def test_head_is_rate_limited_with_the_reads(build_app: AppBuilder) -> None:
    app = build_app(rate_limit=RateLimitSettings(anonymous_reads_per_minute=2))
    async with http_client(app) as anonymous:
        statuses = [(await anonymous.head(RANKING)).status_code for _ in range(2)]
        refused = await anonymous.get(RANKING)
    assert statuses == [200, 200]
    assert refused.status_code == 429


async def test_head_is_counted_by_method_and_route_template(
    app: FastAPI, anonymous_client: AsyncClient
) -> None:
    await anonymous_client.head(RANKING)
    text = (await anonymous_client.get("/metrics")).text
    assert (
        'http_requests_total{method="HEAD",route="/api/v1/years/{year}/rankings/{group}",'
        'status="2xx"} 1.0' in text
    )


async def test_methods_not_allowed_name_head_where_get_is(anonymous_client: AsyncClient) -> None:
    response = await anonymous_client.delete("/api/v1/years")
    assert response.status_code == 405
    assert response.headers["allow"] == "GET, HEAD, POST"


async def test_head_is_refused_where_its_get_is(
    anonymous_client: AsyncClient, session: AsyncSession
) -> None:
    anonymous = await anonymous_client.head("/api/v1/keys")
    assert anonymous.status_code == 401
    assert anonymous.content == b""
    reader = await anonymous_client.head(
        "/api/v1/keys", headers={"X-API-Key": await api_key(session, "reader")}
    )
    assert reader.status_code == 403
