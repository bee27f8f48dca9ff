"""Every served index, total and rank, recomputed here from the exported leaf scores alone.

The recomputation uses only what a client can download (the criteria set and the scores export
in the import layout) and exact fractions: index = total / max × 100, rounded half away from
zero to hundredths, then standard competition ranking.
"""

import csv
import io
from decimal import Decimal
from fractions import Fraction
from math import floor
from typing import Any

import pytest
from httpx import AsyncClient

from tests.builders import create_draft_year, create_unit, put_small_tree

DEMO_GROUPS = ("demo-department", "demo-district")


async def get_ok(client: AsyncClient, path: str, **params: str) -> Any:
    response = await client.get(f"/api/v1/{path}", params=params)
    assert response.status_code == 200, response.text
    return response


def round_half_up(value: Fraction) -> Fraction:
    """To hundredths, a half away from zero (87.205 → 87.21, −9.985 → −9.99)."""
    hundredths = floor(abs(value) * 100 + Fraction(1, 2))
    return Fraction(hundredths if value >= 0 else -hundredths, 100)


def competition_ranks(indices: dict[str, Fraction]) -> dict[str, int]:
    return {
        code: 1 + sum(other > own for other in indices.values()) for code, own in indices.items()
    }


async def recomputed(
    client: AsyncClient, year: int, group: str
) -> tuple[dict[str, Fraction], dict[str, Fraction]]:
    """Each scored unit's total and index, from the criteria set and the scores export."""
    criteria = (await get_ok(client, f"years/{year}/criteria/{group}")).json()
    sign = {
        c["code"]: -1 if c["method"] == "penalty" else 1
        for c in criteria["criteria"]
        if c["is_leaf"]
    }
    export = await get_ok(client, f"years/{year}/scores/export", format="csv", group=group)
    totals: dict[str, Fraction] = {}
    for row in csv.DictReader(io.StringIO(export.text)):
        total = totals.setdefault(row["unit_code"], Fraction(0))
        if row["final_score"]:
            totals[row["unit_code"]] = total + sign[row["criterion_code"]] * Fraction(
                row["final_score"]
            )
    maximum = Fraction(criteria["max_score"])
    return totals, {code: round_half_up(t / maximum * 100) for code, t in totals.items()}


async def assert_served_as_recomputed(client: AsyncClient, year: int, group: str) -> int:
    totals, indices = await recomputed(client, year, group)
    ranking = (await get_ok(client, f"years/{year}/rankings/{group}")).json()
    served = {e["unit"]["code"]: e for e in ranking["entries"] if e["basis"] == "leaf_scores"}
    assert set(served) == set(indices)
    ranks = competition_ranks(indices)
    for code, entry in served.items():
        assert Fraction(Decimal(entry["total"])) == totals[code], code
        assert Fraction(Decimal(entry["index"])) == indices[code], code
        assert entry["rank"] == ranks[code], code
    return len(served)


class TestServedIndexEqualsRecomputed:
    @pytest.mark.parametrize("year", [2021, 2022, 2023])
    @pytest.mark.parametrize("group", DEMO_GROUPS)
    async def test_demo_rankings(self, client: AsyncClient, year: int, group: str) -> None:
        assert await assert_served_as_recomputed(client, year, group) > 0

    async def test_indices_that_land_on_a_half(self, client: AsyncClient) -> None:
        # Max 10: 4.3215 → 43.215, 2.3215 → 23.215, −0.9985 → −9.985 (half-even would give
        # 43.22, 23.22 and −9.98: only the first agrees).
        year = await create_draft_year(client)
        await put_small_tree(client, year)
        units = {
            "T-HALF-1": {"1.1": "1.5", "1.2": "2.5", "2.1": "0.3215"},
            "T-HALF-2": {"1.1": "1.5", "1.2": "0.8215"},
            "T-HALF-3": {"1.2": "0.0015", "3.2": "1"},
        }
        for code, scores in units.items():
            await create_unit(client, code)
            rows = [{"criterion": leaf, "final_score": value} for leaf, value in scores.items()]
            response = await client.put(
                f"/api/v1/years/{year}/units/{code}/scores", json={"scores": rows}
            )
            assert response.status_code == 200, response.text

        assert await assert_served_as_recomputed(client, year, "department") == 3
        _, indices = await recomputed(client, year, "department")
        assert sorted(indices.values()) == [Fraction("-9.99"), Fraction("23.22"), Fraction("43.22")]
