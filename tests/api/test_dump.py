"""The open-data dump: everything published for a year, as JSON or as a ZIP of CSV files."""

import csv
import io
import zipfile
from typing import Any

from httpx import AsyncClient
from sqlalchemy.ext.asyncio import AsyncSession

from tests.builders import add_group, assert_problem, create_draft_year, create_unit, put_small_tree

YEAR = 2032
GROUP = "t-dump"
CSV_FILES = {
    "about.csv",
    "units.csv",
    "criteria.csv",
    "bands.csv",
    "scores.csv",
    "coverage.csv",
    "rankings.csv",
    "published.csv",
    "group_summaries.csv",
    "revisions.csv",
}


async def get_dump(http: AsyncClient, year: int, query: str = "") -> dict[str, Any]:
    response = await http.get(f"/api/v1/years/{year}/dump{query}")
    assert response.status_code == 200, response.text
    body: dict[str, Any] = response.json()
    return body


def ranking_of(dump: dict[str, Any], group: str) -> list[dict[str, Any]]:
    [ranking] = [r for r in dump["rankings"] if r["group"] == group]
    entries: list[dict[str, Any]] = ranking["entries"]
    return entries


def read_zip(content: bytes) -> dict[str, list[dict[str, str]]]:
    with zipfile.ZipFile(io.BytesIO(content)) as archive:
        return {
            name: list(csv.DictReader(io.StringIO(archive.read(name).decode())))
            for name in archive.namelist()
        }


async def put_satisfaction(
    client: AsyncClient, unit: str, score: str, reason: str | None = None
) -> None:
    body: dict[str, Any] = {"scores": [{"criterion": "2.1", "final_score": score}]}
    if reason is not None:
        body["correction_reason"] = reason
    response = await client.put(f"/api/v1/years/{YEAR}/units/{unit}/scores", json=body)
    assert response.status_code == 200, response.text


async def published_year(client: AsyncClient, session: AsyncSession, **unit_fields: str) -> None:
    """Two units, the whole of their group, scored and published."""
    await add_group(session, GROUP)
    await create_draft_year(client, YEAR)
    await put_small_tree(client, YEAR, GROUP)
    for code, satisfaction in (("T-DUMP-A", "6"), ("T-DUMP-B", "3")):
        await create_unit(client, code, GROUP, **unit_fields)
        await put_satisfaction(client, code, satisfaction)
    response = await client.post(f"/api/v1/years/{YEAR}/publish")
    assert response.status_code == 200, response.text


