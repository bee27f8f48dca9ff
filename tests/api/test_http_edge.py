"""The HTTP edge: request ids and logs, metrics, security headers, body and rate limits, CORS,
and HTTP caching with ETags from the data revision."""

import json
import re
import socket
import uuid
from collections.abc import AsyncIterator
from typing import Any

import pytest
from fastapi import FastAPI
from httpx import AsyncClient
from pydantic import SecretStr
from redis.asyncio import Redis
from sqlalchemy.ext.asyncio import AsyncSession

from app.core.config import (
    CorsSettings,
    LimitSettings,
    RateLimitSettings,
    SecuritySettings,
    Settings,
)
from app.http.logging import ACCESS_LOGGER, REDACTED
from app.http.rate_limit import RateLimiter
from app.main import create_app, current_release
from tests.builders import assert_problem, create_draft_year, create_unit
from tests.conftest import AppBuilder, api_key, http_client

REDIS_URL = "redis://127.0.0.1:6379/0"
# 45 s into a one-minute window: a refusal says to retry in 15 s.
FIXED_NOW = 60 * 28_000_000 + 45.0
ETAG = re.compile(r'"(\d+)-[^"\s-]+-[0-9a-f]{16}"')


def rate_limited_app(build_app: AppBuilder, **limits: Any) -> FastAPI:
    app = build_app(rate_limit=RateLimitSettings(**limits))
    limiter: RateLimiter = app.state.rate_limiter
    limiter.clock = lambda: FIXED_NOW
    return app


def revision_of(etag: str) -> int:
    match = ETAG.fullmatch(etag)
    assert match is not None, etag
    return int(match.group(1))


def redis_reachable() -> bool:
    try:
        socket.create_connection(("127.0.0.1", 6379), timeout=0.5).close()
    except OSError:
        return False
    return True


class TestRequestId:
    async def test_the_callers_id_is_echoed(self, anonymous_client: AsyncClient) -> None:
        response = await anonymous_client.get("/healthz", headers={"X-Request-ID": "abc.DEF_1-2"})
        assert response.headers["X-Request-ID"] == "abc.DEF_1-2"

    async def test_an_id_is_generated_when_none_is_sent(
        self, anonymous_client: AsyncClient
    ) -> None:
        first = await anonymous_client.get("/api/v1/groups")
        second = await anonymous_client.get("/api/v1/groups")
        assert re.fullmatch(r"[0-9a-f]{32}", first.headers["X-Request-ID"])
        assert first.headers["X-Request-ID"] != second.headers["X-Request-ID"]

    @pytest.mark.parametrize("sent", ["has spaces", "x" * 129, "a/b", "<script>"])
    async def test_an_invalid_id_is_replaced(
        self, anonymous_client: AsyncClient, sent: str
    ) -> None:
        response = await anonymous_client.get("/healthz", headers={"X-Request-ID": sent})
        assert re.fullmatch(r"[0-9a-f]{32}", response.headers["X-Request-ID"])

    async def test_error_responses_carry_the_id(self, anonymous_client: AsyncClient) -> None:
        response = await anonymous_client.get("/api/v1/nope", headers={"X-Request-ID": "r-404"})
        assert_problem(response, 404)
        assert response.headers["X-Request-ID"] == "r-404"

    async def test_an_unhandled_error_answers_500_with_the_id_and_logs_it(
        self, build_app: AppBuilder, capsys: pytest.CaptureFixture[str]
    ) -> None:
        app = build_app()

        async def explode() -> None:
            raise RuntimeError("boom")

        app.add_api_route("/api/v1/explode", explode)
        async with http_client(app) as http:
            response = await http.get("/api/v1/explode", headers={"X-Request-ID": "r-500"})
        assert_problem(response, 500)
        assert response.headers["X-Request-ID"] == "r-500"
        lines = json_lines(capsys.readouterr().out)
        access = [line for line in lines if line["logger"] == ACCESS_LOGGER]
        assert [(line["status"], line["request_id"]) for line in access] == [(500, "r-500")]
        error = next(line for line in lines if line["logger"] == "app.core.errors")
        assert error["request_id"] == "r-500"
        assert "RuntimeError: boom" in error["exc_info"]


def json_lines(out: str) -> list[dict[str, Any]]:
    return [json.loads(line) for line in out.splitlines() if line.startswith("{")]


