"""CSV and XLSX exports: the export operations, the deprecated files of the JSON operations,
file names, layouts, problem+json errors."""

import csv
import io
from decimal import Decimal
from typing import Any

from httpx import AsyncClient, Response
from openpyxl import load_workbook
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from app.models import CriteriaSet, Criterion, LeafScore
from app.routers.export_format import XLSX_MEDIA_TYPE

YEAR = 2023
GROUP = "demo-department"
RANKING = f"/api/v1/years/{YEAR}/rankings/{GROUP}"
RANKING_EXPORT = f"{RANKING}/export"
SCORES_EXPORT = f"/api/v1/years/{YEAR}/scores/export"
SCORES_EXPORT_TEMPLATE = "/api/v1/years/{year}/scores/export"
# Each JSON operation that also answered files, and the export operation that took them over.
JSON_AND_EXPORT = {
    "/api/v1/years/{year}/rankings/{group}": "exportRanking",
    "/api/v1/years/{year}/units/{unit_code}/breakdown": "exportBreakdown",
    "/api/v1/years/{year}/units/{unit_code}/improvements": "exportUnitImprovements",
    "/api/v1/years/{year}/improvements/{group}": "exportGroupImprovements",
}
SCORE_HEADER = ["unit_code", "criterion_code", "self_score", "final_score", "note"]


async def get_ok(client: AsyncClient, path: str, **kwargs: Any) -> Response:
    response = await client.get(path, **kwargs)
    assert response.status_code == 200, response.text
    return response


def csv_rows(response: Response) -> list[dict[str, str]]:
    assert response.headers["content-type"] == "text/csv; charset=utf-8"
    return list(csv.DictReader(io.StringIO(response.content.decode("utf-8-sig"), newline="")))


def attachment_name(response: Response) -> str:
    disposition = response.headers["content-disposition"]
    assert disposition.startswith("attachment; filename=")
    return disposition.split("filename=", 1)[1].strip('"')


def workbook_of(response: Response) -> Any:
    assert response.headers["content-type"] == XLSX_MEDIA_TYPE
    assert response.content[:2] == b"PK"
    return load_workbook(io.BytesIO(response.content))


def assert_problem(response: Response, status: int) -> dict[str, Any]:
    assert response.status_code == status, response.text
    assert response.headers["content-type"] == "application/problem+json"
    body: dict[str, Any] = response.json()
    assert body["status"] == status
    return body


