"""The ranking endpoint on the bundled Lam Dong and demo data."""

from typing import Any

from httpx import AsyncClient

from tests.builders import put_small_tree


async def ranking(client: AsyncClient, path: str, **params: str) -> dict[str, Any]:
    response = await client.get(f"/api/v1/years/{path}", params=params)
    assert response.status_code == 200, response.text
    body: dict[str, Any] = response.json()
    return body


def by_code(body: dict[str, Any]) -> dict[str, dict[str, Any]]:
    return {entry["unit"]["code"]: entry for entry in body["entries"]}


class TestLamDongAsPublished:
    async def test_2024_departments_reproduce_the_published_figures(
        self, client: AsyncClient
    ) -> None:
        body = await ranking(client, "2024/rankings/department")
        rows = [(e["rank"], e["unit"]["name_en"], e["index"]) for e in body["entries"]]
        assert rows[:3] == [
            (1, "Department of Home Affairs", "92.96"),
            (2, "Department of Information and Communications", "92.46"),
            (3, "Department of Finance", "91.34"),
        ]
        entries = by_code(body)
        health, nre = entries["LD-DEP-HEALTH"], entries["LD-DEP-NATURAL-RESOURCES-ENV"]
        assert health["rank"] == nre["rank"] == 4
        assert health["index"] == nre["index"] == "87.21"
        assert health["tied"]
        assert health["tie_size"] == 2
        assert rows[-1] == (6, "Industrial Park Management Board", "86.29")
        assert all(e["rank_disagrees"] in (False, None) for e in body["entries"])
        assert body["published_summary"]["source"] == "lamdong-2024"

    async def test_nothing_is_invented_where_nothing_was_published(
        self, client: AsyncClient
    ) -> None:
        body = await ranking(client, "2024/rankings/department")
        for entry in body["entries"]:
            assert entry["basis"] == "published_index"
            assert entry["total"] is None
            assert entry["band"] is None

    async def test_2024_districts_are_listed_in_the_published_order(
        self, client: AsyncClient
    ) -> None:
        body = await ranking(client, "2024/rankings/district")
        names = [
            e["unit"]["name_en"].split(" District")[0].split(" City")[0] for e in body["entries"]
        ]
        assert names == [
            "Bao Lam", "Lac Duong", "Don Duong", "Lam Ha", "Bao Loc",
            "Da Huoai", "Duc Trong", "Da Lat", "Dam Rong", "Di Linh",
        ]  # fmt: skip
        assert [e["rank"] for e in body["entries"]] == list(range(1, 11))
        assert all(e["index"] is None and e["basis"] == "published_rank" for e in body["entries"])

    async def test_2025_departments_justice_first_foreign_affairs_last(
        self, client: AsyncClient
    ) -> None:
        entries = (await ranking(client, "2025/rankings/department"))["entries"]
        assert (entries[0]["unit"]["code"], entries[0]["index"]) == ("LD-DEP-JUSTICE", "93.01")
        assert (entries[-1]["unit"]["code"], entries[-1]["index"]) == (
            "LD-DEP-FOREIGN-AFFAIRS",
            "60.43",
        )
        assert entries[0]["published"]["band_vi"] == "Tốt"

    async def test_communes_carry_the_published_band_counts(self, client: AsyncClient) -> None:
        body = await ranking(client, "2025/rankings/commune")
        assert body["published_summary"]["band_counts"] == {"Tốt": 26, "Khá": 80, "Trung bình": 18}
        assert body["published_summary"]["unit_count"] == 124
        phu_thuy = by_code(body)["LD-COM-PHU-THUY"]
        assert phu_thuy["rank"] == 3
        assert phu_thuy["previous"]["comparable"] is False


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

    async def test_merger_shows_each_predecessor_never_aggregated(
        self, client: AsyncClient
    ) -> None:
        merged = by_code(await ranking(client, "2023/rankings/demo-department"))[
            "DEMO-DEP-CONSTRUCTION-TRANSPORT"
        ]
        previous = merged["previous"]
        assert previous["comparable"] is False
        assert previous["rank_change"] is None
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
        assert previous["comparable"] is True
        assert previous["results"][0]["unit"]["code"] == "DEMO-DIS-SUOI-BAC-TOWN"
        assert previous["rank_change"] == previous["rank"] - city["rank"]

    async def test_unchanged_unit_reports_its_rank_change(self, client: AsyncClient) -> None:
        entries = (await ranking(client, "2023/rankings/demo-department"))["entries"]
        comparable = [e for e in entries if e["previous"]["comparable"]]
        assert comparable
        for entry in comparable:
            assert entry["previous"]["rank_change"] == entry["previous"]["rank"] - entry["rank"]

    async def test_statistics_summarise_the_indices(self, client: AsyncClient) -> None:
        body = await ranking(client, "2023/rankings/demo-department")
        stats = body["statistics"]
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

    async def test_a_year_without_results_is_an_empty_ranking(self, client: AsyncClient) -> None:
        await client.post("/api/v1/years", json={"year": 2031})
        body = await ranking(client, "2031/rankings/department")
        assert body["entries"] == []
        assert body["statistics"]["count"] == 0

    async def test_a_write_is_seen_by_the_next_ranking(self, client: AsyncClient) -> None:
        await client.post("/api/v1/years", json={"year": 2032})
        assert (await ranking(client, "2032/rankings/department"))["entries"] == []
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
        entries = (await ranking(client, "2032/rankings/department"))["entries"]
        assert [(e["unit"]["code"], e["index"]) for e in entries] == [("T-NEW", "50.00")]
