"""Points to the next rank, checked by doing it: the reported gain, added to the leaves as a
correction, raises the unit's rank in the served ranking; 0.0001 point less does not."""

from decimal import Decimal
from typing import Any

import pytest
from httpx import AsyncClient

YEAR = 2023
GROUP = "demo-department"
STEP = Decimal("0.0001")


async def get_json(client: AsyncClient, path: str) -> Any:
    response = await client.get(f"/api/v1/{path}")
    assert response.status_code == 200, response.text
    return response.json()


async def rank_of(client: AsyncClient, code: str) -> tuple[int, str]:
    ranking = await get_json(client, f"years/{YEAR}/rankings/{GROUP}")
    [entry] = [e for e in ranking["entries"] if e["unit"]["code"] == code]
    return entry["rank"], entry["index"]


async def add_points(client: AsyncClient, code: str, points: Decimal) -> None:
    """Raise the unit's total by `points`, leaf by leaf up to each maximum, as a correction."""
    scores = (await get_json(client, f"years/{YEAR}/units/{code}/scores"))["scores"]
    for leaf in scores:
        if leaf["method"] not in ("appraisal", "indicator", "survey"):
            continue
        final = Decimal(leaf["final_score"])
        added = min(points, Decimal(leaf["max_score"]) - final)
        leaf["final_score"] = str(final + added)
        points -= added
    assert points == 0, "no room left for the points"
    body = {
        "scores": [
            {key: s[key] for key in ("criterion", "self_score", "final_score", "note")}
            for s in scores
        ],
        "correction_reason": "Checking the points to the next rank",
    }
    response = await client.put(f"/api/v1/years/{YEAR}/units/{code}/scores", json=body)
    assert response.status_code == 200, response.text


@pytest.mark.parametrize("code", ["DEMO-DEP-HEALTH", "DEMO-DEP-EDUCATION", "DEMO-DEP-INDUSTRY"])
async def test_the_reported_gain_reaches_the_next_rank(client: AsyncClient, code: str) -> None:
    improvements = await get_json(client, f"years/{YEAR}/units/{code}/improvements?limit=1")
    above = improvements["next_rank"]
    assert above is not None
    rank, index = await rank_of(client, code)
    gain = Decimal(above["total_points_needed"])
    assert Decimal(above["index_points_needed"]) == Decimal(above["index"]) - Decimal(index)

    await add_points(client, code, gain - STEP)
    assert (await rank_of(client, code))[0] == rank

    await add_points(client, code, STEP)
    assert await rank_of(client, code) == (above["rank"], above["index"])


async def test_passing_takes_one_hundredth_more(client: AsyncClient) -> None:
    code = "DEMO-DEP-HEALTH"
    above = (await get_json(client, f"years/{YEAR}/units/{code}/improvements"))["next_rank"]
    assert Decimal(above["index_points_to_pass"]) == Decimal(above["index_points_needed"]) + (
        Decimal("0.01")
    )
    await add_points(client, code, Decimal(above["total_points_to_pass"]))
    rank, index = await rank_of(client, code)
    assert Decimal(index) == Decimal(above["index"]) + Decimal("0.01")
    # Alone above the unit it passed (and above any unit tied with it).
    assert rank <= above["rank"]
    assert (await rank_of(client, above["unit"]["code"]))[0] == rank + 1