class TestRankingExport:
    async def test_csv_holds_every_entry_as_in_json(self, client: AsyncClient) -> None:
        ranking = (await get_ok(client, RANKING)).json()
        response = await get_ok(client, RANKING_EXPORT, params={"format": "csv"})
        rows = csv_rows(response)
        assert [(r["rank"], r["unit_code"], r["index"], r["total"]) for r in rows] == [
            (str(e["rank"]), e["unit"]["code"], e["index"], e["total"]) for e in ranking["entries"]
        ]
        assert attachment_name(response) == f"ranking_{YEAR}_{GROUP}_rev-latest.csv"

    async def test_rank_changes_stay_numbers(self, client: AsyncClient) -> None:
        rows = csv_rows(await get_ok(client, RANKING_EXPORT))
        changes = [r["rank_change"] for r in rows if r["rank_change"]]
        assert any(change.startswith("-") for change in changes)
        assert all(str(int(change)) == change for change in changes)
        # An index change wherever a rank change is given, as a number with two decimals.
        assert all(r["index_change"] for r in rows if r["rank_change"])
        index_changes = [Decimal(r["index_change"]) for r in rows if r["index_change"]]
        assert index_changes
        assert all(change == change.quantize(Decimal("0.01")) for change in index_changes)

    async def test_csv_is_the_default_and_accept_may_ask_for_xlsx(
        self, client: AsyncClient
    ) -> None:
        response = await get_ok(client, RANKING_EXPORT, headers={"Accept": "*/*"})
        assert len(csv_rows(response)) == len((await get_ok(client, RANKING)).json()["entries"])
        workbook_of(await get_ok(client, RANKING_EXPORT, headers={"Accept": XLSX_MEDIA_TYPE}))

    async def test_format_query_wins_over_accept(self, client: AsyncClient) -> None:
        response = await get_ok(
            client, RANKING_EXPORT, params={"format": "csv"}, headers={"Accept": XLSX_MEDIA_TYPE}
        )
        assert csv_rows(response)

    async def test_plain_json_is_unchanged(self, client: AsyncClient) -> None:
        response = await get_ok(client, RANKING, headers={"Accept": "*/*"})
        assert response.headers["content-type"] == "application/json"
        for header in ("content-disposition", "deprecation", "sunset", "link"):
            assert header not in response.headers

    async def test_bom_for_excel_and_vietnamese_text(self, client: AsyncClient) -> None:
        path = "/api/v1/years/2024/rankings/department"
        with_bom = await get_ok(client, f"{path}/export", params={"format": "csv", "bom": "true"})
        assert with_bom.content.startswith(b"\xef\xbb\xbfrank,")
        without = await get_ok(client, f"{path}/export", params={"format": "csv"})
        assert without.content.startswith(b"rank,")
        assert "Sở Y tế" in {r["unit_name_vi"] for r in csv_rows(without)}

    async def test_xlsx_has_the_ranking_and_about_sheets(self, client: AsyncClient) -> None:
        response = await get_ok(client, RANKING_EXPORT, params={"revision": "1", "format": "xlsx"})
        workbook = workbook_of(response)
        assert workbook.sheetnames == ["ranking", "about"]
        ranking = list(workbook["ranking"].iter_rows(values_only=True))
        assert ranking[0][:5] == ("rank", "rank_basis", "tied", "tie_size", "unit_code")
        assert ranking[1][0] == 1
        about = {row[0]: row[1] for row in workbook["about"].iter_rows(values_only=True)}
        assert (about["year"], about["revision"], about["status"]) == (YEAR, 1, "published")
        assert about["generated_at"]
        assert attachment_name(response) == f"ranking_{YEAR}_{GROUP}_rev1.xlsx"

    async def test_criterion_ranking_names_the_criterion(self, client: AsyncClient) -> None:
        response = await get_ok(client, RANKING_EXPORT, params={"criterion": "9.2"})
        assert attachment_name(response) == f"ranking_{YEAR}_{GROUP}_criterion-9.2_rev-latest.csv"
        assert any(row["value"].startswith("-") for row in csv_rows(response))

    async def test_unknown_format_is_a_422_problem(self, client: AsyncClient) -> None:
        for path, fmt in ((RANKING, "pdf"), (RANKING_EXPORT, "pdf"), (RANKING_EXPORT, "json")):
            body = assert_problem(await client.get(path, params={"format": fmt}), 422)
            assert body["errors"][0]["loc"] == ["query", "format"]

    async def test_unknown_year_is_a_404_problem(self, client: AsyncClient) -> None:
        missing = f"/api/v1/years/2099/rankings/{GROUP}"
        for path in (f"{missing}/export?format=csv", f"{missing}?format=csv"):
            assert_problem(await client.get(path), 404)

    async def test_a_partly_published_ranking_carries_no_invented_rank(
        self, client: AsyncClient
    ) -> None:
        path = "/api/v1/years/2024/rankings/department"
        rows = {
            r["unit_code"]: r
            for r in csv_rows(await get_ok(client, f"{path}/export", params={"format": "csv"}))
        }
        assert [(r["rank"], r["rank_basis"]) for r in rows.values()] == [
            ("1", "published"),
            ("2", "published"),
            ("3", "published"),
            ("", ""),
            ("", ""),
            ("", ""),
        ]
        health = rows["LD-DEP-HEALTH"]
        assert (health["tied"], health["published_position_code"]) == ("true", "bottom_3")
        assert health["previous_reason_code"] == "no_results_for_group_in_year"
        workbook = workbook_of(await get_ok(client, f"{path}/export", params={"format": "xlsx"}))
        about = {row[0]: row[1] for row in workbook["about"].iter_rows(values_only=True)}
        assert (about["coverage_complete"], about["statistics_complete"]) == (False, False)
        assert (about["units_with_result"], about["units_in_group"]) == (6, None)
        assert (about["ranks"], about["published_scope"]) == ("published", "top_and_bottom")
        assert about["index_mean"] is None


class TestBreakdownExport:
    async def test_csv_has_every_node_and_negative_penalties_as_numbers(
        self, client: AsyncClient
    ) -> None:
        ranking = (await get_ok(client, RANKING)).json()
        for entry in ranking["entries"]:
            path = f"/api/v1/years/{YEAR}/units/{entry['unit']['code']}/breakdown"
            nodes = (await get_ok(client, path)).json()["nodes"]
            response = await get_ok(client, f"{path}/export", params={"format": "csv"})
            rows = csv_rows(response)
            assert [(r["code"], r["score"]) for r in rows] == [
                (n["code"], n["score"]) for n in nodes
            ]
            if any(n["score"].startswith("-") for n in nodes):
                break
        else:
            raise AssertionError("no unit with a penalty in the demo data")
        assert any(Decimal(r["score"]) < 0 for r in rows)
        assert attachment_name(response).startswith(f"breakdown_{YEAR}_DEMO-")

    async def test_xlsx(self, client: AsyncClient) -> None:
        path = f"/api/v1/years/{YEAR}/units/DEMO-DEP-FINANCE/breakdown/export"
        workbook = workbook_of(await get_ok(client, path, params={"format": "xlsx"}))
        assert workbook.sheetnames == ["breakdown", "about"]


