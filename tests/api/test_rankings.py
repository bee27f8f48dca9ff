"""The ranking endpoint on the bundled Lam Dong and demo data."""

from decimal import Decimal
from typing import Any

from httpx import AsyncClient

from tests.builders import assert_problem, put_small_tree


async def ranking(client: AsyncClient, path: str, **params: str) -> dict[str, Any]:
    response = await client.get(f"/api/v1/years/{path}", params=params)
    assert response.status_code == 200, response.text
    body: dict[str, Any] = response.json()
    return body


def by_code(body: dict[str, Any]) -> dict[str, dict[str, Any]]:
    return {entry["unit"]["code"]: entry for entry in body["entries"]}


class TestPreviousYear:
    """The previous-year block never compares with a rank that was not published, and never
    points at another data set's year as if it were this one's."""

    async def test_2024_looks_at_2023_and_says_the_group_has_no_results_there(
        self, client: AsyncClient
    ) -> None:
        # 2023 exists only in the demo data set: the Lam Dong departments have no result in it.
        health = by_code(await ranking(client, "2024/rankings/department"))["LD-DEP-HEALTH"]
        assert health["previous"] == {
            "year": 2023,
            "comparable": False,
            "reason_code": "no_results_for_group_in_year",
            "reason": "nhóm của đơn vị này không có kết quả năm 2023",
            "results": [],
            "index": None,
            "rank": None,
            "rank_change": None,
            "index_change": None,
        }

    async def test_a_unit_missing_from_a_partly_published_year_was_not_published(
        self, client: AsyncClient
    ) -> None:
        justice = by_code(await ranking(client, "2025/rankings/department"))["LD-DEP-JUSTICE"]
        assert (justice["previous"]["year"], justice["previous"]["reason_code"]) == (
            2024,
            "not_published",
        )

    async def test_a_unit_created_during_the_year_is_new(self, client: AsyncClient) -> None:
        body = await ranking(client, "2025/rankings/department")
        foreign_affairs = by_code(body)["LD-DEP-FOREIGN-AFFAIRS"]["previous"]
        assert (foreign_affairs["reason_code"], foreign_affairs["comparable"]) == ("new", False)

    async def test_the_da_huoai_merger_is_a_merger(self, client: AsyncClient) -> None:
        body = await ranking(client, "2024/rankings/district")
        da_huoai = by_code(body)["LD-DIS-DA-HUOAI"]["previous"]
        assert (da_huoai["reason_code"], da_huoai["rank_change"]) == ("merged", None)


