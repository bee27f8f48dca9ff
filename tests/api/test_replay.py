"""Answers given again before any handler runs (app/http/replay.py): to the same caller only,
at the same data revision only, still counted, still labelled, never for a key revoked since."""

from collections.abc import AsyncIterator
from datetime import UTC, datetime
from typing import Any

import pytest
from fastapi import FastAPI
from httpx import AsyncClient
from sqlalchemy import update
from sqlalchemy.ext.asyncio import AsyncSession

from app.core.config import CacheSettings, RateLimitSettings
from app.models import ApiKey
from app.services.results.ranking import RankingService
from tests.builders import create_unit
from tests.conftest import AppBuilder, api_key, http_client

RANKING = "/api/v1/years/2024/rankings/department"


@pytest.fixture
def handler_calls(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """Every time the ranking handler reaches its service."""
    calls: list[str] = []
    original = RankingService.ranking_json

    async def counted(self: RankingService, **kwargs: Any) -> Any:
        calls.append(str(kwargs["group"]))
        return await original(self, **kwargs)

    monkeypatch.setattr(RankingService, "ranking_json", counted)
    return calls


@pytest.fixture
async def reader_key(session: AsyncSession) -> str:
    return await api_key(session, "reader")


@pytest.fixture
async def anonymous(app: FastAPI) -> AsyncIterator[AsyncClient]:
    async with http_client(app) as http:
        yield http


async def test_a_repeat_is_answered_without_the_handler(
    anonymous: AsyncClient, handler_calls: list[str]
) -> None:
    first = await anonymous.get(RANKING)
    again = await anonymous.get(RANKING)
    assert handler_calls == ["department"]
    assert again.status_code == 200
    assert again.content == first.content
    assert again.headers["ETag"] == first.headers["ETag"]
    assert again.headers["Content-Type"] == first.headers["Content-Type"]
    assert again.headers["X-Request-ID"] != first.headers["X-Request-ID"]
    assert again.headers["Content-Security-Policy"] == first.headers["Content-Security-Policy"]


async def test_a_caller_holding_the_answer_gets_304_without_the_handler(
    anonymous: AsyncClient, handler_calls: list[str]
) -> None:
    etag = (await anonymous.get(RANKING)).headers["ETag"]
    not_modified = await anonymous.get(RANKING, headers={"If-None-Match": etag})
    assert not_modified.status_code == 304
    assert not_modified.content == b""
    assert not_modified.headers["ETag"] == etag
    assert "content-type" not in not_modified.headers
    assert handler_calls == ["department"]


async def test_a_write_ends_every_kept_answer(
    client: AsyncClient, anonymous: AsyncClient, handler_calls: list[str]
) -> None:
    before = await anonymous.get(RANKING)
    await create_unit(client, code="T-REPLAY-1")
    after = await anonymous.get(RANKING, headers={"If-None-Match": before.headers["ETag"]})
    assert after.status_code == 200
    assert after.headers["ETag"] != before.headers["ETag"]
    assert handler_calls == ["department", "department"]


async def test_one_keys_answer_is_never_given_to_another_caller(
    app: FastAPI, session: AsyncSession, reader_key: str, handler_calls: list[str]
) -> None:
    other_key = await api_key(session, "reader")
    async with http_client(app, reader_key) as reader, http_client(app, other_key) as other:
        await reader.get(RANKING)
        await reader.get(RANKING)
        assert handler_calls == ["department"]
        await other.get(RANKING)
    async with http_client(app) as anonymous:
        await anonymous.get(RANKING)
    assert handler_calls == ["department"] * 3


async def test_a_revoked_key_is_refused_although_its_answer_was_kept(
    app: FastAPI, client: AsyncClient, handler_calls: list[str]
) -> None:
    created = (
        await client.post("/api/v1/keys", json={"name": "replayed", "role": "reader"})
    ).json()
    async with http_client(app, created["key"]) as reader:
        assert (await reader.get(RANKING)).status_code == 200
        assert (await reader.get(RANKING)).status_code == 200
        await client.delete(f"/api/v1/keys/{created['id']}")
        refused = await reader.get(RANKING)
    assert refused.status_code == 401
    assert handler_calls == ["department"]


async def test_a_key_revoked_by_another_process_is_refused_once_it_is_read_again(
    app: FastAPI, client: AsyncClient, session: AsyncSession, handler_calls: list[str]
) -> None:
    created = (
        await client.post("/api/v1/keys", json={"name": "elsewhere", "role": "reader"})
    ).json()
    keys = app.state.key_cache
    now = [keys.clock()]
    keys.clock = lambda: now[0]
    async with http_client(app, created["key"]) as reader:
        assert (await reader.get(RANKING)).status_code == 200
        assert (await reader.get(RANKING)).status_code == 200  # replayed
        # Revoked in the database, not through this process: its cache is not told.
        await session.execute(
            update(ApiKey).where(ApiKey.id == created["id"]).values(revoked_at=datetime.now(UTC))
        )
        await session.commit()
        assert (await reader.get(RANKING)).status_code == 200  # the entry is still young
        now[0] += keys.ttl_s / 2
        refused = await reader.get(RANKING)  # due: not replayed, the key is read again
        again = await reader.get(RANKING)
    assert (refused.status_code, again.status_code) == (401, 401)
    assert handler_calls == ["department"]


async def test_one_request_reads_a_busy_key_again_and_the_next_is_replayed(
    app: FastAPI, reader_key: str, handler_calls: list[str]
) -> None:
    keys = app.state.key_cache
    now = [keys.clock()]
    keys.clock = lambda: now[0]
    async with http_client(app, reader_key) as reader:
        await reader.get(RANKING)
        await reader.get(RANKING)  # replayed
        now[0] += keys.ttl_s * 0.9
        reread = await reader.get(RANKING)  # claims the key's reading: to the handler
        replayed = await reader.get(RANKING)  # the key was read anew: replayed again
        now[0] += keys.ttl_s * 0.3  # past the first reading's life, not the second's
        still = await reader.get(RANKING)
    assert [r.status_code for r in (reread, replayed, still)] == [200, 200, 200]
    assert handler_calls == ["department", "department"]


async def test_an_unknown_key_is_refused_on_every_call(
    app: FastAPI, anonymous: AsyncClient
) -> None:
    await anonymous.get(RANKING)
    async with http_client(app, "not-a-key") as stranger:
        statuses = [(await stranger.get(RANKING)).status_code for _ in range(3)]
    assert statuses == [401, 401, 401]


async def test_another_host_is_answered_by_the_handler(
    anonymous: AsyncClient, handler_calls: list[str]
) -> None:
    await anonymous.get(RANKING)
    await anonymous.get(RANKING, headers={"Host": "portal.example"})
    assert handler_calls == ["department", "department"]


async def test_replays_are_rate_limited_and_counted_by_route(build_app: AppBuilder) -> None:
    app = build_app(rate_limit=RateLimitSettings(anonymous_reads_per_minute=3))
    async with http_client(app) as anonymous:
        statuses = [(await anonymous.get(RANKING)).status_code for _ in range(4)]
        metrics = (await anonymous.get("/metrics")).text
    assert statuses == [200, 200, 200, 429]
    template = 'route="/api/v1/years/{year}/rankings/{group}"'
    counted = [
        line
        for line in metrics.splitlines()
        if line.startswith("http_requests_total{") and template in line
    ]
    assert any('status="2xx"' in line and line.endswith(" 3.0") for line in counted), counted


async def test_volatile_lists_are_never_kept_or_validated(client: AsyncClient) -> None:
    for path in ("/api/v1/keys", "/api/v1/webhooks", "/api/v1/audit", "/api/v1/years/2024/imports"):
        response = await client.get(path)
        assert response.status_code == 200, path
        assert response.headers["Cache-Control"] == "no-store", path
        assert "ETag" not in response.headers, path
        again = await client.get(path, headers={"If-None-Match": "*"})
        assert again.status_code == 200, path


async def test_turned_off_every_request_reaches_the_handler(
    build_app: AppBuilder, handler_calls: list[str]
) -> None:
    app = build_app(cache=CacheSettings(replay_max_bytes=0))
    async with http_client(app) as anonymous:
        await anonymous.get(RANKING)
        etag = (await anonymous.get(RANKING)).headers["ETag"]
        assert (await anonymous.get(RANKING, headers={"If-None-Match": etag})).status_code == 304
    assert handler_calls == ["department"] * 3
