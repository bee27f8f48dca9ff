"""Breakdowns, improvement lists and histories on the demo data."""

from decimal import Decimal
from typing import Any

from httpx import AsyncClient

YEAR = 2023
GROUP = "demo-department"


async def get_json(client: AsyncClient, path: str) -> Any:
    response = await client.get(f"/api/v1/{path}")
    assert response.status_code == 200, response.text
    return response.json()


def code_key(code: str) -> tuple[int, ...]:
    return tuple(int(part) for part in code.split("."))


class TestGetBreakdown:
    async def test_totals_equal_the_ranking_for_every_unit(self, client: AsyncClient) -> None:
        ranking = await get_json(client, f"years/{YEAR}/rankings/{GROUP}")
        for entry in ranking["entries"]:
            code = entry["unit"]["code"]
            breakdown = await get_json(client, f"years/{YEAR}/units/{code}/breakdown")
            assert breakdown["total"] == entry["total"]
            assert breakdown["index"] == entry["index"]
            assert breakdown["rank"] == entry["rank"]
            roots = [n for n in breakdown["nodes"] if n["depth"] == 1]
            assert sum(Decimal(n["score"]) for n in roots) == Decimal(breakdown["total"])

    async def test_each_node_has_group_statistics(self, client: AsyncClient) -> None:
        breakdown = await get_json(client, f"years/{YEAR}/units/DEMO-DEP-EDUCATION/breakdown")
        for node in breakdown["nodes"]:
            assert Decimal(node["group_best"]) >= Decimal(node["score"])
            assert node["rank"] >= 1
            if node["method"] != "penalty" and node["depth"] > 1:
                lost = Decimal(node["max_score"]) - Decimal(node["score"])
                assert Decimal(node["points_lost"]) == lost

    async def test_a_unit_with_only_published_totals_has_no_breakdown(
        self, client: AsyncClient
    ) -> None:
        response = await client.get("/api/v1/years/2024/units/LD-DEP-HEALTH/breakdown")
        assert response.status_code == 404
        assert response.json()["type"].endswith("no-leaf-scores")


class TestGetUnitImprovements:
    async def test_leaves_are_ordered_by_points_lost_then_attainment_then_code(
        self, client: AsyncClient
    ) -> None:
        body = await get_json(client, f"years/{YEAR}/units/DEMO-DEP-INDUSTRY/improvements?limit=40")
        keys = [
            (-Decimal(leaf["points_lost"]), Decimal(leaf["attainment_pct"]), code_key(leaf["code"]))
            for leaf in body["leaves"]
        ]
        assert keys == sorted(keys)
        assert all(leaf["method"] != "bonus" for leaf in body["leaves"])
        surveys = [leaf for leaf in body["leaves"] if leaf["method"] == "survey"]
        assert surveys
        assert all(not leaf["unit_controls"] for leaf in surveys)

    async def test_points_to_next_rank_pass_the_unit_above(self, client: AsyncClient) -> None:
        body = await get_json(client, f"years/{YEAR}/units/DEMO-DEP-EDUCATION/improvements")
        above = body["next_rank"]
        assert above["rank"] < body["rank"]
        needed = Decimal(above["index"]) + Decimal("0.01") - Decimal(body["index"])
        assert Decimal(above["index_points_needed"]) == needed

    async def test_the_top_unit_has_no_next_rank(self, client: AsyncClient) -> None:
        ranking = await get_json(client, f"years/{YEAR}/rankings/{GROUP}")
        top = ranking["entries"][0]["unit"]["code"]
        body = await get_json(client, f"years/{YEAR}/units/{top}/improvements?limit=1")
        assert body["next_rank"] is None
        assert len(body["leaves"]) == 1


class TestGetGroupImprovements:
    async def test_lists_the_lowest_units_and_weakest_criteria(self, client: AsyncClient) -> None:
        body = await get_json(client, f"years/{YEAR}/improvements/{GROUP}?limit=3")
        indices = [Decimal(u["index"]) for u in body["lowest_units"]]
        assert indices == sorted(indices)
        assert len(body["lowest_units"]) == 3
        assert all(len(u["weakest_fields"]) == 3 for u in body["lowest_units"])
        assert all(f["code"] != "9" for u in body["lowest_units"] for f in u["weakest_fields"])
        means = [Decimal(c["mean_attainment_pct"]) for c in body["weakest_criteria"]]
        assert means == sorted(means)

    async def test_published_lowest_three_include_the_tie(self, client: AsyncClient) -> None:
        body = await get_json(client, "years/2024/improvements/department?limit=3")
        assert [(u["unit"]["code"], u["index"]) for u in body["lowest_units"]] == [
            ("LD-DEP-INDUSTRIAL-PARKS-MB", "86.29"),
            ("LD-DEP-HEALTH", "87.21"),
            ("LD-DEP-NATURAL-RESOURCES-ENV", "87.21"),
        ]
        assert body["weakest_criteria"] == []


class TestGetUnitHistory:
    async def test_merged_unit_shows_each_predecessor_before_the_merger(
        self, client: AsyncClient
    ) -> None:
        body = await get_json(client, "units/DEMO-DEP-CONSTRUCTION-TRANSPORT/history")
        rows = [(e["year"], e["unit"]["code"], e["relation"]) for e in body["entries"]]
        assert rows == [
            (2021, "DEMO-DEP-CONSTRUCTION", "merge"),
            (2021, "DEMO-DEP-TRANSPORT", "merge"),
            (2022, "DEMO-DEP-CONSTRUCTION", "merge"),
            (2022, "DEMO-DEP-TRANSPORT", "merge"),
            (2023, "DEMO-DEP-CONSTRUCTION-TRANSPORT", "self"),
        ]

    async def test_history_matches_the_rankings(self, client: AsyncClient) -> None:
        body = await get_json(client, "units/DEMO-DIS-SUOI-BAC-CITY/history")
        for entry in body["entries"]:
            ranking = await get_json(client, f"years/{entry['year']}/rankings/{entry['group']}")
            ranked = {e["unit"]["code"]: e for e in ranking["entries"]}[entry["unit"]["code"]]
            assert (ranked["index"], ranked["rank"]) == (entry["index"], entry["rank"])
        assert body["entries"][0]["relation"] == "rename"

    async def test_published_history_of_a_lam_dong_unit(self, client: AsyncClient) -> None:
        body = await get_json(client, "units/LD-DEP-HEALTH/history")
        assert [(e["year"], e["index"], e["rank"]) for e in body["entries"]] == [(2024, "87.21", 4)]

    async def test_unknown_unit_is_a_404_problem(self, client: AsyncClient) -> None:
        response = await client.get("/api/v1/units/NOPE/history")
        assert response.status_code == 404
        assert response.headers["content-type"].startswith("application/problem+json")