class TestAccessLog:
    async def test_one_json_line_per_request_with_the_id_and_no_secrets(
        self, app: FastAPI, session: AsyncSession, capsys: pytest.CaptureFixture[str]
    ) -> None:
        key = await api_key(session, "reader")
        capsys.readouterr()
        async with http_client(app, key) as http:
            response = await http.get(
                "/api/v1/units",
                params={"q": "y te", "api_key": "query-secret", "token": "tok-secret"},
                headers={"X-API-Key": "header-secret", "Cookie": "sid=cookie-secret"},
            )
        out = capsys.readouterr().out
        for secret in (key, "query-secret", "tok-secret", "header-secret", "cookie-secret"):
            assert secret not in out
        access = [line for line in json_lines(out) if line["logger"] == ACCESS_LOGGER]
        assert len(access) == 1
        line = access[0]
        assert line["request_id"] == response.headers["X-Request-ID"]
        assert line["method"] == "GET"
        assert line["path"] == "/api/v1/units"
        assert line["status"] == response.status_code
        assert isinstance(line["duration_ms"], float)
        assert line["client"] == "127.0.0.1"
        assert f"api_key={REDACTED}" in line["query"]
        assert f"token={REDACTED}" in line["query"]
        assert {"ts", "level", "msg"} <= line.keys()


class TestMetrics:
    async def test_requests_are_counted_by_route_template(
        self, anonymous_client: AsyncClient
    ) -> None:
        response = await anonymous_client.get("/api/v1/years/2024/rankings/department")
        assert response.status_code == 200
        await anonymous_client.get("/no/such/path")
        metrics = await anonymous_client.get("/metrics")
        assert metrics.status_code == 200
        assert metrics.headers["content-type"].startswith("text/plain")
        text = metrics.text
        assert (
            'http_requests_total{method="GET",route="/api/v1/years/{year}/rankings/{group}",'
            'status="2xx"} 1.0' in text
        )
        assert 'http_requests_total{method="GET",route="unmatched",status="4xx"} 1.0' in text
        assert "http_request_duration_seconds_bucket{" in text
        assert "/api/v1/years/2024" not in text

    async def test_refusals_before_routing_are_labelled_with_the_route(
        self, build_app: AppBuilder
    ) -> None:
        app = rate_limited_app(build_app, anonymous_reads_per_minute=1)
        async with http_client(app) as http:
            await http.get("/api/v1/units/LD-DEP-HEALTH")
            assert (await http.get("/api/v1/units/LD-DEP-HEALTH")).status_code == 429
            text = (await http.get("/metrics")).text
        assert 'route="/api/v1/units/{unit_code}",status="4xx"} 1.0' in text

    async def test_database_pool_is_read_at_scrape_time(
        self, anonymous_client: AsyncClient
    ) -> None:
        text = (await anonymous_client.get("/metrics")).text
        assert re.search(r"^db_pool_checked_out \d+", text, re.MULTILINE)
        assert re.search(r"^db_pool_size \d+", text, re.MULTILINE)

    async def test_metrics_are_not_in_the_openapi_schema(self, app: FastAPI) -> None:
        assert "/metrics" not in app.openapi()["paths"]

    def test_each_app_has_its_own_registry(self, settings: Settings) -> None:
        create_app(settings)
        create_app(settings)  # no "Duplicated timeseries"


class TestSecurityHeaders:
    async def test_api_responses_carry_the_strict_headers(
        self, anonymous_client: AsyncClient
    ) -> None:
        for path in ("/api/v1/groups", "/api/v1/nope", "/openapi.json"):
            headers = (await anonymous_client.get(path)).headers
            assert headers["X-Content-Type-Options"] == "nosniff"
            assert headers["X-Frame-Options"] == "DENY"
            assert headers["Referrer-Policy"] == "no-referrer"
            assert (
                headers["Content-Security-Policy"] == "default-src 'none'; frame-ancestors 'none'"
            )
            assert headers["Cross-Origin-Resource-Policy"] == "same-site"
            assert "Strict-Transport-Security" not in headers

    @pytest.mark.parametrize("path", ["/docs", "/redoc"])
    async def test_docs_pages_load_scripts_from_the_service_only(
        self, anonymous_client: AsyncClient, path: str
    ) -> None:
        response = await anonymous_client.get(path)
        assert response.status_code == 200
        csp = response.headers["Content-Security-Policy"]
        assert "script-src 'self';" in csp
        assert "http" not in csp
        assert "frame-ancestors 'none'" in csp
        assert response.headers["X-Content-Type-Options"] == "nosniff"

    async def test_hsts_only_when_enabled(self, build_app: AppBuilder) -> None:
        app = build_app(security=SecuritySettings(hsts=True, hsts_max_age_s=600))
        async with http_client(app) as http:
            response = await http.get("/api/v1/groups")
        assert response.headers["Strict-Transport-Security"] == "max-age=600; includeSubDomains"


