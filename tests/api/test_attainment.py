"""Attainment in improvement lists: from exact sums, rounded once."""

from decimal import Decimal
from typing import Any

from httpx import AsyncClient

from tests.builders import create_draft_year, create_unit, put_small_tree

GROUP = "department"


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
        await put_small_tree(client, year)
        leaf_scores = ["1.94"] * 6 + ["1.955"]
        for position, score in enumerate(leaf_scores):
            code = f"T-ATT-{position}"
            await create_unit(client, code)
            await put_scores(client, year, code, {"1.2": score})
        exact = sum(Decimal(s) for s in leaf_scores) / (len(leaf_scores) * Decimal("2.5")) * 100
        assert Decimal("77.685") < exact < Decimal("77.69")

        row = (await weakest_criteria(client, year))["1.2"]

        assert Decimal(row["mean_attainment_pct"]) == Decimal("77.69")
