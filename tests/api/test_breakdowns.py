"""Breakdowns, improvement lists and histories on the demo data."""

from decimal import Decimal
from fractions import Fraction
from typing import Any

from httpx import AsyncClient

from tests.builders import create_draft_year, create_unit, put_small_tree
from tests.recompute import recompute

YEAR = 2023
GROUP = "demo-department"


async def get_json(client: AsyncClient, path: str) -> Any:
    response = await client.get(f"/api/v1/{path}")
    assert response.status_code == 200, response.text
    return response.json()


async def index_with_extra_points(
    client: AsyncClient, unit: str, original: list[dict[str, Any]], extra: Decimal
) -> dict[str, Decimal]:
    """Every unit's served index once `extra` points are added to the unit's `original`
    scores, on its leaves with room left in code order (the test's transaction is rolled
    back)."""
    criteria = await get_json(client, f"years/{YEAR}/criteria/{GROUP}")
    maxima = {c["code"]: Decimal(c["max_score"]) for c in criteria["criteria"]}
    methods = {c["code"]: c["method"] for c in criteria["criteria"]}
    scores = [dict(score) for score in original]
    for score in scores:
        final = Decimal(score["final_score"])
        if methods[score["criterion"]] in ("appraisal", "survey", "indicator"):
            gain = min(extra, maxima[score["criterion"]] - final)
            score["final_score"], extra = str(final + gain), extra - gain
    assert extra == 0
    rows = [{k: s[k] for k in ("criterion", "self_score", "final_score", "note")} for s in scores]
    # YEAR is published: the change is a correction (rolled back with the test).
    body = {"scores": rows, "correction_reason": "What the unit would need"}
    response = await client.put(f"/api/v1/years/{YEAR}/units/{unit}/scores", json=body)
    assert response.status_code == 200, response.text
    ranking = await get_json(client, f"years/{YEAR}/rankings/{GROUP}")
    return {e["unit"]["code"]: Decimal(e["index"]) for e in ranking["entries"]}


def code_key(code: str) -> tuple[int, ...]:
    return tuple(int(part) for part in code.split("."))


class TestGetBreakdown:
    async def test_every_node_total_index_and_rank_from_the_exported_scores(
        self, client: AsyncClient
    ) -> None:
        expected = await recompute(client, YEAR, GROUP)
        indices, ranks = expected.indices(), expected.ranks()
        for code in expected.finals:
            breakdown = await get_json(client, f"years/{YEAR}/units/{code}/breakdown")
            assert Fraction(Decimal(breakdown["total"])) == expected.total(code)
            assert Fraction(Decimal(breakdown["index"])) == indices[code]
            assert Fraction(Decimal(breakdown["max_score"])) == expected.maximum
            assert breakdown["rank"] == ranks[code]
            for node in breakdown["nodes"]:
                points = expected.node_points(code, node["code"])
                assert Fraction(Decimal(node["score"])) == points, (code, node["code"])

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

    async def test_a_partly_published_group_offers_no_lowest_units(
        self, client: AsyncClient
    ) -> None:
        # Only the top and bottom three of about twenty were published: the lowest of those
        # listed are not known to be the group's lowest, so nothing is offered.
        body = await get_json(client, "years/2024/improvements/department?limit=3")
        assert body["coverage"]["complete"] is False
        assert body["lowest_units"] == []
        assert body["weakest_criteria"] == []

    async def test_a_group_without_results_that_year_is_a_404_problem(
        self, client: AsyncClient
    ) -> None:
        response = await client.get("/api/v1/years/2025/improvements/district")
        assert response.status_code == 404
        assert response.json()["type"].endswith("no-results-for-group")


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

    async def test_renamed_unit_history_from_each_years_exported_scores(
        self, client: AsyncClient
    ) -> None:
        codes = {"DEMO-DIS-SUOI-BAC-CITY": "self", "DEMO-DIS-SUOI-BAC-TOWN": "rename"}
        expected = []
        for year in (2021, 2022, 2023):
            results = await recompute(client, year, "demo-district")
            indices, ranks = results.indices(), results.ranks()
            expected += [
                (year, code, codes[code], indices[code], ranks[code])
                for code in sorted(codes, key=lambda c: codes[c] != "self")
                if code in indices
            ]
        body = await get_json(client, "units/DEMO-DIS-SUOI-BAC-CITY/history")
        served = [
            (e["year"], e["unit"]["code"], e["relation"], Fraction(Decimal(e["index"])), e["rank"])
            for e in body["entries"]
        ]
        assert served == expected
        assert "rename" in {relation for _, _, relation, _, _ in expected}

    async def test_published_history_of_a_lam_dong_unit(self, client: AsyncClient) -> None:
        body = await get_json(client, "units/LD-DEP-HEALTH/history")
        assert [
            (e["year"], e["index"], e["rank"], e["group_complete"], e["published"]["place"]["code"])
            for e in body["entries"]
        ] == [(2024, "87.21", None, False, "bottom_3")]

    async def test_unknown_unit_is_a_404_problem(self, client: AsyncClient) -> None:
        response = await client.get("/api/v1/units/NOPE/history")
        assert response.status_code == 404
        assert response.headers["content-type"].startswith("application/problem+json")


class TestPartlyScoredGroup:
    """One department scored while the registry lists others for the year: nothing computed
    over the group describes it, so no group figure and no rank is shown."""

    async def test_no_rank_mean_or_next_rank_for_one_unit_of_many(
        self, client: AsyncClient
    ) -> None:
        await create_draft_year(client, 2034)
        await put_small_tree(client, 2034)
        await create_unit(client, "T-ONE")
        scores = {"scores": [{"criterion": "1.1", "final_score": "1"}]}
        response = await client.put("/api/v1/years/2034/units/T-ONE/scores", json=scores)
        assert response.status_code == 200, response.text

        breakdown = await get_json(client, "years/2034/units/T-ONE/breakdown")
        assert (breakdown["rank"], breakdown["coverage"]["complete"]) == (None, False)
        assert {(n["group_mean"], n["group_best"], n["rank"]) for n in breakdown["nodes"]} == {
            (None, None, None)
        }
        improvements = await get_json(client, "years/2034/units/T-ONE/improvements")
        assert improvements["next_rank"] is None
        assert {leaf["group_mean"] for leaf in improvements["leaves"]} == {None}
        on_criterion = await get_json(client, "years/2034/rankings/department?criterion=1")
        assert [(e["unit"]["code"], e["rank"]) for e in on_criterion["entries"]] == [
            ("T-ONE", None)
        ]
