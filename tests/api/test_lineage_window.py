"""Which year-over-year comparison a lineage event changes: exactly one, by the years' cut-offs."""

from typing import Any

from httpx import AsyncClient

from tests.builders import assert_problem, create_group, create_unit, error_locs, put_small_tree

FIRST, SECOND = 2030, 2031
# A group of the test's own units only: the Lam Dong departments would make it partial.
GROUP = "t-lineage"


async def create_year(client: AsyncClient, year: int, **fields: Any) -> dict[str, Any]:
    response = await client.post("/api/v1/years", json={"year": year} | fields)
    assert response.status_code == 201, response.text
    body: dict[str, Any] = response.json()
    return body


async def record_event(
    client: AsyncClient, predecessor: str, successor: str, kind: str, effective_date: str
) -> None:
    event = {
        "predecessor": predecessor,
        "successor": successor,
        "kind": kind,
        "effective_date": effective_date,
    }
    response = await client.post("/api/v1/lineage", json=event)
    assert response.status_code == 201, response.text


async def put_satisfaction(client: AsyncClient, year: int, unit: str, score: str) -> None:
    response = await client.put(
        f"/api/v1/years/{year}/units/{unit}/scores",
        json={"scores": [{"criterion": "2.1", "final_score": score}]},
    )
    assert response.status_code == 200, response.text


async def previous_of(client: AsyncClient, year: int, unit: str) -> dict[str, Any]:
    response = await client.get(f"/api/v1/years/{year}/rankings/{GROUP}")
    assert response.status_code == 200, response.text
    [entry] = [e for e in response.json()["entries"] if e["unit"]["code"] == unit]
    previous: dict[str, Any] = entry["previous"]
    return previous | {"current_rank": entry["rank"]}


class TestSplitCountsForOneComparisonOnly:
    async def test_units_split_off_in_a_year_compare_normally_the_next_year(
        self, client: AsyncClient
    ) -> None:
        await create_group(client, GROUP)
        for year in (FIRST, SECOND):
            await create_year(client, year)
            await put_small_tree(client, year, GROUP)
        await create_unit(client, "T-SPLIT-PARENT", group=GROUP)
        for code in ("T-SPLIT-A", "T-SPLIT-B"):
            await create_unit(client, code, group=GROUP, valid_from=f"{FIRST}-03-01")
            await record_event(client, "T-SPLIT-PARENT", code, "split", f"{FIRST}-03-01")
        # Both split units are ranked under their own codes in both years; they swap places.
        # The parent goes on, last, so every unit of the group has a result (a complete group).
        for year, scores in ((FIRST, ("5", "4")), (SECOND, ("3", "6"))):
            await put_satisfaction(client, year, "T-SPLIT-A", scores[0])
            await put_satisfaction(client, year, "T-SPLIT-B", scores[1])
            await put_satisfaction(client, year, "T-SPLIT-PARENT", "0")

        a = await previous_of(client, SECOND, "T-SPLIT-A")
        b = await previous_of(client, SECOND, "T-SPLIT-B")

        assert (a["comparable"], a["reason_code"], a["rank"]) == (True, "same_unit", 1)
        assert a["current_rank"] == 2
        assert a["rank_change"] == -1
        assert (b["comparable"], b["rank"], b["current_rank"], b["rank_change"]) == (True, 2, 1, 1)
        assert [r["relation"] for r in a["results"]] == ["self"]


class TestCutOffDate:
    async def test_defaults_to_31_december_of_the_year(self, client: AsyncClient) -> None:
        assert (await create_year(client, FIRST))["units_as_of"] == f"{FIRST}-12-31"
        lamdong = (await client.get("/api/v1/years/2024")).json()
        assert lamdong["units_as_of"] == "2024-12-31"

    async def test_an_event_after_year_end_but_by_the_cut_off_belongs_to_that_year(
        self, client: AsyncClient
    ) -> None:
        # The FIRST year's results already describe the units of 31 March of SECOND, so a
        # merger of 1 March of SECOND changes FIRST vs FIRST−1, not SECOND vs FIRST.
        await create_year(client, FIRST - 1)
        created = await create_year(client, FIRST, units_as_of=f"{SECOND}-03-31")
        assert created["units_as_of"] == f"{SECOND}-03-31"
        await create_year(client, SECOND)
        await create_group(client, GROUP)
        for year in (FIRST - 1, FIRST, SECOND):
            await put_small_tree(client, year, GROUP)
        # Each unit exists exactly while it has results, so every year's group is complete.
        await create_unit(client, "T-CUT-OLD", group=GROUP, valid_to=f"{SECOND}-02-28")
        await create_unit(client, "T-CUT-NEW", group=GROUP, valid_from=f"{FIRST}-01-01")
        await record_event(client, "T-CUT-OLD", "T-CUT-NEW", "merge", f"{SECOND}-03-01")
        await put_satisfaction(client, FIRST - 1, "T-CUT-OLD", "5")
        for year in (FIRST, SECOND):
            await put_satisfaction(client, year, "T-CUT-NEW", "5")

        merged = await previous_of(client, FIRST, "T-CUT-NEW")
        after = await previous_of(client, SECOND, "T-CUT-NEW")

        assert merged["comparable"] is False
        assert [(r["unit"]["code"], r["relation"]) for r in merged["results"]] == [
            ("T-CUT-OLD", "merge")
        ]
        assert (after["comparable"], after["rank_change"]) == (True, 0)

    async def test_a_cut_off_outside_the_year_and_the_next_is_invalid(
        self, client: AsyncClient
    ) -> None:
        for cut_off in (f"{FIRST - 1}-12-31", f"{FIRST + 2}-01-01"):
            response = await client.post(
                "/api/v1/years", json={"year": FIRST, "units_as_of": cut_off}
            )
            assert error_locs(assert_problem(response, 422)) == [["body", "units_as_of"]]

    async def test_cut_offs_must_not_go_backwards_between_years(self, client: AsyncClient) -> None:
        await create_year(client, FIRST, units_as_of=f"{SECOND}-06-30")
        response = await client.post(
            "/api/v1/years", json={"year": SECOND, "units_as_of": f"{SECOND}-05-31"}
        )
        problem = assert_problem(response, 422)
        assert error_locs(problem) == [["body", "units_as_of"]]
        assert f"{SECOND}-06-30" in problem["errors"][0]["msg"]
        assert_problem(await client.get(f"/api/v1/years/{SECOND}"), 404)
