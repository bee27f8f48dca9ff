"""The pages and their fragments over HTTP: what they show comes from the API's services, only
published years, the API's ETag rules and cache, their own CSP, nothing loaded from elsewhere."""

from typing import Any

import pytest
from fastapi import FastAPI
from httpx import AsyncClient
from sqlalchemy.ext.asyncio import AsyncSession

from app.core.config import CacheSettings, SecuritySettings
from app.pages.charts import rank_label
from tests.builders import put_small_tree
from tests.conftest import AppBuilder, api_key, http_client
from tests.pages import loaded_urls, table_rows

RANKING_2024 = "/years/2024/rankings/department"
DEMO_UNIT = "/years/2023/units/DEMO-DEP-CONSTRUCTION-TRANSPORT"
DEMO_IMPROVEMENTS = "/years/2023/improvements/demo-department"
PAGES = ["/", RANKING_2024, DEMO_UNIT, "/years/2024/units/LD-DEP-HEALTH", DEMO_IMPROVEMENTS]
FRAGMENTS = [
    "/embed/years/2024/rankings/department/chart",
    "/embed/years/2024/rankings/department/table",
    f"/embed{DEMO_UNIT}/breakdown",
    f"/embed{DEMO_UNIT}/improvements",
    f"/embed{DEMO_UNIT}/history",
    f"/embed{DEMO_IMPROVEMENTS}/units",
    f"/embed{DEMO_IMPROVEMENTS}/criteria",
]
DRAFT_YEAR = 2035
SECRET_NOTE = "draft-page-secret-51c9"


async def _api(client: AsyncClient, path: str) -> Any:
    response = await client.get(f"/api/v1{path}")
    assert response.status_code == 200, response.text
    return response.json()


class TestHome:
    async def test_lists_published_years_newest_first_with_their_groups(
        self, anonymous_client: AsyncClient
    ) -> None:
        response = await anonymous_client.get("/")
        assert response.status_code == 200
        assert response.headers["content-type"].startswith("text/html")
        html = response.text
        positions = [html.index(f'id="year-{year}"') for year in (2025, 2024, 2023, 2022, 2021)]
        assert positions == sorted(positions)
        assert f'href="{RANKING_2024}"' in html
        assert 'href="/years/2024/rankings/district"' in html
        assert 'href="/years/2025/rankings/commune"' in html
        # A group without results that year is not listed as assessed.
        assert 'href="/years/2025/rankings/district"' not in html
        assert "Top three and bottom three were published" in html
        assert 'href="/docs"' in html
        assert 'href="/redoc"' in html

    async def test_a_draft_year_is_on_no_page_even_for_an_admin(
        self, client: AsyncClient, app: FastAPI, session: AsyncSession
    ) -> None:
        assert (await client.post("/api/v1/years", json={"year": DRAFT_YEAR})).status_code == 201
        await put_small_tree(client, DRAFT_YEAR)
        scores = {"scores": [{"criterion": "1.1", "final_score": "1.2", "note": SECRET_NOTE}]}
        put = await client.put(
            f"/api/v1/years/{DRAFT_YEAR}/units/LD-DEP-HEALTH/scores", json=scores
        )
        assert put.status_code == 200, put.text
        assert (await client.get(f"/api/v1/years/{DRAFT_YEAR}/rankings/department")).is_success
        for key in (None, await api_key(session, "admin")):
            async with http_client(app, key) as http:
                home = await http.get("/")
                assert f"year-{DRAFT_YEAR}" not in home.text
                for path in (
                    f"/years/{DRAFT_YEAR}/rankings/department",
                    f"/years/{DRAFT_YEAR}/units/LD-DEP-HEALTH",
                    f"/years/{DRAFT_YEAR}/improvements/department",
                    f"/embed/years/{DRAFT_YEAR}/rankings/department/table",
                ):
                    response = await http.get(path)
                    assert response.status_code == 404, path
                    assert SECRET_NOTE not in response.text
                    assert response.headers["content-type"].startswith("text/html")