class TestImprovementsExport:
    async def test_unit_improvements_csv(self, client: AsyncClient) -> None:
        path = f"/api/v1/years/{YEAR}/units/DEMO-DEP-FINANCE/improvements"
        leaves = (await get_ok(client, path, params={"limit": 5})).json()["leaves"]
        response = await get_ok(client, f"{path}/export", params={"limit": 5, "format": "csv"})
        assert [r["code"] for r in csv_rows(response)] == [leaf["code"] for leaf in leaves]
        assert attachment_name(response) == f"improvements_{YEAR}_DEMO-DEP-FINANCE_rev-latest.csv"

    async def test_unit_improvements_xlsx_carry_the_next_rank(self, client: AsyncClient) -> None:
        path = f"/api/v1/years/{YEAR}/units/DEMO-DEP-FINANCE/improvements"
        next_rank = (await get_ok(client, path)).json()["next_rank"]
        workbook = workbook_of(await get_ok(client, f"{path}/export", params={"format": "xlsx"}))
        about = {row[0]: row[1] for row in workbook["about"].iter_rows(values_only=True)}
        assert about["coverage_complete"] is True
        for field in (
            "index_points_needed",
            "total_points_needed",
            "index_points_to_pass",
            "total_points_to_pass",
        ):
            assert Decimal(str(about[field])) == Decimal(next_rank[field]), field

    async def test_group_improvements_csv_and_xlsx(self, client: AsyncClient) -> None:
        path = f"/api/v1/years/{YEAR}/improvements/{GROUP}"
        body = (await get_ok(client, path)).json()
        rows = csv_rows(await get_ok(client, f"{path}/export", params={"format": "csv"}))
        assert [r["unit_code"] for r in rows] == [u["unit"]["code"] for u in body["lowest_units"]]
        assert (
            rows[0]["weakest_field_1_code"] == body["lowest_units"][0]["weakest_fields"][0]["code"]
        )
        workbook = workbook_of(await get_ok(client, f"{path}/export", params={"format": "xlsx"}))
        assert workbook.sheetnames == ["lowest_units", "weakest_criteria", "about"]


class TestDeprecatedFileAnswers:
    """`?format=csv|xlsx` or Accept on a JSON operation still answers the file until the sunset,
    marked deprecated (RFC 9745, RFC 8594) and linked to the export operation."""

    JSON_PATHS = (
        RANKING,
        f"/api/v1/years/{YEAR}/units/DEMO-DEP-FINANCE/breakdown",
        f"/api/v1/years/{YEAR}/units/DEMO-DEP-FINANCE/improvements",
        f"/api/v1/years/{YEAR}/improvements/{GROUP}",
    )

    async def test_csv_by_format_is_the_export_operations_file(self, client: AsyncClient) -> None:
        for path in self.JSON_PATHS:
            old = await get_ok(client, path, params={"format": "csv", "revision": "1"})
            new = await get_ok(client, f"{path}/export", params={"format": "csv", "revision": "1"})
            assert old.content == new.content, path
            assert attachment_name(old) == attachment_name(new)
            assert old.headers["deprecation"] == "@1796428800"
            assert old.headers["sunset"] == "Tue, 30 Jun 2027 00:00:00 GMT"
            assert old.headers["link"] == (
                f'<{path}/export?format=csv&revision=1>; rel="successor-version"'
            )

    async def test_xlsx_by_accept_links_to_the_xlsx_export(self, client: AsyncClient) -> None:
        path = f"/api/v1/years/{YEAR}/units/DEMO-DEP-FINANCE/improvements"
        old = await get_ok(client, path, params={"limit": "5"}, headers={"Accept": XLSX_MEDIA_TYPE})
        assert workbook_of(old).sheetnames == ["improvements", "about"]
        assert (
            old.headers["link"] == f'<{path}/export?format=xlsx&limit=5>; rel="successor-version"'
        )
        assert old.headers["deprecation"].startswith("@")

    async def test_json_answers_carry_no_deprecation(self, client: AsyncClient) -> None:
        for path in self.JSON_PATHS:
            response = await get_ok(client, path, params={"format": "json"})
            assert response.headers["content-type"] == "application/json"
            assert "deprecation" not in response.headers