class TestBodyLimit:
    @pytest.fixture
    def small_app(self, build_app: AppBuilder) -> FastAPI:
        return build_app(limits=LimitSettings(max_body_bytes=1000))

    async def test_a_declared_length_over_the_limit_is_refused(self, small_app: FastAPI) -> None:
        async with http_client(small_app) as http:
            response = await http.post(
                "/api/v1/units",
                content=b'{"code": "' + b"x" * 2000 + b'"}',
                headers={"Content-Type": "application/json"},
            )
        body = assert_problem(response, 413)
        assert body["title"] == "Nội dung yêu cầu quá lớn"
        assert body["detail"] == "Nội dung yêu cầu lớn hơn giới hạn 1000 byte."
        assert response.headers["Cache-Control"] == "no-store"

    async def test_a_streamed_body_is_refused_when_it_goes_over(self, small_app: FastAPI) -> None:
        async def chunks() -> AsyncIterator[bytes]:
            for _ in range(5):
                yield b" " * 300

        async with http_client(small_app) as http:
            response = await http.post(
                "/api/v1/units?lang=en",
                content=chunks(),
                headers={"Content-Type": "application/json"},
            )
        assert "content-length" not in response.request.headers
        body = assert_problem(response, 413)
        assert body["title"] == "Request Entity Too Large"
        assert body["detail"] == "The request body is larger than the limit of 1000 bytes."

    async def test_a_body_within_the_limit_reaches_the_handler(self, small_app: FastAPI) -> None:
        async with http_client(small_app) as http:
            response = await http.post("/api/v1/units", json={"code": "X"})
        assert response.status_code != 413


