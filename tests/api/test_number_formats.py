"""Numbers in responses: one form per kind, each documented with a pattern in the OpenAPI.

Scores, totals, maxima and points: two decimals (more only where a leaf was scored more
finely). Indices and percentages: exactly two. Group means and gaps to them: exactly four.
"""

import csv
import io
import re
from collections.abc import Iterator
from typing import Any

import pytest
from fastapi import FastAPI
from httpx import AsyncClient

TWO_DECIMALS = re.compile(r"^-?[0-9]+\.[0-9]{2}$")
FOUR_DECIMALS = re.compile(r"^-?[0-9]+\.[0-9]{4}$")
BREAKDOWN = "/api/v1/years/2023/units/DEMO-DEP-HEALTH/breakdown"

# Responses of every kind that carries numbers, and the path template documenting each.
SERVED = [
    ("/api/v1/years/2023/rankings/demo-department", "/api/v1/years/{year}/rankings/{group}"),
    (
        "/api/v1/years/2023/rankings/demo-department?criterion=3",
        "/api/v1/years/{year}/rankings/{group}",
    ),
    ("/api/v1/years/2024/rankings/department", "/api/v1/years/{year}/rankings/{group}"),
    (BREAKDOWN, "/api/v1/years/{year}/units/{unit_code}/breakdown"),
    (
        "/api/v1/years/2023/units/DEMO-DEP-INDUSTRY/improvements?limit=50",
        "/api/v1/years/{year}/units/{unit_code}/improvements",
    ),
    (
        "/api/v1/years/2023/improvements/demo-department?limit=50",
        "/api/v1/years/{year}/improvements/{group}",
    ),
    ("/api/v1/units/DEMO-DEP-CONSTRUCTION-TRANSPORT/history", "/api/v1/units/{unit_code}/history"),
    ("/api/v1/years/2023/criteria/demo-department", "/api/v1/years/{year}/criteria/{group}"),
    (
        "/api/v1/years/2023/units/DEMO-DEP-HEALTH/scores",
        "/api/v1/years/{year}/units/{unit_code}/scores",
    ),
    ("/api/v1/years/2023/dump", "/api/v1/years/{year}/dump"),
]


def resolve(document: dict[str, Any], schema: dict[str, Any]) -> dict[str, Any]:
    while "$ref" in schema:
        schema = document["components"]["schemas"][schema["$ref"].rsplit("/", 1)[-1]]
    return schema


def patterned_values(
    document: dict[str, Any], schema: dict[str, Any], value: Any, where: str
) -> Iterator[tuple[str, str, str]]:
    """(where, value, pattern) for every value whose schema documents a pattern."""
    schema = resolve(document, schema)
    if value is None:
        return
    for choice in schema.get("anyOf", []):
        if choice.get("type") != "null":
            yield from patterned_values(document, choice, value, where)
    if "pattern" in schema:
        yield where, value, schema["pattern"]
    if isinstance(value, dict):
        properties = schema.get("properties", {})
        extra = schema.get("additionalProperties")
        for key, item in value.items():
            item_schema = properties.get(key, extra if isinstance(extra, dict) else {})
            yield from patterned_values(document, item_schema, item, f"{where}.{key}")
    if isinstance(value, list) and "items" in schema:
        for position, item in enumerate(value):
            yield from patterned_values(document, schema["items"], item, f"{where}[{position}]")


class TestServedNumbers:
    @pytest.mark.parametrize(("path", "template"), SERVED, ids=[p for p, _ in SERVED])
    async def test_match_the_patterns_the_contract_documents(
        self, client: AsyncClient, app: FastAPI, path: str, template: str
    ) -> None:
        document = app.openapi()
        operation = document["paths"][template]["get"]
        schema = operation["responses"]["200"]["content"]["application/json"]["schema"]
        response = await client.get(path)
        assert response.status_code == 200, response.text

        found = list(patterned_values(document, schema, response.json(), "$"))

        assert found, "no documented number in the response"
        wrong = [(where, value) for where, value, pattern in found if not re.search(pattern, value)]
        assert wrong == []

    async def test_a_breakdown_writes_each_kind_of_number_in_one_form(
        self, client: AsyncClient
    ) -> None:
        # The demo's leaf scores have at most two decimals, so every score-like value shows
        # exactly two; the group means four.
        body = (await client.get(BREAKDOWN)).json()
        two = [body[key] for key in ("total", "max_score", "index", "bonus", "penalty")]
        four = []
        for node in body["nodes"]:
            two += [node[key] for key in ("max_score", "score", "points_lost", "group_best")]
            two += [node[key] for key in ("self_score", "attainment_pct") if node[key] is not None]
            four.append(node["group_mean"])
        assert [value for value in two if not TWO_DECIMALS.match(value)] == []
        assert [value for value in four if not FOUR_DECIMALS.match(value)] == []
        assert body["max_score"] == "100.00"

    async def test_the_breakdown_csv_writes_them_alike(self, client: AsyncClient) -> None:
        response = await client.get(BREAKDOWN, params={"format": "csv"})
        assert response.status_code == 200, response.text
        rows = list(csv.DictReader(io.StringIO(response.text)))
        assert rows
        for row in rows:
            for column in ("max_score", "score", "points_lost", "group_best", "attainment_pct"):
                assert row[column] == "" or TWO_DECIMALS.match(row[column]), (column, row)
            assert FOUR_DECIMALS.match(row["group_mean"]), row


class TestDocumentedPatterns:
    def test_every_score_index_and_mean_of_the_results_is_patterned(self, app: FastAPI) -> None:
        schemas = app.openapi()["components"]["schemas"]
        for name, fields in {
            "NodeBreakdownRead": ("max_score", "score", "points_lost", "group_mean", "group_best"),
            "BreakdownRead": ("total", "max_score", "index", "bonus", "penalty"),
            "RankingEntryRead": ("value", "index", "total", "max_score"),
            "LeafImprovementRead": ("attainment_pct", "group_mean", "gap_to_mean"),
            "CriterionWeaknessRead": ("mean_score", "mean_attainment_pct"),
            "GroupStatisticsRead": ("mean", "median", "min", "max"),
        }.items():
            for field in fields:
                schema = schemas[name]["properties"][field]
                choices = [c for c in schema.get("anyOf", [schema]) if c.get("type") != "null"]
                assert all("pattern" in c and c.get("examples") for c in choices), (name, field)