class TestScoresExport:
    async def test_csv_long_layout_has_every_stored_leaf_score(
        self, client: AsyncClient, session: AsyncSession
    ) -> None:
        stored = await session.scalar(
            select(func.count())
            .select_from(LeafScore)
            .join(Criterion, LeafScore.criterion_id == Criterion.id)
            .join(CriteriaSet, Criterion.criteria_set_id == CriteriaSet.id)
            .where(CriteriaSet.year == YEAR)
        )
        response = await get_ok(client, SCORES_EXPORT, params={"format": "csv"})
        lines = response.text.split("\r\n")
        assert lines[0] == ",".join(SCORE_HEADER)
        rows = csv_rows(response)
        assert stored
        assert len(rows) == stored
        assert attachment_name(response) == f"scores_{YEAR}_all_rev-latest.csv"

    async def test_csv_matches_each_units_scores(self, client: AsyncClient) -> None:
        rows = csv_rows(await get_ok(client, SCORES_EXPORT, params={"group": GROUP}))
        units = list(dict.fromkeys(r["unit_code"] for r in rows))
        assert units == sorted(units)
        assert all(unit.startswith("DEMO-DEP-") for unit in units)
        scores = (await get_ok(client, f"/api/v1/years/{YEAR}/units/{units[0]}/scores")).json()
        expected = [
            [
                units[0],
                s["criterion"],
                s["self_score"] or "",
                s["final_score"] or "",
                s["note"] or "",
            ]
            for s in scores["scores"]
        ]
        assert [list(r.values()) for r in rows if r["unit_code"] == units[0]] == expected

    async def test_xlsx_has_a_wide_sheet_per_group(self, client: AsyncClient) -> None:
        response = await get_ok(client, SCORES_EXPORT, params={"format": "xlsx"})
        workbook = workbook_of(response)
        assert workbook.sheetnames == [
            "demo-department",
            "demo-district",
            "long",
            "criteria",
            "about",
        ]
        criteria = (await get_ok(client, f"/api/v1/years/{YEAR}/criteria/{GROUP}")).json()
        leaves = [c["code"] for c in criteria["criteria"] if c["is_leaf"]]
        wide = list(workbook[GROUP].iter_rows(values_only=True))
        assert list(wide[0]) == ["unit_code", *leaves]
        long = list(workbook["long"].iter_rows(values_only=True))
        assert list(long[0]) == SCORE_HEADER
        department_units = {row[0] for row in long[1:] if row[0].startswith("DEMO-DEP-")}
        assert sorted(row[0] for row in wide[1:]) == sorted(department_units)
        finals = {(row[0], row[1]): row[3] for row in long[1:]}
        unit, *values = wide[1]
        assert values == [finals.get((unit, leaf)) for leaf in leaves]
        about = {row[0]: row[1] for row in workbook["about"].iter_rows(values_only=True)}
        assert (about["year"], about["status"]) == (YEAR, "published")
        assert attachment_name(response) == f"scores_{YEAR}_all_rev-latest.xlsx"

    async def test_json_is_no_format_of_the_scores_export(self, client: AsyncClient) -> None:
        assert_problem(await client.get(SCORES_EXPORT, params={"format": "json"}), 422)

    async def test_unknown_year_and_group_are_404_problems(self, client: AsyncClient) -> None:
        body = assert_problem(await client.get("/api/v1/years/2099/scores/export"), 404)
        assert body["type"].endswith("year-not-found")
        body = assert_problem(await client.get(SCORES_EXPORT, params={"group": "nope"}), 404)
        assert body["type"].endswith("group-not-found")


class TestOpenApi:
    async def test_json_operations_answer_json_only_and_deprecate_format(
        self, client: AsyncClient
    ) -> None:
        paths = (await get_ok(client, "/openapi.json")).json()["paths"]
        for path in JSON_AND_EXPORT:
            operation = paths[path]["get"]
            assert list(operation["responses"]["200"]["content"]) == ["application/json"], path
            assert "404" in operation["responses"]
            (fmt,) = [p for p in operation["parameters"] if p["name"] == "format"]
            assert fmt["deprecated"] is True

    async def test_export_operations_declare_the_files(self, client: AsyncClient) -> None:
        paths = (await get_ok(client, "/openapi.json")).json()["paths"]
        exports = {f"{path}/export": op_id for path, op_id in JSON_AND_EXPORT.items()}
        for path, operation_id in {**exports, SCORES_EXPORT_TEMPLATE: "exportScores"}.items():
            operation = paths[path]["get"]
            assert operation["operationId"] == operation_id
            ok = operation["responses"]["200"]
            assert set(ok["content"]) == {"text/csv", XLSX_MEDIA_TYPE}, path
            for media_type in ok["content"].values():
                assert media_type["schema"]["format"] == "binary"
            assert "Content-Disposition" in ok["headers"]
            assert "404" in operation["responses"]
            (fmt,) = [p for p in operation["parameters"] if p["name"] == "format"]
            assert fmt["schema"]["anyOf"][0]["$ref"].endswith("/SheetFormat")
