"""Reorganisations between two years through the API: judged by the whole lineage component."""

from typing import Any

from httpx import AsyncClient
from sqlalchemy.ext.asyncio import AsyncSession

from tests.builders import add_group, create_draft_year, create_unit, put_small_tree

GROUP = "t-reorg"
BEFORE, AFTER = 2040, 2041


async def scored_year(client: AsyncClient, year: int, satisfaction: dict[str, str]) -> None:
    await create_draft_year(client, year)
    await put_small_tree(client, year, GROUP)
    for code, score in satisfaction.items():
        response = await client.put(
            f"/api/v1/years/{year}/units/{code}/scores",
            json={"scores": [{"criterion": "2.1", "final_score": score}]},
        )
        assert response.status_code == 200, response.text


async def lineage(client: AsyncClient, predecessor: str, successor: str, kind: str) -> None:
    response = await client.post(
        "/api/v1/lineage",
        json={
            "predecessor": predecessor,
            "successor": successor,
            "kind": kind,
            "effective_date": f"{AFTER}-01-01",
        },
    )
    assert response.status_code == 201, response.text


async def previous_blocks(client: AsyncClient) -> dict[str, dict[str, Any]]:
    response = await client.get(f"/api/v1/years/{AFTER}/rankings/{GROUP}")
    assert response.status_code == 200, response.text
    return {e["unit"]["code"]: e["previous"] for e in response.json()["entries"]}


class TestManyToMany:
    async def test_districts_into_communes_are_many_to_many_for_every_commune(
        self, client: AsyncClient, session: AsyncSession
    ) -> None:
        # Two districts become three communes; the middle one takes from both. On its own
        # edges T-C1 looks split off and T-C2 merged: the component decides.
        await add_group(session, GROUP)
        last_day = f"{BEFORE}-12-31"
        for code in ("T-D1", "T-D2"):
            await create_unit(client, code, GROUP, valid_to=last_day)
        for code in ("T-C1", "T-C2", "T-C3"):
            await create_unit(client, code, GROUP, valid_from=f"{AFTER}-01-01")
        await scored_year(client, BEFORE, {"T-D1": "6", "T-D2": "3"})
        await scored_year(client, AFTER, {"T-C1": "5", "T-C2": "4", "T-C3": "2"})
        await lineage(client, "T-D1", "T-C1", "split")
        await lineage(client, "T-D1", "T-C2", "merge")
        await lineage(client, "T-D2", "T-C2", "merge")
        await lineage(client, "T-D2", "T-C3", "split")

        blocks = await previous_blocks(client)
        assert {code: block["reason_code"] for code, block in blocks.items()} == {
            "T-C1": "many_to_many",
            "T-C2": "many_to_many",
            "T-C3": "many_to_many",
        }
        middle = blocks["T-C2"]
        assert (middle["comparable"], middle["rank_change"], middle["index_change"]) == (
            False,
            None,
            None,
        )
        # Each predecessor's result is shown as it was, never aggregated.
        assert [(r["unit"]["code"], r["relation"], r["index"]) for r in middle["results"]] == [
            ("T-D1", "merge", "60.00"),
            ("T-D2", "merge", "30.00"),
        ]
        assert "nhiều – nhiều" in middle["reason"]

    async def test_a_plain_merger_stays_a_merger(
        self, client: AsyncClient, session: AsyncSession
    ) -> None:
        await add_group(session, GROUP)
        for code in ("T-D1", "T-D2"):
            await create_unit(client, code, GROUP, valid_to=f"{BEFORE}-12-31")
        await create_unit(client, "T-C1", GROUP, valid_from=f"{AFTER}-01-01")
        await create_unit(client, "T-KEEP", GROUP)
        await scored_year(client, BEFORE, {"T-D1": "6", "T-D2": "3", "T-KEEP": "4"})
        await scored_year(client, AFTER, {"T-C1": "5", "T-KEEP": "5"})
        await lineage(client, "T-D1", "T-C1", "merge")
        await lineage(client, "T-D2", "T-C1", "merge")

        blocks = await previous_blocks(client)
        assert (blocks["T-C1"]["reason_code"], blocks["T-C1"]["comparable"]) == ("merged", False)
        keep = blocks["T-KEEP"]
        assert (keep["reason_code"], keep["comparable"], keep["index"]) == (
            "same_unit",
            True,
            "40.00",
        )
        # T-KEEP was 2nd of 3 and is 1st (tied) of 2: both ranks computed over complete groups.
        assert (keep["rank"], keep["rank_change"], keep["index_change"]) == (2, 1, "10.00")
