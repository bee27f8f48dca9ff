"""Every served index, total and rank, recomputed from the exported leaf scores alone
(tests/recompute.py)."""

from decimal import Decimal
from fractions import Fraction

import pytest
from httpx import AsyncClient

from tests.builders import create_draft_year, create_group, create_unit, put_small_tree
from tests.recompute import recompute

DEMO_GROUPS = ("demo-department", "demo-district")


async def assert_served_as_recomputed(client: AsyncClient, year: int, group: str) -> int:
    expected = await recompute(client, year, group)
    response = await client.get(f"/api/v1/years/{year}/rankings/{group}")
    assert response.status_code == 200, response.text
    entries = response.json()["entries"]
    served = {e["unit"]["code"]: e for e in entries if e["basis"] == "leaf_scores"}
    indices, ranks = expected.indices(), expected.ranks()
    assert set(served) == set(indices)
    for code, entry in served.items():
        assert Fraction(Decimal(entry["total"])) == expected.total(code), code
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
        # A group of these units only: the Lam Dong departments would make it partial.
        group = await create_group(client, "t-half")
        await put_small_tree(client, year, group)
        units = {
            "T-HALF-1": {"1.1": "1.5", "1.2": "2.5", "2.1": "0.3215"},
            "T-HALF-2": {"1.1": "1.5", "1.2": "0.8215"},
            "T-HALF-3": {"1.2": "0.0015", "3.2": "1"},
        }
        for code, scores in units.items():
            await create_unit(client, code, group=group)
            rows = [{"criterion": leaf, "final_score": value} for leaf, value in scores.items()]
            response = await client.put(
                f"/api/v1/years/{year}/units/{code}/scores", json={"scores": rows}
            )
            assert response.status_code == 200, response.text

        assert await assert_served_as_recomputed(client, year, group) == 3
        indices = (await recompute(client, year, group)).indices()
        assert sorted(indices.values()) == [Fraction("-9.99"), Fraction("23.22"), Fraction("43.22")]
