"""The leaf scores endpoints: one unit's scores for one year, replaced whole."""

from typing import Any

import pytest
from httpx import AsyncClient

from tests.builders import (
    assert_problem,
    create_draft_year,
    create_unit,
    error_locs,
    put_small_tree,
)

UNIT = "T-DEP-SCORES"
FIRST_SCORES = [
    {"criterion": "1.1", "self_score": "1.5", "final_score": "1.25", "note": "plan on time"},
    {"criterion": "2.1", "final_score": "5"},
]


def scores_url(year: int, unit: str = UNIT) -> str:
    return f"/api/v1/years/{year}/units/{unit}/scores"


def summary(body: dict[str, Any]) -> list[tuple[str, str | None, str | None]]:
    return [(s["criterion"], s["self_score"], s["final_score"]) for s in body["scores"]]


@pytest.fixture
async def year(client: AsyncClient) -> int:
    """A draft year with the small tree for departments and one test department."""
    year = await create_draft_year(client)
    await put_small_tree(client, year)
    await create_unit(client, UNIT)
    return year


async def put_first_scores(client: AsyncClient, year: int) -> None:
    response = await client.put(scores_url(year), json={"scores": FIRST_SCORES})
    assert response.status_code == 200, response.text


class TestPutScores:
    async def test_scores_are_saved_and_read_back_as_decimal_strings(
        self, client: AsyncClient, year: int
    ) -> None:
        response = await client.put(scores_url(year), json={"scores": FIRST_SCORES})
        assert response.status_code == 200, response.text
        assert response.json() == (await client.get(scores_url(year))).json()
        body = response.json()
        assert (body["year"], body["unit"], body["group"]) == (year, UNIT, "department")
        assert body["scores"] == [
            {
                "criterion": "1.1",
                "method": "appraisal",
                "max_score": "1.50",
                "self_score": "1.50",
                "final_score": "1.25",
                "note": "plan on time",
            },
            {
                "criterion": "2.1",
                "method": "survey",
                "max_score": "6.00",
                "self_score": None,
                "final_score": "5.00",
                "note": None,
            },
        ]

    async def test_four_decimals_round_trip_exactly(self, client: AsyncClient, year: int) -> None:
        rows = [
            {"criterion": "1.1", "final_score": "1.2345"},
            {"criterion": "1.2", "final_score": "0.0001"},
            {"criterion": "2.1", "final_score": "5.8721", "self_score": "6.0000"},
            {"criterion": "3.2", "final_score": "1.10"},
        ]
        response = await client.put(scores_url(year), json={"scores": rows})
        assert response.status_code == 200, response.text
        assert summary((await client.get(scores_url(year))).json()) == [
            ("1.1", None, "1.2345"),
            ("1.2", None, "0.0001"),
            ("2.1", "6.00", "5.8721"),
            ("3.2", None, "1.10"),
        ]

    async def test_json_numbers_are_accepted(self, client: AsyncClient, year: int) -> None:
        response = await client.put(
            scores_url(year), json={"scores": [{"criterion": "1.2", "final_score": 2.25}]}
        )
        assert response.status_code == 200, response.text
        assert summary(response.json()) == [("1.2", None, "2.25")]

    async def test_put_replaces_and_clears_leaves_left_out(
        self, client: AsyncClient, year: int
    ) -> None:
        await put_first_scores(client, year)
        response = await client.put(
            scores_url(year), json={"scores": [{"criterion": "1.2", "final_score": "2"}]}
        )
        assert response.status_code == 200, response.text
        assert summary((await client.get(scores_url(year))).json()) == [("1.2", None, "2.00")]

    async def test_empty_list_clears_every_score(self, client: AsyncClient, year: int) -> None:
        await put_first_scores(client, year)
        assert (await client.put(scores_url(year), json={"scores": []})).status_code == 200
        assert (await client.get(scores_url(year))).json()["scores"] == []

    @pytest.mark.parametrize(
        ("row", "field"),
        [
            ({"criterion": "9.9", "final_score": "1"}, "criterion"),
            ({"criterion": "1", "final_score": "1"}, "criterion"),
            ({"criterion": "1.1", "final_score": "1.5001"}, "final_score"),
            ({"criterion": "1.1", "self_score": "2"}, "self_score"),
            ({"criterion": "1.1", "final_score": "1"}, "criterion"),  # 1.1 twice
            ({"criterion": "1.2", "final_score": "-0.5"}, "final_score"),
            ({"criterion": "1.2", "final_score": "1.23456"}, "final_score"),
            ({"criterion": "1.2", "score": "1"}, "score"),
        ],
        ids=[
            "unknown-criterion",
            "inner-criterion",
            "final-above-max",
            "self-above-max",
            "duplicate-criterion",
            "negative",
            "five-decimals",
            "unknown-field",
        ],
    )
    async def test_invalid_row_is_named_and_nothing_is_written(
        self, client: AsyncClient, year: int, row: dict[str, Any], field: str
    ) -> None:
        await put_first_scores(client, year)
        before = (await client.get(scores_url(year))).json()
        rows = [{"criterion": "1.1", "final_score": "0.5"}, row]
        problem = assert_problem(await client.put(scores_url(year), json={"scores": rows}), 422)
        assert ["body", "scores", 1, field] in error_locs(problem)
        assert (await client.get(scores_url(year))).json() == before

    async def test_every_invalid_row_is_reported(self, client: AsyncClient, year: int) -> None:
        rows = [
            {"criterion": "9.9", "final_score": "1"},
            {"criterion": "1.1", "final_score": "1"},
            {"criterion": "2", "final_score": "1"},
            {"criterion": "2.1", "final_score": "7"},
        ]
        problem = assert_problem(await client.put(scores_url(year), json={"scores": rows}), 422)
        assert [error["loc"] for error in problem["errors"]] == [
            ["body", "scores", 0, "criterion"],
            ["body", "scores", 2, "criterion"],
            ["body", "scores", 3, "final_score"],
        ]
        assert (await client.get(scores_url(year))).json()["scores"] == []

    async def test_unit_not_active_in_the_year_is_invalid(
        self, client: AsyncClient, year: int
    ) -> None:
        await create_unit(client, "T-DEP-GONE", valid_to=f"{year - 1}-12-31")
        response = await client.put(
            scores_url(year, "T-DEP-GONE"), json={"scores": [{"criterion": "1.1"}]}
        )
        problem = assert_problem(response, 422)
        assert problem["errors"][0]["loc"] == ["path", "unit_code"]

    async def test_unit_active_for_part_of_the_year_can_be_scored(
        self, client: AsyncClient, year: int
    ) -> None:
        await create_unit(client, "T-DEP-MERGED", valid_to=f"{year}-02-28")
        response = await client.put(
            scores_url(year, "T-DEP-MERGED"),
            json={"scores": [{"criterion": "1.1", "final_score": "1"}]},
        )
        assert response.status_code == 200, response.text

    async def test_group_without_criteria_that_year_is_invalid(
        self, client: AsyncClient, year: int
    ) -> None:
        await create_unit(client, "T-DIS-1", group="district")
        response = await client.put(
            scores_url(year, "T-DIS-1"), json={"scores": [{"criterion": "1.1"}]}
        )
        problem = assert_problem(response, 422)
        assert problem["errors"][0]["loc"] == ["path", "unit_code"]

    async def test_published_year_is_frozen(self, client: AsyncClient) -> None:
        response = await client.put(scores_url(2024, "LD-DEP-HEALTH"), json={"scores": []})
        assert_problem(response, 409)

    async def test_unknown_unit_is_not_found(self, client: AsyncClient, year: int) -> None:
        response = await client.put(scores_url(year, "NO-SUCH-UNIT"), json={"scores": []})
        assert_problem(response, 404)

    async def test_unknown_year_is_not_found(self, client: AsyncClient) -> None:
        assert_problem(await client.put(scores_url(2099), json={"scores": []}), 404)


class TestGetScores:
    async def test_unit_without_scores_has_an_empty_list(
        self, client: AsyncClient, year: int
    ) -> None:
        response = await client.get(scores_url(year))
        assert response.status_code == 200
        assert response.json()["scores"] == []

    async def test_scores_of_another_year_are_separate(
        self, client: AsyncClient, year: int
    ) -> None:
        await put_first_scores(client, year)
        other = await create_draft_year(client, year + 1)
        await put_small_tree(client, other)
        assert (await client.get(scores_url(other))).json()["scores"] == []
        assert len((await client.get(scores_url(year))).json()["scores"]) == 2

    async def test_group_without_criteria_that_year_is_not_found(
        self, client: AsyncClient, year: int
    ) -> None:
        await create_unit(client, "T-DIS-1", group="district")
        assert_problem(await client.get(scores_url(year, "T-DIS-1")), 404)

    async def test_unknown_unit_is_not_found(self, client: AsyncClient, year: int) -> None:
        assert_problem(await client.get(scores_url(year, "NO-SUCH-UNIT")), 404)

    async def test_unknown_year_is_not_found(self, client: AsyncClient) -> None:
        assert_problem(await client.get(scores_url(2099)), 404)