class TestRankingPage:
    async def test_shows_exactly_the_ranks_the_api_gives(
        self, anonymous_client: AsyncClient
    ) -> None:
        ranking = await _api(anonymous_client, "/years/2024/rankings/department")
        rows = table_rows((await anonymous_client.get(RANKING_2024)).text, "ranking")
        assert len(rows) == len(ranking["entries"])
        for row, entry in zip(rows, ranking["entries"], strict=True):
            rank_cell, unit_cell, index_cell = row[0], row[1], row[2]
            assert unit_cell == entry["unit"]["name"]
            assert index_cell == entry["index"].replace(".", ",")
            shown = rank_cell.split(" ")[0] if rank_cell[:1] in "=0123456789" else ""
            assert shown == rank_label(entry["rank"], entry["tied"])

    async def test_the_87_21_tie_is_shown_as_a_tie(self, anonymous_client: AsyncClient) -> None:
        rows = table_rows((await anonymous_client.get(RANKING_2024)).text, "ranking")
        tied = [row for row in rows if row[2] == "87,21"]
        assert [row[1] for row in tied] == ["Sở Y tế", "Sở Tài nguyên và Môi trường"]
        assert all("bằng điểm 2 đơn vị" in row[0] for row in tied)
        assert tied[0][0] == tied[1][0]

    async def test_what_the_source_said_about_a_place_is_shown(
        self, anonymous_client: AsyncClient
    ) -> None:
        html = (await anonymous_client.get(RANKING_2024)).text
        assert "among the three lowest; tied with Health" in html
        assert "Top three and bottom three were published; the size of the group was not." in html

    async def test_links_each_unit_and_the_downloads(self, anonymous_client: AsyncClient) -> None:
        html = (await anonymous_client.get(RANKING_2024)).text
        assert 'href="/years/2024/units/LD-DEP-HEALTH"' in html
        for query, media_type in (("format=csv&amp;bom=true", "text/csv"), ("format=xlsx", "")):
            link = f"/api/v1/years/2024/rankings/department/export?{query}"
            assert f'href="{link}"' in html
            download = await anonymous_client.get(link.replace("&amp;", "&"))
            assert download.status_code == 200
            assert download.headers["content-type"].startswith(media_type or "application/vnd")

    async def test_english_on_request(self, anonymous_client: AsyncClient) -> None:
        html = (await anonymous_client.get(f"{RANKING_2024}?lang=en")).text
        assert '<html lang="en">' in html
        assert "Department of Health" in html
        assert "87.21" in html
        assert 'href="/years/2024/units/LD-DEP-HEALTH?lang=en"' in html
        assert f'href="{RANKING_2024}"' in html  # back to Vietnamese
        vietnamese = (await anonymous_client.get(RANKING_2024)).text
        assert '<html lang="vi">' in vietnamese
        assert "Sở Y tế" in vietnamese

    async def test_unknown_group_is_a_404_page(self, anonymous_client: AsyncClient) -> None:
        response = await anonymous_client.get("/years/2024/rankings/no-such-group")
        assert response.status_code == 404
        assert response.headers["content-type"].startswith("text/html")


class TestCaching:
    async def test_etag_and_304_as_for_the_api(self, anonymous_client: AsyncClient) -> None:
        for path in (RANKING_2024, FRAGMENTS[0], "/"):
            first = await anonymous_client.get(path)
            assert first.headers["Cache-Control"] == "public, max-age=60"
            etag = first.headers["ETag"]
            again = await anonymous_client.get(path, headers={"If-None-Match": etag})
            assert again.status_code == 304
            english = await anonymous_client.get(f"{path}?lang=en")
            assert english.headers["ETag"] != etag

    async def test_a_write_changes_the_etag(
        self, client: AsyncClient, anonymous_client: AsyncClient
    ) -> None:
        before = (await anonymous_client.get(RANKING_2024)).headers["ETag"]
        assert (await client.post("/api/v1/years", json={"year": DRAFT_YEAR})).status_code == 201
        after = await anonymous_client.get(RANKING_2024, headers={"If-None-Match": before})
        assert after.status_code == 200
        assert after.headers["ETag"] != before

    async def test_served_from_the_result_cache_until_the_data_changes(
        self, build_app: AppBuilder, session: AsyncSession
    ) -> None:
        # Without the replay store, which would answer the repeat before the page is looked up.
        app = build_app(cache=CacheSettings(replay_max_bytes=0))
        async with (
            http_client(app) as anonymous,
            http_client(app, await api_key(session, "admin")) as admin,
        ):
            await anonymous.get(RANKING_2024)
            cache = app.state.result_cache
            key = ("page", RANKING_2024, "vi")
            assert isinstance(cache.get(key), bytes)
            cache.put(key, b"<p>served from the cache</p>", revision=cache.revision)
            assert (await anonymous.get(RANKING_2024)).text == "<p>served from the cache</p>"
            assert (await admin.post("/api/v1/years", json={"year": DRAFT_YEAR})).status_code == 201
            assert "Sở Y tế" in (await anonymous.get(RANKING_2024)).text