class TestGetYearDump:
    async def test_2024_lam_dong_carries_the_published_figures_exactly(
        self, anonymous_client: AsyncClient
    ) -> None:
        response = await anonymous_client.get("/api/v1/years/2024/dump")
        assert response.status_code == 200, response.text
        assert response.headers["content-type"] == "application/json"
        assert 'filename="par-index_2024_rev1.json"' in response.headers["content-disposition"]
        dump = response.json()
        assert dump["format"] == "par-index-dump/1"
        assert (dump["year"]["year"], dump["year"]["status"], dump["year"]["revision"]) == (
            2024,
            "published",
            1,
        )
        assert dump["year"]["source"]["code"] == "lamdong-2024"

        [ranking] = [r for r in dump["rankings"] if r["group"] == "department"]
        assert (ranking["coverage"]["complete"], ranking["statistics"]["mean"]) == (False, None)
        departments = {e["unit"]: e for e in ranking["entries"]}
        tied = ("LD-DEP-HEALTH", "LD-DEP-NATURAL-RESOURCES-ENV")
        # Published as "among the three lowest", not as a rank: no rank is invented.
        assert [
            (e["rank"], e["index"], e["published_position_code"])
            for e in (departments[c] for c in tied)
        ] == [(None, "87.21", "bottom_3"), (None, "87.21", "bottom_3")]
        assert [departments[c]["tie_size"] for c in tied] == [2, 2]
        published = {p["unit"]: p for p in dump["published_results"]}
        assert [published[c]["index"] for c in tied] == ["87.21", "87.21"]
        assert {published[c]["source"] for c in tied} == {"lamdong-2024"}
        districts = ranking_of(dump, "district")
        assert [(e["rank"], e["rank_basis"]) for e in districts] == [
            (rank, "published") for rank in range(1, 11)
        ]
        assert all(e["basis"] == "published_rank" and e["index"] is None for e in districts)
        assert {s["group"] for s in dump["group_summaries"]} >= {"department", "district"}
        units = {u["code"]: u for u in dump["units"]}
        assert units["LD-DEP-HEALTH"]["group"] == "department"
        assert set(units) == {p["unit"] for p in dump["published_results"]}

    async def test_rankings_are_the_ranking_endpoints(self, anonymous_client: AsyncClient) -> None:
        for year, group in ((2024, "department"), (2023, "demo-department")):
            dump = await get_dump(anonymous_client, year)
            ranking = (await anonymous_client.get(f"/api/v1/years/{year}/rankings/{group}")).json()
            assert [(e["rank"], e["unit"], e["index"]) for e in ranking_of(dump, group)] == [
                (e["rank"], e["unit"]["code"], e["index"]) for e in ranking["entries"]
            ]

    async def test_demo_2023_has_every_leaf_score_and_the_criteria_sets(
        self, anonymous_client: AsyncClient
    ) -> None:
        dump = await get_dump(anonymous_client, 2023)
        export = await anonymous_client.get("/api/v1/years/2023/scores/export")
        exported = list(csv.DictReader(io.StringIO(export.text)))
        assert len(dump["scores"]) == len(exported) > 0
        assert [
            (s["unit"], s["criterion"], s["self_score"] or "", s["final_score"] or "")
            for s in dump["scores"]
        ] == [
            (r["unit_code"], r["criterion_code"], r["self_score"], r["final_score"])
            for r in exported
        ]
        trees = {tree["group"]: tree for tree in dump["criteria_sets"]}
        assert set(trees) == {"demo-department", "demo-district"}
        assert all(tree["criteria"] and tree["bands"] for tree in trees.values())
        unit_codes = {u["code"] for u in dump["units"]}
        assert {s["unit"] for s in dump["scores"]} <= unit_codes

    async def test_csv_is_a_zip_of_csv_files(self, anonymous_client: AsyncClient) -> None:
        response = await anonymous_client.get("/api/v1/years/2024/dump/export?format=csv")
        assert response.status_code == 200, response.text
        assert response.headers["content-type"] == "application/zip"
        assert 'filename="par-index_2024_rev1.zip"' in response.headers["content-disposition"]
        tables = read_zip(response.content)
        assert set(tables) == CSV_FILES
        rankings = {(r["group"], r["unit_code"]): r for r in tables["rankings.csv"]}
        health = rankings[("department", "LD-DEP-HEALTH")]
        assert (
            health["rank"],
            health["index"],
            health["published_index"],
            health["published_position_code"],
        ) == ("", "87.21", "87.21", "bottom_3")
        coverage = {r["group"]: r for r in tables["coverage.csv"]}
        assert (coverage["department"]["complete"], coverage["department"]["ranks"]) == (
            "false",
            "published",
        )
        published = {r["unit_code"]: r for r in tables["published.csv"]}
        assert published["LD-DEP-NATURAL-RESOURCES-ENV"]["index"] == "87.21"
        about = {r["field"]: r["value"] for r in tables["about.csv"]}
        assert (about["year"], about["revision"], about["status"]) == ("2024", "1", "published")

    async def test_format_csv_on_the_json_operation_is_deprecated(
        self, anonymous_client: AsyncClient
    ) -> None:
        old = await anonymous_client.get("/api/v1/years/2024/dump?format=csv&revision=1")
        new = await anonymous_client.get("/api/v1/years/2024/dump/export?revision=1")
        assert old.status_code == new.status_code == 200
        assert old.content == new.content
        assert old.headers["content-type"] == "application/zip"
        assert old.headers["deprecation"] == "@1796428800"
        assert old.headers["sunset"] == "Tue, 30 Jun 2027 00:00:00 GMT"
        assert old.headers["link"] == (
            '</api/v1/years/2024/dump/export?format=csv&revision=1>; rel="successor-version"'
        )
        for response in (new, await anonymous_client.get("/api/v1/years/2024/dump")):
            assert "deprecation" not in response.headers

    async def test_the_contract_gives_each_operation_one_success_type(
        self, anonymous_client: AsyncClient
    ) -> None:
        paths = (await anonymous_client.get("/openapi.json")).json()["paths"]
        dump = paths["/api/v1/years/{year}/dump"]["get"]
        assert list(dump["responses"]["200"]["content"]) == ["application/json"]
        (fmt,) = [p for p in dump["parameters"] if p["name"] == "format"]
        assert fmt["deprecated"] is True
        export = paths["/api/v1/years/{year}/dump/export"]["get"]
        assert export["operationId"] == "exportYearDump"
        ok = export["responses"]["200"]
        assert ok["content"] == {
            "application/zip": {"schema": {"format": "binary", "type": "string"}}
        }
        assert "Content-Disposition" in ok["headers"]

    async def test_csv_text_never_runs_as_a_formula(
        self, client: AsyncClient, session: AsyncSession
    ) -> None:
        await published_year(client, session, name_vi='=HYPERLINK("https://evil.example")')
        response = await client.get(f"/api/v1/years/{YEAR}/dump/export")
        units = read_zip(response.content)["units.csv"]
        assert {u["name_vi"] for u in units} == {'\'=HYPERLINK("https://evil.example")'}

    async def test_a_draft_year_is_404_even_for_admins(self, client: AsyncClient) -> None:
        await create_draft_year(client, YEAR)
        await put_small_tree(client, YEAR)
        for query in ("", "?format=csv", "/export"):
            body = assert_problem(await client.get(f"/api/v1/years/{YEAR}/dump{query}"), 404)
            assert body["type"].endswith("year-not-found")

    async def test_an_earlier_revision_is_reproduced_after_a_correction(
        self, client: AsyncClient, session: AsyncSession
    ) -> None:
        await published_year(client, session)
        as_published = await get_dump(client, YEAR)
        assert [(e["unit"], e["rank"]) for e in ranking_of(as_published, GROUP)] == [
            ("T-DUMP-A", 1),
            ("T-DUMP-B", 2),
        ]
        await put_satisfaction(client, "T-DUMP-B", "6", reason="Appeal upheld")

        latest = await get_dump(client, YEAR)
        assert latest["year"]["revision"] == 2
        assert [e["rank"] for e in ranking_of(latest, GROUP)] == [1, 1]
        assert [r["number"] for r in latest["revisions"]] == [1, 2]

        earlier = await get_dump(client, YEAR, "?revision=1")
        assert earlier["year"].pop("latest_revision") == 2
        assert as_published["year"].pop("latest_revision") == 1
        assert earlier == as_published
        zipped = await client.get(f"/api/v1/years/{YEAR}/dump/export?revision=1&format=csv")
        assert f'filename="par-index_{YEAR}_rev1.zip"' in zipped.headers["content-disposition"]
        scores = read_zip(zipped.content)["scores.csv"]
        assert [(s["unit_code"], s["final_score"]) for s in scores] == [
            ("T-DUMP-A", "6.00"),
            ("T-DUMP-B", "3.00"),
        ]

    async def test_an_unknown_revision_is_a_404(
        self, client: AsyncClient, session: AsyncSession
    ) -> None:
        await published_year(client, session)
        body = assert_problem(await client.get(f"/api/v1/years/{YEAR}/dump?revision=5"), 404)
        assert body["type"].endswith("revision-not-found")