class TestDemoData:
    async def test_exact_tie_shares_a_rank_and_the_next_skips(self, client: AsyncClient) -> None:
        body = await ranking(client, "2023/rankings/demo-department")
        tied = [e for e in body["entries"] if e["tied"]]
        assert {e["unit"]["code"] for e in tied} == {"DEMO-DEP-EDUCATION", "DEMO-DEP-ENVIRONMENT"}
        assert len({e["rank"] for e in tied}) == 1
        next_rank = tied[0]["rank"] + 2
        ranks = [e["rank"] for e in body["entries"]]
        assert next_rank in ranks
        assert tied[0]["rank"] + 1 not in ranks
        assert body["coverage"]["complete"] is True
        assert {e["rank_basis"] for e in body["entries"]} == {"computed"}

    async def test_merger_shows_each_predecessor_never_aggregated(
        self, client: AsyncClient
    ) -> None:
        merged = by_code(await ranking(client, "2023/rankings/demo-department"))[
            "DEMO-DEP-CONSTRUCTION-TRANSPORT"
        ]
        previous = merged["previous"]
        assert (previous["comparable"], previous["reason_code"]) == (False, "merged")
        assert previous["rank_change"] is None
        assert previous["index_change"] is None
        assert {r["unit"]["code"] for r in previous["results"]} == {
            "DEMO-DEP-CONSTRUCTION",
            "DEMO-DEP-TRANSPORT",
        }
        assert {r["relation"] for r in previous["results"]} == {"merge"}

    async def test_rename_carries_the_history_over(self, client: AsyncClient) -> None:
        city = by_code(await ranking(client, "2022/rankings/demo-district"))[
            "DEMO-DIS-SUOI-BAC-CITY"
        ]
        previous = city["previous"]
        assert (previous["comparable"], previous["reason_code"]) == (True, "renamed")
        assert previous["results"][0]["unit"]["code"] == "DEMO-DIS-SUOI-BAC-TOWN"
        assert previous["rank_change"] == previous["rank"] - city["rank"]
        assert Decimal(previous["index_change"]) == Decimal(city["index"]) - Decimal(
            previous["index"]
        )

    async def test_unchanged_unit_reports_its_rank_change(self, client: AsyncClient) -> None:
        entries = (await ranking(client, "2023/rankings/demo-department"))["entries"]
        comparable = [e for e in entries if e["previous"]["comparable"]]
        assert comparable
        for entry in comparable:
            previous = entry["previous"]
            assert previous["reason_code"] == "same_unit"
            assert previous["rank_change"] == previous["rank"] - entry["rank"]
            assert Decimal(previous["index_change"]) == Decimal(entry["index"]) - Decimal(
                previous["index"]
            )

    async def test_statistics_summarise_the_indices(self, client: AsyncClient) -> None:
        body = await ranking(client, "2023/rankings/demo-department")
        stats = body["statistics"]
        assert stats["complete"] is True
        assert stats["count"] == len(body["entries"])
        assert stats["max"] == body["entries"][0]["index"]
        assert stats["min"] == body["entries"][-1]["index"]
        assert sum(stats["band_counts"].values()) == stats["count"]

    async def test_ranking_on_one_criterion(self, client: AsyncClient) -> None:
        body = await ranking(client, "2023/rankings/demo-department", criterion="3")
        assert body["criterion"]["code"] == "3"
        values = [float(e["value"]) for e in body["entries"]]
        assert values == sorted(values, reverse=True)
        assert body["entries"][0]["rank"] == 1

    async def test_language_chooses_the_primary_label(self, client: AsyncClient) -> None:
        english = await client.get(
            "/api/v1/years/2023/rankings/demo-department", headers={"Accept-Language": "en"}
        )
        assert english.headers["content-language"] == "en"
        assert english.json()["group"]["name"] == english.json()["group"]["name_en"]
        vietnamese = await client.get("/api/v1/years/2023/rankings/demo-department")
        assert vietnamese.json()["group"]["name"] == vietnamese.json()["group"]["name_vi"]


class TestErrors:
    async def test_unknown_year_group_or_criterion_is_a_404_problem(
        self, client: AsyncClient
    ) -> None:
        for path in (
            "/api/v1/years/2099/rankings/department",
            "/api/v1/years/2024/rankings/nope",
            "/api/v1/years/2023/rankings/demo-department?criterion=42",
        ):
            response = await client.get(path)
            assert response.status_code == 404, path
            assert response.headers["content-type"].startswith("application/problem+json")

    async def test_a_group_without_results_that_year_is_a_404_problem(
        self, client: AsyncClient
    ) -> None:
        await client.post("/api/v1/years", json={"year": 2031})
        for path in ("2031/rankings/department", "2025/rankings/district"):
            problem = assert_problem(await client.get(f"/api/v1/years/{path}"), 404)
            assert problem["type"].endswith("no-results-for-group")

    async def test_a_write_is_seen_by_the_next_ranking(self, client: AsyncClient) -> None:
        await client.post("/api/v1/years", json={"year": 2032})
        assert_problem(await client.get("/api/v1/years/2032/rankings/department"), 404)
        await client.post(
            "/api/v1/units",
            json={"code": "T-NEW", "name_vi": "Sở mới", "name_en": "New", "group": "department"},
        )
        await put_small_tree(client, 2032)
        put = await client.put(
            "/api/v1/years/2032/units/T-NEW/scores",
            json={"scores": [{"criterion": "2.1", "final_score": "5"}]},
        )
        assert put.status_code == 200, put.text
        body = await ranking(client, "2032/rankings/department")
        assert [(e["unit"]["code"], e["index"]) for e in body["entries"]] == [("T-NEW", "50.00")]
        # The registry's other departments of 2032 have no result: one scored unit is not the
        # group, so it gets no rank.
        assert (body["coverage"]["complete"], body["entries"][0]["rank"]) == (False, None)