class TestUnitPage:
    async def test_breakdown_improvements_and_history_of_a_scored_unit(
        self, anonymous_client: AsyncClient
    ) -> None:
        code = "DEMO-DEP-CONSTRUCTION-TRANSPORT"
        html = (await anonymous_client.get(DEMO_UNIT)).text
        breakdown = await _api(anonymous_client, f"/years/2023/units/{code}/breakdown")
        rows = table_rows(html, "breakdown")
        fields = [n for n in breakdown["nodes"] if n["depth"] <= 2]
        assert [row[0] for row in rows] == [f"{n['code']}. {n['name']}" for n in fields]
        assert 'class="mean-mark"' in html
        assert 'class="best-mark"' in html
        improvements = await _api(anonymous_client, f"/years/2023/units/{code}/improvements")
        leaves = table_rows(html, "improvements")
        assert [row[0] for row in leaves] == [
            f"{leaf['code']}. {leaf['name']}" for leaf in improvements["leaves"]
        ]
        assert "Điều tra xã hội học" in html or "Đơn vị tự khắc phục" in html
        history = table_rows(html, "history")
        assert [row[0] for row in history] == ["2021", "2021", "2022", "2022", "2023"]
        # The merger of 1 January 2023 is marked on the line chart and listed.
        assert 'class="event"' in html
        assert '<time datetime="2023-01-01">' in html
        assert "sáp nhập: Demo Sở Giao thông vận tải → Demo Sở Xây dựng và Giao thông" in html

    async def test_a_unit_known_only_by_its_published_index(
        self, anonymous_client: AsyncClient
    ) -> None:
        response = await anonymous_client.get("/years/2024/units/LD-DEP-HEALTH")
        assert response.status_code == 200
        assert "không có điểm theo tiêu chí" in response.text
        assert "87,21" in response.text

    async def test_unknown_unit_is_a_404_page(self, anonymous_client: AsyncClient) -> None:
        response = await anonymous_client.get("/years/2024/units/NO-SUCH-UNIT")
        assert response.status_code == 404


class TestGroupImprovementsPage:
    async def test_lowest_units_and_weakest_criteria_as_the_api_lists_them(
        self, anonymous_client: AsyncClient
    ) -> None:
        html = (await anonymous_client.get(DEMO_IMPROVEMENTS)).text
        api = await _api(anonymous_client, "/years/2023/improvements/demo-department?limit=5")
        assert [row[1] for row in table_rows(html, "lowest")] == [
            u["unit"]["name"] for u in api["lowest_units"]
        ]
        assert [row[0] for row in table_rows(html, "criteria")] == [
            f"{c['code']}. {c['name']}" for c in api["weakest_criteria"]
        ]


class TestFragments:
    @pytest.mark.parametrize("path", FRAGMENTS)
    async def test_each_fragment_is_the_part_alone(
        self, anonymous_client: AsyncClient, path: str
    ) -> None:
        response = await anonymous_client.get(path)
        assert response.status_code == 200
        assert 'class="embed"' in response.text
        assert '<header class="site">' not in response.text
        assert "frame-ancestors 'none'" in response.headers["Content-Security-Policy"]
        assert response.headers["X-Frame-Options"] == "DENY"

    async def test_frame_ancestors_come_from_the_settings(self, build_app: AppBuilder) -> None:
        origin = "https://ioc.example.gov.vn"
        app = build_app(security=SecuritySettings(frame_ancestors=[origin]))
        async with http_client(app) as http:
            fragment = await http.get(FRAGMENTS[0])
            page = await http.get(RANKING_2024)
            api = await http.get("/api/v1/groups")
        assert f"frame-ancestors {origin}" in fragment.headers["Content-Security-Policy"]
        assert "X-Frame-Options" not in fragment.headers
        for response in (page, api):
            assert "frame-ancestors 'none'" in response.headers["Content-Security-Policy"]
            assert response.headers["X-Frame-Options"] == "DENY"

    def test_a_frame_ancestor_cannot_add_a_directive(self) -> None:
        with pytest.raises(ValueError, match="frame_ancestors"):
            SecuritySettings(frame_ancestors=["https://a.example; script-src *"])

    async def test_unknown_section_is_refused(self, anonymous_client: AsyncClient) -> None:
        response = await anonymous_client.get("/embed/years/2024/rankings/department/pie")
        assert response.status_code == 422


class TestOffline:
    @pytest.mark.parametrize("path", PAGES + FRAGMENTS)
    async def test_pages_load_nothing_from_elsewhere(
        self, anonymous_client: AsyncClient, path: str
    ) -> None:
        response = await anonymous_client.get(path)
        assert response.status_code == 200
        for url in loaded_urls(response.text):
            assert url.startswith("/"), (path, url)
            assert not url.startswith("//"), (path, url)
            assert (await anonymous_client.get(url)).status_code == 200, url
        csp = response.headers["Content-Security-Policy"]
        assert "http" not in csp
        assert "script-src" not in csp
        assert "style-src 'self'" in csp

    @pytest.mark.parametrize("path", ["/docs", "/redoc"])
    async def test_docs_load_only_assets_the_service_ships(
        self, anonymous_client: AsyncClient, path: str
    ) -> None:
        html = (await anonymous_client.get(path)).text
        urls = loaded_urls(html)
        assert any(url.endswith(".js") for url in urls)
        for url in urls:
            assert url.startswith(("/docs-assets/", "/static/")), url
            asset = await anonymous_client.get(url)
            assert asset.status_code == 200, url
            assert asset.content
        assert "cdn." not in html
        assert "googleapis" not in html

    async def test_pages_are_not_served_when_anonymous_reading_is_off(
        self, app: FastAPI, anonymous_client: AsyncClient
    ) -> None:
        auth = app.state.settings.auth.model_copy(update={"anonymous_read": False})
        app.state.settings = app.state.settings.model_copy(update={"auth": auth})
        response = await anonymous_client.get(RANKING_2024)
        assert response.status_code == 401
        assert "Sở Y tế" not in response.text
