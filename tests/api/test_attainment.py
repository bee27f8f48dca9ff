"""Attainment in improvement lists: from exact sums, rounded once."""

from decimal import Decimal
from typing import Any

from httpx import AsyncClient

from tests.builders import (
    create_draft_year,
    create_group,
    create_unit,
    put_small_tree,
    small_tree,
)

# A group of the test's own units only: the Lam Dong departments would make it partial.
GROUP = "t-attainment"


async def put_scores(client: AsyncClient, year: int, unit: str, scores: dict[str, str]) -> None:
    rows = [{"criterion": code, "final_score": value} for code, value in scores.items()]
    response = await client.put(f"/api/v1/years/{year}/units/{unit}/scores", json={"scores": rows})
    assert response.status_code == 200, response.text


async def weakest_criteria(client: AsyncClient, year: int) -> dict[str, dict[str, Any]]:
    response = await client.get(f"/api/v1/years/{year}/improvements/{GROUP}?limit=50")
    assert response.status_code == 200, response.text
    return {row["code"]: row for row in response.json()["weakest_criteria"]}


class TestGroupWeakestCriteria:
    async def test_mean_attainment_is_rounded_once_from_the_exact_sum(
        self, client: AsyncClient
    ) -> None:
        # Leaf 1.2 has max 2.5. Seven units score 13.595 on it in all: the exact mean is
        # 1.942142…, so the mean attainment is 13.595 / (7 × 2.5) × 100 = 77.6857… → 77.69.
        # Rounding the mean to 1.9421 first would give 77.684 → 77.68.
        year = await create_draft_year(client)
        await create_group(client, GROUP)
        await put_small_tree(client, year, GROUP)
        leaf_scores = ["1.94"] * 6 + ["1.955"]
        for position, score in enumerate(leaf_scores):
            code = f"T-ATT-{position}"
            await create_unit(client, code, group=GROUP)
            await put_scores(client, year, code, {"1.2": score})
        exact = sum(Decimal(s) for s in leaf_scores) / (len(leaf_scores) * Decimal("2.5")) * 100
        assert Decimal("77.685") < exact < Decimal("77.69")

        row = (await weakest_criteria(client, year))["1.2"]

        assert Decimal(row["mean_attainment_pct"]) == Decimal("77.69")


def tree_with_an_informational_leaf() -> dict[str, Any]:
    """The small tree with leaf 1.3, an informational item worth no points (max 0)."""
    tree = small_tree()
    tree["criteria"].insert(
        3,
        {
            "code": "1.3",
            "name_vi": "Thông tin",
            "name_en": "For information",
            "max_score": "0",
            "method": "appraisal",
        },
    )
    return tree


class TestLeafWithMaximumZero:
    async def test_is_accepted_without_attainment_and_kept_out_of_weakest_lists(
        self, client: AsyncClient
    ) -> None:
        year = await create_draft_year(client)
        await create_group(client, GROUP)
        put = await client.put(
            f"/api/v1/years/{year}/criteria/{GROUP}", json=tree_with_an_informational_leaf()
        )
        assert put.status_code == 200, put.text
        for code, plan in (("T-ZERO-1", "1.5"), ("T-ZERO-2", "0.5")):
            await create_unit(client, code, group=GROUP)
            await put_scores(client, year, code, {"1.1": plan, "1.3": "0", "2.1": "3"})

        breakdown = await client.get(f"/api/v1/years/{year}/units/T-ZERO-2/breakdown")
        assert breakdown.status_code == 200, breakdown.text
        node = {n["code"]: n for n in breakdown.json()["nodes"]}["1.3"]
        assert (node["max_score"], node["score"], node["attainment_pct"]) == ("0.00", "0.00", None)

        unit = await client.get(f"/api/v1/years/{year}/units/T-ZERO-2/improvements?limit=50")
        assert unit.status_code == 200, unit.text
        listed = [leaf["code"] for leaf in unit.json()["leaves"]]
        assert "1.3" not in listed
        assert "1.1" in listed
        weakest = await weakest_criteria(client, year)
        assert "1.3" not in weakest
        assert "1.1" in weakest