class TestRateLimit:
    async def test_anonymous_reads_over_the_limit_get_429_with_retry_after(
        self, build_app: AppBuilder
    ) -> None:
        app = rate_limited_app(build_app, anonymous_reads_per_minute=3)
        async with http_client(app) as http:
            statuses = [(await http.get("/api/v1/groups")).status_code for _ in range(3)]
            refused = await http.get("/api/v1/groups")
            refused_en = await http.get("/api/v1/groups", headers={"Accept-Language": "en"})
        assert statuses == [200, 200, 200]
        body = assert_problem(refused, 429)
        assert refused.headers["Retry-After"] == "15"
        assert body["title"] == "Quá nhiều yêu cầu"
        assert body["detail"] == ("Quá 3 lượt đọc không có khóa API mỗi phút; thử lại sau 15 giây.")
        assert assert_problem(refused_en, 429)["detail"] == (
            "More than 3 anonymous reads a minute; retry in 15 s."
        )
        assert refused.headers["X-Request-ID"]

    async def test_the_next_window_starts_afresh(self, build_app: AppBuilder) -> None:
        app = rate_limited_app(build_app, anonymous_reads_per_minute=1)
        async with http_client(app) as http:
            await http.get("/api/v1/groups")
            assert (await http.get("/api/v1/groups")).status_code == 429
            app.state.rate_limiter.clock = lambda: FIXED_NOW + 60
            assert (await http.get("/api/v1/groups")).status_code == 200

    async def test_probes_metrics_and_keyed_reads_are_not_counted_as_anonymous(
        self, build_app: AppBuilder, session: AsyncSession
    ) -> None:
        app = rate_limited_app(build_app, anonymous_reads_per_minute=1)
        async with http_client(app) as http:
            await http.get("/api/v1/groups")
            assert (await http.get("/api/v1/groups")).status_code == 429
            for path in ("/healthz", "/readyz", "/metrics"):
                assert (await http.get(path)).status_code != 429
        async with http_client(app, await api_key(session, "reader")) as reader:
            assert (await reader.get("/api/v1/groups")).status_code == 200

    async def test_writes_are_limited_per_key_separately_from_reads(
        self, build_app: AppBuilder, session: AsyncSession
    ) -> None:
        app = rate_limited_app(build_app, anonymous_reads_per_minute=5, writes_per_minute=2)
        key_a, key_b = await api_key(session, "editor"), await api_key(session, "editor")
        async with http_client(app, key_a) as a, http_client(app, key_b) as b:
            statuses = [(await a.post("/api/v1/units", json={})).status_code for _ in range(3)]
            assert statuses == [403, 403, 429]
            # Same client address, another key: its own count.
            assert (await b.post("/api/v1/units", json={})).status_code == 403
        async with http_client(app) as anonymous:
            assert (await anonymous.get("/api/v1/groups")).status_code == 200

    async def test_a_key_is_one_count_whichever_header_carries_it(
        self, build_app: AppBuilder, session: AsyncSession
    ) -> None:
        app = rate_limited_app(build_app, writes_per_minute=2)
        key = await api_key(session, "editor")
        async with http_client(app) as http:
            bearer = await http.post(
                "/api/v1/units", json={}, headers={"Authorization": f"Bearer {key}"}
            )
            header = await http.post("/api/v1/units", json={}, headers={"X-API-Key": key})
            third = await http.post(
                "/api/v1/units", json={}, headers={"Authorization": f"Bearer {key}"}
            )
        assert [bearer.status_code, header.status_code] == [403, 403]
        body = assert_problem(third, 429)
        assert body["title"] == "Quá nhiều yêu cầu"
        assert body["detail"] == "Quá 2 lượt ghi mỗi phút; thử lại sau 15 giây."

    async def test_a_junk_x_api_key_changing_per_request_is_no_way_around_the_limit(
        self, build_app: AppBuilder, session: AsyncSession
    ) -> None:
        app = rate_limited_app(build_app, writes_per_minute=2)
        async with http_client(app, await api_key(session, "admin")) as http:
            statuses = [
                (
                    await http.post("/api/v1/units", json={}, headers={"X-API-Key": f"junk-{n}"})
                ).status_code
                for n in range(3)
            ]
        assert statuses == [400, 400, 429]

    async def test_writes_with_unknown_keys_count_against_the_client_address(
        self, build_app: AppBuilder
    ) -> None:
        app = rate_limited_app(build_app, writes_per_minute=2)
        statuses = []
        for attempt in range(3):
            async with http_client(app, f"made-up-{attempt}") as http:
                statuses.append((await http.post("/api/v1/units", json={})).status_code)
        assert statuses == [401, 401, 429]

    async def test_anonymous_writes_count_against_the_client_address(
        self, build_app: AppBuilder
    ) -> None:
        app = rate_limited_app(build_app, writes_per_minute=1)
        async with http_client(app) as http:
            statuses = [(await http.post("/api/v1/units", json={})).status_code for _ in range(2)]
        assert statuses == [401, 429]

    async def test_a_made_up_key_does_not_lift_the_read_limit(self, build_app: AppBuilder) -> None:
        app = rate_limited_app(build_app, anonymous_reads_per_minute=1, keyed_reads_per_minute=3)
        statuses = []
        for attempt in range(4):
            async with http_client(app, f"made-up-{attempt}") as http:
                statuses.append((await http.get("/api/v1/groups")).status_code)
        assert statuses == [401, 401, 401, 429]

    async def test_unreachable_redis_fails_open_with_a_warning(
        self, build_app: AppBuilder, caplog: pytest.LogCaptureFixture
    ) -> None:
        app = rate_limited_app(
            build_app,
            anonymous_reads_per_minute=1,
            redis_url=SecretStr("redis://:pw-secret@127.0.0.1:1/0"),
        )
        async with http_client(app) as http:
            statuses = [(await http.get("/api/v1/groups")).status_code for _ in range(3)]
        await app.state.rate_limiter.aclose()
        assert statuses == [200, 200, 200]
        warnings = [r for r in caplog.records if r.name == "app.http.rate_limit"]
        assert len(warnings) == 1  # then paused, not retried on every request
        assert "pw-secret" not in warnings[0].getMessage()


@pytest.fixture
async def redis_prefix() -> AsyncIterator[str]:
    if not redis_reachable():
        pytest.skip("Redis is not reachable on 127.0.0.1:6379")
    prefix = f"par-index-test:{uuid.uuid4().hex}"
    yield prefix
    client = Redis.from_url(REDIS_URL)
    try:
        keys = [key async for key in client.scan_iter(match=f"{prefix}:*")]
        if keys:
            await client.delete(*keys)
    finally:
        await client.aclose()


class TestRedisRateLimit:
    async def test_counters_are_shared_through_redis_by_key_id_never_the_key(
        self, build_app: AppBuilder, session: AsyncSession, redis_prefix: str
    ) -> None:
        limits = {
            "anonymous_reads_per_minute": 2,
            "writes_per_minute": 1,
            "redis_url": SecretStr(REDIS_URL),
            "key_prefix": redis_prefix,
        }
        # Two apps stand for two workers: they share the counters.
        first, second = rate_limited_app(build_app, **limits), rate_limited_app(build_app, **limits)
        try:
            async with http_client(first) as one, http_client(second) as two:
                assert (await one.get("/api/v1/groups")).status_code == 200
                assert (await two.get("/api/v1/groups")).status_code == 200
                refused = await one.get("/api/v1/groups")
                assert_problem(refused, 429)
                assert refused.headers["Retry-After"] == "15"
            key = await api_key(session, "editor")
            async with http_client(first, key) as keyed:
                assert (await keyed.post("/api/v1/units", json={})).status_code != 429
                assert (await keyed.post("/api/v1/units", json={})).status_code == 429
            client = Redis.from_url(REDIS_URL, decode_responses=True)
            try:
                keys = [found async for found in client.scan_iter(match=f"{redis_prefix}:*")]
                ttls = [await client.ttl(found) for found in keys]
            finally:
                await client.aclose()
        finally:
            await first.state.rate_limiter.aclose()
            await second.state.rate_limiter.aclose()
        assert len(keys) == 2
        assert not any(key in stored for stored in keys)
        assert any(":write:key:" in stored for stored in keys)
        assert all(0 < ttl <= 61 for ttl in ttls)


class TestCors:
    ORIGIN = "https://dashboard.example"

    @pytest.fixture
    def cors_app(self, build_app: AppBuilder) -> FastAPI:
        return build_app(cors=CorsSettings(allow_origins=[self.ORIGIN]))

    async def test_preflight_allows_the_api_key_header(self, cors_app: FastAPI) -> None:
        async with http_client(cors_app) as http:
            response = await http.options(
                "/api/v1/units",
                headers={
                    "Origin": self.ORIGIN,
                    "Access-Control-Request-Method": "POST",
                    "Access-Control-Request-Headers": "x-api-key, content-type",
                },
            )
        assert response.status_code == 200
        assert response.headers["Access-Control-Allow-Origin"] == self.ORIGIN
        allowed = response.headers["Access-Control-Allow-Headers"].lower()
        assert "x-api-key" in allowed
        assert "if-none-match" in allowed
        assert "PATCH" in response.headers["Access-Control-Allow-Methods"]

    async def test_clients_may_read_etag_request_id_and_retry_after(
        self, cors_app: FastAPI
    ) -> None:
        async with http_client(cors_app) as http:
            response = await http.get("/api/v1/groups", headers={"Origin": self.ORIGIN})
        assert response.headers["Access-Control-Allow-Origin"] == self.ORIGIN
        exposed = {
            h.strip().lower() for h in response.headers["Access-Control-Expose-Headers"].split(",")
        }
        assert {"etag", "x-request-id", "retry-after", "content-disposition"} <= exposed

    async def test_no_cors_headers_without_configured_origins(
        self, anonymous_client: AsyncClient
    ) -> None:
        response = await anonymous_client.get("/api/v1/groups", headers={"Origin": self.ORIGIN})
        assert "Access-Control-Allow-Origin" not in response.headers


class TestHttpCaching:
    async def test_anonymous_get_has_a_public_etag_and_vary(
        self, anonymous_client: AsyncClient
    ) -> None:
        response = await anonymous_client.get("/api/v1/units")
        assert response.status_code == 200
        assert ETAG.fullmatch(response.headers["ETag"])
        assert response.headers["Cache-Control"] == "public, max-age=60"
        vary = {v.strip() for v in response.headers["Vary"].split(",")}
        assert {"Accept", "Accept-Language", "Authorization", "X-API-Key"} <= vary

    async def test_credentialed_get_is_private(self, client: AsyncClient) -> None:
        response = await client.get("/api/v1/units")
        assert response.headers["Cache-Control"] == "private, no-cache"
        assert ETAG.fullmatch(response.headers["ETag"])

    @pytest.mark.parametrize("form", ["{}", "W/{}", '"other", {}', "*"])
    async def test_if_none_match_answers_304_without_a_body(
        self, anonymous_client: AsyncClient, form: str
    ) -> None:
        first = await anonymous_client.get("/api/v1/units", params={"group": "district"})
        etag = first.headers["ETag"]
        again = await anonymous_client.get(
            "/api/v1/units",
            params={"group": "district"},
            headers={"If-None-Match": form.format(etag)},
        )
        assert again.status_code == 304
        assert again.content == b""
        assert again.headers["ETag"] == etag
        assert again.headers["Cache-Control"] == "public, max-age=60"
        assert "Accept-Language" in again.headers["Vary"]
        assert "content-type" not in again.headers
        assert again.headers["X-Request-ID"]

    async def test_another_etag_answers_200(self, anonymous_client: AsyncClient) -> None:
        response = await anonymous_client.get(
            "/api/v1/units", headers={"If-None-Match": '"1-0000000000000000"'}
        )
        assert response.status_code == 200
        assert response.json()["items"]

    async def test_a_new_release_answers_200_to_the_old_releases_etag(
        self, build_app: AppBuilder
    ) -> None:
        # The same data revision and request; only the deployed code differs, and with it
        # possibly the body's shape.
        old_app = build_app(release=lambda: "0.1.0+00000000")
        new_app = build_app(release=lambda: "0.1.1+11111111")
        async with http_client(old_app) as old, http_client(new_app) as new:
            etag = (await old.get("/api/v1/groups")).headers["ETag"]
            unchanged = await old.get("/api/v1/groups", headers={"If-None-Match": etag})
            released = await new.get("/api/v1/groups", headers={"If-None-Match": etag})
        assert unchanged.status_code == 304
        assert released.status_code == 200
        assert released.json()
        assert released.headers["ETag"] != etag

    async def test_every_etag_names_the_running_release(
        self, anonymous_client: AsyncClient
    ) -> None:
        response = await anonymous_client.get("/api/v1/years")
        assert f"-{current_release()}-" in response.headers["ETag"]

    async def test_a_write_changes_the_etag(self, client: AsyncClient) -> None:
        before = await client.get("/api/v1/units")
        await create_unit(client, code="T-ETAG-1")
        after = await client.get("/api/v1/units", headers={"If-None-Match": before.headers["ETag"]})
        assert after.status_code == 200
        assert after.headers["ETag"] != before.headers["ETag"]
        assert revision_of(after.headers["ETag"]) > revision_of(before.headers["ETag"])
        assert "T-ETAG-1" in {unit["code"] for unit in after.json()["items"]}

    async def test_language_query_and_credentials_change_the_etag(
        self, anonymous_client: AsyncClient, client: AsyncClient
    ) -> None:
        vi = await anonymous_client.get("/api/v1/groups", headers={"Accept-Language": "vi"})
        en = await anonymous_client.get("/api/v1/groups", headers={"Accept-Language": "en"})
        keyed = await client.get("/api/v1/groups", headers={"Accept-Language": "vi"})
        assert len({vi.headers["ETag"], en.headers["ETag"], keyed.headers["ETag"]}) == 3
        a = await anonymous_client.get("/api/v1/units?group=district&limit=5")
        b = await anonymous_client.get("/api/v1/units?limit=5&group=district")
        assert a.headers["ETag"] == b.headers["ETag"]

    async def test_not_modified_only_after_the_handler_allowed_the_request(
        self, client: AsyncClient, anonymous_client: AsyncClient
    ) -> None:
        year = await create_draft_year(client)
        hidden = await anonymous_client.get(f"/api/v1/years/{year}", headers={"If-None-Match": "*"})
        assert hidden.status_code in (401, 403, 404)
        assert hidden.headers["Cache-Control"] == "no-store"
        assert "ETag" not in hidden.headers

    async def test_writes_and_errors_are_not_stored(self, client: AsyncClient) -> None:
        created = await client.post(
            "/api/v1/units",
            json={"code": "T-ETAG-2", "name_vi": "a", "name_en": "b", "group": "department"},
        )
        assert created.status_code == 201
        assert created.headers["Cache-Control"] == "no-store"
        assert "ETag" not in created.headers
        missing = await client.get("/api/v1/units/NO-SUCH-UNIT")
        assert missing.status_code == 404
        assert missing.headers["Cache-Control"] == "no-store"

    async def test_outside_the_api_no_etag(self, anonymous_client: AsyncClient) -> None:
        response = await anonymous_client.get("/healthz")
        assert "ETag" not in response.headers
