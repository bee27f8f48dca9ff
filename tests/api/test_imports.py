"""Imports of a whole year from files: every problem at once, nothing written, diffs, records."""

import hashlib
import io
import json
from collections.abc import AsyncIterator
from typing import Any

import pytest
from fastapi import FastAPI
from httpx import AsyncClient, Request, Response
from openpyxl import Workbook
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from app.core.config import ImportSettings
from app.models import CriteriaSet, Criterion, LeafScore, OrgUnit, UnitGroup
from app.repositories.revision import RevisionRepository
from app.repositories.score_staging import ScoreStagingRepository
from app.services.imports import diff as import_diff
from app.services.imports import scores as score_import
from tests.builders import (
    assert_problem,
    create_draft_year,
    create_unit,
    error_locs,
    put_small_tree,
    small_tree,
)
from tests.conftest import api_key, http_client

YEAR = 2030
UNIT_A, UNIT_B = "T-IMP-A", "T-IMP-B"
HEADER = "unit_code,criterion_code,self_score,final_score,note"
# Final scores of every leaf of the small tree (1.1, 1.2, 2.1, 3.1 bonus, 3.2 penalty).
FULL = {"1.1": "1.25", "1.2": "2", "2.1": "5.5", "3.1": "0.5", "3.2": "0"}


def unit_lines(unit: str, finals: dict[str, str] = FULL, self_score: str = "") -> list[str]:
    return [f"{unit},{code},{self_score},{final}," for code, final in finals.items()]


def csv_file(*lines: str, header: str = HEADER) -> bytes:
    return ("\n".join([header, *lines]) + "\n").encode()


FILE_A_B = csv_file(*unit_lines(UNIT_A), *unit_lines(UNIT_B))


def workbook(sheets: dict[str, list[list[Any]]]) -> bytes:
    book = Workbook()
    book.remove(book.active)
    for title, rows in sheets.items():
        sheet = book.create_sheet(title)
        for row in rows:
            sheet.append(row)
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


async def post_import(
    client: AsyncClient,
    content: bytes,
    *,
    year: int = YEAR,
    name: str = "scores.csv",
    content_type: str = "text/csv",
    **fields: Any,
) -> Response:
    data = {
        key: str(value).lower() if isinstance(value, bool) else str(value)
        for key, value in fields.items()
    }
    # The problems are asserted in English below; Vietnamese, the default, is tested with the
    # catalogue (tests/api/test_languages.py).
    return await client.post(
        f"/api/v1/years/{year}/imports",
        files={"file": (name, content, content_type)},
        data=data,
        headers={"Accept-Language": "en"},
    )


async def stored(client: AsyncClient, unit: str, year: int = YEAR) -> list[tuple[Any, ...]]:
    response = await client.get(f"/api/v1/years/{year}/units/{unit}/scores")
    assert response.status_code == 200, response.text
    return [
        (s["criterion"], s["self_score"], s["final_score"], s["note"])
        for s in response.json()["scores"]
    ]


async def imports(client: AsyncClient, year: int = YEAR) -> list[dict[str, Any]]:
    response = await client.get(f"/api/v1/years/{year}/imports")
    assert response.status_code == 200, response.text
    result: list[dict[str, Any]] = response.json()
    return result


@pytest.fixture
async def year(client: AsyncClient) -> int:
    """A draft year with the small department tree and two departments; A is already scored."""
    await create_draft_year(client, YEAR)
    await put_small_tree(client, YEAR)
    await create_unit(client, UNIT_A)
    await create_unit(client, UNIT_B)
    response = await post_import(client, csv_file(*unit_lines(UNIT_A)))
    assert response.status_code == 200, response.text
    assert response.json()["outcome"] == "applied"
    return YEAR


# FULL as the API serves scores: two decimals, more only where a score has them.
FULL_SERVED = {"1.1": "1.25", "1.2": "2.00", "2.1": "5.50", "3.1": "0.50", "3.2": "0.00"}
A_STORED = [(code, None, final, None) for code, final in FULL_SERVED.items()]


async def assert_rejected(
    client: AsyncClient, response: Response, loc: list[Any], message: str, status: int = 422
) -> dict[str, Any]:
    """A problem document listing `loc`, with nothing written: both units read back as before,
    and the attempt recorded as rejected."""
    body = assert_problem(response, status)
    if status == 422:
        assert loc in error_locs(body), body
        assert any(message in error["msg"] for error in body["errors"]), body
    else:
        assert message in body["detail"], body
    assert await stored(client, UNIT_A) == A_STORED
    assert await stored(client, UNIT_B) == []
    return body


class TestBadInput:
    @pytest.mark.parametrize(
        ("line", "loc", "message"),
        [
            ("T-NOPE,1.1,,1,", ["csv", 7, "unit_code"], "unknown unit 'T-NOPE'"),
            (f"{UNIT_A},9.9,,1,", ["csv", 7, "criterion_code"], "not in the unit's criteria"),
            (f"{UNIT_A},1,,1,", ["csv", 7, "criterion_code"], "is not a leaf"),
            (f"{UNIT_A},1.1,,1.6,", ["csv", 7, "final_score"], "above the maximum 1.5"),
            (f"{UNIT_A},3.2,,2.5,", ["csv", 7, "final_score"], "above the cap 2 of '3.2'"),
            (f"{UNIT_A},1.2,-0.5,1,", ["csv", 7, "self_score"], "-0.5 is below 0"),
            (f"{UNIT_A},1.2,,abc,", ["csv", 7, "final_score"], "'abc' is not a number"),
            (f"{UNIT_A},1.2,,1.23456,", ["csv", 7, "final_score"], "more than 4 decimals"),
            (",1.2,,1,", ["csv", 7, "unit_code"], "unit_code is empty"),
            (f"{UNIT_A},,,1,", ["csv", 7, "criterion_code"], "criterion_code is empty"),
            (f"{UNIT_A},2.1,,6,", ["csv", 7, "criterion_code"], "twice; first on row 4"),
        ],
        ids=[
            "unknown-unit",
            "unknown-criterion",
            "inner-criterion",
            "above-max",
            "penalty-above-cap",
            "negative",
            "non-numeric",
            "too-many-decimals",
            "empty-unit",
            "empty-criterion",
            "duplicate",
        ],
    )
    async def test_bad_row_rejects_the_whole_file(
        self, client: AsyncClient, year: int, line: str, loc: list[Any], message: str
    ) -> None:
        changed_a = unit_lines(UNIT_A, FULL | {"1.1": "0.5"})
        response = await post_import(client, csv_file(*changed_a, line))
        await assert_rejected(client, response, loc, message)
        [latest, *_] = await imports(client)
        assert (latest["outcome"], latest["problem_count"]) == ("rejected", 1)

    async def test_inactive_unit(self, client: AsyncClient, year: int) -> None:
        await create_unit(client, "T-IMP-OLD", valid_from="2010-01-01", valid_to="2020-12-31")
        response = await post_import(client, csv_file(*unit_lines("T-IMP-OLD")))
        await assert_rejected(client, response, ["csv", 2, "unit_code"], "not active in that year")

    async def test_group_without_criteria_set(self, client: AsyncClient, year: int) -> None:
        await create_unit(client, "T-IMP-DIS", group="district")
        response = await post_import(client, csv_file(*unit_lines("T-IMP-DIS")))
        await assert_rejected(client, response, ["csv", 2, "unit_code"], "has no criteria set")

    async def test_unit_on_another_group_s_sheet(self, client: AsyncClient, year: int) -> None:
        await put_small_tree(client, YEAR, group="demo-department")
        content = workbook(
            {
                "department": [["unit_code", *FULL], [UNIT_A, *map(float, FULL.values())]],
                "demo-department": [["unit_code", *FULL], [UNIT_B, *map(float, FULL.values())]],
            }
        )
        response = await post_import(client, content, name="scores.xlsx", content_type="")
        await assert_rejected(
            client, response, ["demo-department", 2, "unit_code"], "not in the group"
        )

    async def test_missing_leaves_are_an_error_by_default(
        self, client: AsyncClient, year: int
    ) -> None:
        response = await post_import(client, csv_file(*unit_lines(UNIT_B)[:3]))
        body = await assert_rejected(client, response, ["csv", 2, "criterion_code"], "3.1, 3.2")
        assert "2 leaf/leaves" in body["errors"][0]["msg"]

    async def test_missing_leaves_can_be_scored_zero(self, client: AsyncClient, year: int) -> None:
        response = await post_import(
            client, csv_file(*unit_lines(UNIT_B)[:3]), missing_leaves="zero"
        )
        assert response.status_code == 200, response.text
        report = response.json()
        assert report["counts"]["zero_filled"] == 2
        assert report["counts"]["added"] == 5
        assert await stored(client, UNIT_B) == [
            ("1.1", None, "1.25", None),
            ("1.2", None, "2.00", None),
            ("2.1", None, "5.50", None),
            ("3.1", None, "0.00", None),
            ("3.2", None, "0.00", None),
        ]

    async def test_wrong_encoding(self, client: AsyncClient, year: int) -> None:
        content = csv_file(*unit_lines(UNIT_B)) + f"{UNIT_B},1.1,,1,caf".encode() + b"\xe9\n"
        response = await post_import(client, content)
        body = await assert_rejected(client, response, ["csv", 7], "wrong encoding")
        assert f"byte offset {content.index(b'caf') + 3}" in body["errors"][0]["msg"]

    async def test_broken_json_is_placed_at_its_line(self, client: AsyncClient, year: int) -> None:
        first = json.dumps({"unit_code": UNIT_B, "criterion_code": "1.1", "final_score": 1})
        content = f'{{"scores": [\n  {first},\n  {{"unit_code" "{UNIT_B}"}}\n]}}'.encode()
        response = await post_import(client, content, name="s.json", content_type="")
        body = await assert_rejected(client, response, ["json", 3], "not valid JSON")
        [broken] = [e for e in body["errors"] if e["loc"] == ["json", 3]]
        # The parser reads the whole unexpected token: the error is at its last character.
        assert broken["msg"].endswith(f"(column {16 + len(UNIT_B) + 1})")

    async def test_too_large(self, app: FastAPI, session: AsyncSession, year: int) -> None:
        app.state.settings = app.state.settings.model_copy(
            update={"imports": ImportSettings(max_bytes=64)}
        )
        async with http_client(app, await api_key(session, "admin")) as small:
            response = await post_import(small, FILE_A_B)
            body = assert_problem(response, 413)
            assert body["type"].endswith("payload-too-large")
            assert await stored(small, UNIT_B) == []
            assert [r["outcome"] for r in await imports(small)] == ["applied"]

    async def test_a_large_upload_is_refused_before_it_is_read_whole(
        self, app: FastAPI, session: AsyncSession, year: int
    ) -> None:
        app.state.settings = app.state.settings.model_copy(
            update={"imports": ImportSettings(max_bytes=1000)}
        )
        big = csv_file(*[f"{UNIT_B},1.1,,1,{'x' * 100}"] * 20_000)  # about 2.5 MB
        form = Request("POST", "/", files={"file": ("big.csv", big, "text/csv")})
        body = form.read()
        sent = 0

        async def chunks() -> AsyncIterator[bytes]:
            nonlocal sent
            for start in range(0, len(body), 16_384):
                sent += 16_384
                yield body[start : start + 16_384]

        async with http_client(app, await api_key(session, "admin")) as small:
            response = await small.post(
                f"/api/v1/years/{YEAR}/imports",
                content=chunks(),
                headers={"content-type": form.headers["content-type"]},
            )
            assert_problem(response, 413)
        assert sent < 200_000  # the limit plus the multipart allowance, not the whole file

    @pytest.mark.parametrize(
        ("name", "content"),
        [("scores.pdf", b"%PDF-1.7"), ("scores.xls", b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1")],
    )
    async def test_unsupported_type(
        self, client: AsyncClient, year: int, name: str, content: bytes
    ) -> None:
        response = await post_import(client, content, name=name, content_type="")
        body = assert_problem(response, 415)
        assert body["type"].endswith("unsupported-media-type")
        assert await stored(client, UNIT_B) == []

    async def test_published_year_without_reason(self, client: AsyncClient, year: int) -> None:
        assert (await client.post(f"/api/v1/years/{YEAR}/publish")).status_code == 200
        response = await post_import(client, FILE_A_B)
        await assert_rejected(client, response, [], "send a correction_reason", status=409)
        [latest, *_] = await imports(client)
        assert latest["outcome"] == "rejected"

    async def test_every_problem_is_reported_at_once(self, client: AsyncClient, year: int) -> None:
        lines = [
            *unit_lines(UNIT_B),
            f"{UNIT_B},1.1,,9,",
            "T-NOPE,1.1,,1,",
            f"{UNIT_A},1,,1,",
        ]
        response = await post_import(client, csv_file(*lines))
        body = await assert_rejected(client, response, ["csv", 7, "final_score"], "above")
        assert error_locs(body) == [
            ["csv", 7, "final_score"],
            ["csv", 8, "unit_code"],
            ["csv", 9, "criterion_code"],
            ["csv", 9, "criterion_code"],
        ]
        assert "4 problem(s)" in body["detail"]
        [latest, *_] = await imports(client)
        assert latest["problem_count"] == 4


class TestOutcomes:
    async def test_changes_are_applied_and_reported_field_by_field(
        self, client: AsyncClient, session: AsyncSession, year: int
    ) -> None:
        before = await RevisionRepository(session).current()
        lines = [*unit_lines(UNIT_A, FULL | {"1.1": "0.5"}), *unit_lines(UNIT_B, self_score="0")]
        response = await post_import(client, csv_file(*lines))
        assert response.status_code == 200, response.text
        report = response.json()
        assert report["outcome"] == "applied"
        assert report["counts"] == {
            "rows": 10,
            "units": 2,
            "added": 5,
            "changed": 1,
            "removed": 0,
            "unchanged": 4,
            "zero_filled": 0,
        }
        assert report["changes"][0] == {
            "unit_code": UNIT_A,
            "criterion_code": "1.1",
            "field": "final_score",
            "before": "1.25",
            "after": "0.5",
        }
        assert len(report["changes"]) == 1 + 5 * 2  # B's leaves: self and final each
        assert report["changes_omitted"] == 0
        assert report["problems"] == []
        assert await RevisionRepository(session).current() == before + 1
        assert (await stored(client, UNIT_A))[0] == ("1.1", None, "0.50", None)
        assert (await stored(client, UNIT_B))[0] == ("1.1", "0.00", "1.25", None)

    async def test_one_audit_event_names_the_file(self, client: AsyncClient, year: int) -> None:
        response = await post_import(client, FILE_A_B)
        digest = hashlib.sha256(FILE_A_B).hexdigest()
        events = await client.get("/api/v1/audit", params={"entity": "scores", "year": YEAR})
        [event, *_] = events.json()["items"]
        assert (event["action"], event["entity_key"]) == ("import", f"{YEAR}/import/{digest[:12]}")
        assert event["after"]["added"] == response.json()["counts"]["added"] == 5

    async def test_identical_re_import_is_a_no_op(
        self, client: AsyncClient, session: AsyncSession, year: int
    ) -> None:
        before = await RevisionRepository(session).current()
        response = await post_import(client, csv_file(*unit_lines(UNIT_A)))
        assert response.status_code == 200, response.text
        report = response.json()
        assert report["outcome"] == "unchanged"
        assert report["counts"]["unchanged"] == 5
        assert report["changes"] == []
        assert await RevisionRepository(session).current() == before
        assert [r["outcome"] for r in await imports(client)] == ["unchanged", "applied"]

    async def test_dry_run_reports_the_diff_and_writes_nothing(
        self, client: AsyncClient, session: AsyncSession, year: int
    ) -> None:
        before = await RevisionRepository(session).current()
        response = await post_import(client, FILE_A_B, dry_run=True)
        assert response.status_code == 200, response.text
        report = response.json()
        assert (report["outcome"], report["dry_run"]) == ("dry_run", True)
        assert report["counts"]["added"] == 5
        assert {c["unit_code"] for c in report["changes"]} == {UNIT_B}
        assert await stored(client, UNIT_B) == []
        assert await RevisionRepository(session).current() == before
        [latest, *_] = await imports(client)
        assert (latest["outcome"], latest["dry_run"]) == ("dry_run", True)

    async def test_options_may_come_as_query_parameters(
        self, client: AsyncClient, year: int
    ) -> None:
        response = await client.post(
            f"/api/v1/years/{YEAR}/imports?dry_run=true&kind=scores",
            files={"file": ("s.csv", FILE_A_B, "text/csv")},
        )
        assert response.json()["outcome"] == "dry_run"

    async def test_semicolons_decimal_commas_notes_and_self_scores(
        self, client: AsyncClient, year: int
    ) -> None:
        lines = [
            f"{UNIT_B};{code};{final.replace('.', ',')};{final.replace('.', ',')};ghi chú {code}"
            for code, final in FULL.items()
        ]
        content = "\ufeff" + "\r\n".join([HEADER.replace(",", ";"), *lines]) + "\r\n"
        response = await post_import(client, content.encode())
        assert response.json()["outcome"] == "applied", response.text
        assert (await stored(client, UNIT_B))[0] == ("1.1", "1.25", "1.25", "ghi chú 1.1")

    async def test_json_scores(self, client: AsyncClient, year: int) -> None:
        rows = [
            {"unit_code": UNIT_B, "criterion_code": code, "final_score": float(final)}
            for code, final in FULL.items()
        ]
        content = json.dumps({"scores": rows}).encode()
        response = await post_import(client, content, name="s.json", content_type="")
        assert response.json()["outcome"] == "applied", response.text
        assert await stored(client, UNIT_B) == [
            (code, None, final, None) for code, final in FULL_SERVED.items()
        ]

    async def test_xlsx_group_sheet_with_long_sheet_adding_notes(
        self, client: AsyncClient, year: int
    ) -> None:
        content = workbook(
            {
                "department": [["unit_code", *FULL], [UNIT_B, *map(float, FULL.values())]],
                "long": [
                    ["unit_code", "criterion_code", "self_score", "final_score", "note"],
                    [UNIT_B, "2.1", 6, 5.5, "survey 2030"],
                ],
            }
        )
        response = await post_import(client, content, name="scores.xlsx", content_type="")
        assert response.json()["outcome"] == "applied", response.text
        assert ("2.1", "6.00", "5.50", "survey 2030") in await stored(client, UNIT_B)

    async def test_xlsx_sheets_that_disagree_are_a_problem(
        self, client: AsyncClient, year: int
    ) -> None:
        content = workbook(
            {
                "department": [["unit_code", *FULL], [UNIT_B, *map(float, FULL.values())]],
                "long": [
                    ["unit_code", "criterion_code", "self_score", "final_score"],
                    [UNIT_B, "2.1", None, 5],
                ],
            }
        )
        response = await post_import(client, content, name="scores.xlsx", content_type="")
        await assert_rejected(
            client, response, ["long", 2, "final_score"], "differs from 5.5 on sheet 'department'"
        )

    async def test_unknown_year_is_a_404(self, client: AsyncClient) -> None:
        assert_problem(await post_import(client, FILE_A_B, year=2099), 404)


class TestStreamedScores:
    """Rows stream through a staging table a chunk at a time (two rows here): what needs an
    earlier row (repeats, the sheets' agreement) and the diff are answered in SQL."""

    @pytest.fixture(autouse=True)
    def small_chunks(self, monkeypatch: pytest.MonkeyPatch) -> None:
        monkeypatch.setattr(score_import, "STAGE_ROWS", 2)

    async def test_a_repeat_chunks_later_names_its_first_row(
        self, client: AsyncClient, year: int
    ) -> None:
        response = await post_import(client, csv_file(*unit_lines(UNIT_B), f"{UNIT_B},1.1,,1,"))
        await assert_rejected(
            client, response, ["csv", 7, "criterion_code"], "twice; first on row 2"
        )

    async def test_problems_found_in_sql_keep_file_order(
        self, client: AsyncClient, year: int
    ) -> None:
        lines = [
            *unit_lines(UNIT_B),
            "T-NOPE,1.1,,1,",
            f"{UNIT_B},1.1,,1,",
            f"{UNIT_B},2.1,,9,",
            f"{UNIT_B},3.1,,1,",
        ]
        response = await post_import(client, csv_file(*lines))
        body = await assert_rejected(client, response, ["csv", 8, "criterion_code"], "twice")
        assert error_locs(body) == [
            ["csv", 7, "unit_code"],
            ["csv", 8, "criterion_code"],
            ["csv", 9, "final_score"],
            ["csv", 10, "criterion_code"],
        ]
        assert "4 problem(s)" in body["detail"]

    async def test_long_rows_merge_into_the_group_sheet_across_chunks(
        self, client: AsyncClient, year: int
    ) -> None:
        long_header = ["unit_code", "criterion_code", "self_score", "final_score", "note"]
        content = workbook(
            {
                "department": [["unit_code", *FULL], [UNIT_B, *map(float, FULL.values())]],
                "long": [
                    long_header,
                    [UNIT_B, "1.1", 1, 1.25, "first leaf"],
                    [UNIT_B, "2.1", 6, 5.5, "overwritten"],
                    [UNIT_B, "2.1", 5, 5.5, "the last long row wins"],
                ],
            }
        )
        response = await post_import(client, content, name="scores.xlsx", content_type="")
        assert response.json()["outcome"] == "applied", response.text
        assert response.json()["counts"]["added"] == 5
        assert await stored(client, UNIT_B) == [
            ("1.1", "1.00", "1.25", "first leaf"),
            ("1.2", None, "2.00", None),
            ("2.1", "5.00", "5.50", "the last long row wins"),
            ("3.1", None, "0.50", None),
            ("3.2", None, "0.00", None),
        ]

    async def test_a_group_sheet_disagreeing_with_an_earlier_long_sheet(
        self, client: AsyncClient, year: int
    ) -> None:
        content = workbook(
            {
                "long": [
                    ["unit_code", "criterion_code", "self_score", "final_score"],
                    [UNIT_B, "2.1", None, 5],
                ],
                "department": [["unit_code", *FULL], [UNIT_B, *map(float, FULL.values())]],
            }
        )
        response = await post_import(client, content, name="scores.xlsx", content_type="")
        await assert_rejected(
            client,
            response,
            ["department", 2, "2.1"],
            f"final score 5.5 of {UNIT_B!r} on '2.1' differs from 5 on sheet 'long' row 2",
        )

    async def test_the_diff_counts_every_kind_of_change(
        self, client: AsyncClient, session: AsyncSession, year: int
    ) -> None:
        # B once had a score on another group's tree of the year: the file's B drops it.
        await put_small_tree(client, YEAR, group="demo-department")
        elsewhere = await session.scalar(
            select(Criterion.id)
            .join(CriteriaSet, Criterion.criteria_set_id == CriteriaSet.id)
            .join(UnitGroup, CriteriaSet.group_id == UnitGroup.id)
            .where(
                CriteriaSet.year == YEAR,
                UnitGroup.code == "demo-department",
                Criterion.code == "1.1",
            )
        )
        unit_b = await session.scalar(select(OrgUnit.id).where(OrgUnit.code == UNIT_B))
        assert elsewhere is not None
        assert unit_b is not None
        session.add(LeafScore(unit_id=unit_b, criterion_id=elsewhere, final_score=1))
        await session.flush()
        changed_a = [f"{UNIT_A},1.1,,0.5,", f"{UNIT_A},1.2,,2,a note", *unit_lines(UNIT_A)[2:]]
        response = await post_import(
            client, csv_file(*changed_a, *unit_lines(UNIT_B, self_score="0"))
        )
        assert response.status_code == 200, response.text
        report = response.json()
        assert report["counts"] == {
            "rows": 10,
            "units": 2,
            "added": 5,
            "changed": 2,
            "removed": 1,
            "unchanged": 3,
            "zero_filled": 0,
        }
        changes = [(c["unit_code"], c["criterion_code"], c["field"]) for c in report["changes"]]
        assert changes[:3] == [
            (UNIT_A, "1.1", "final_score"),
            (UNIT_A, "1.2", "note"),
            (UNIT_B, "1.1", "self_score"),
        ]
        assert len(changes) == 2 + 5 * 2 + 1
        assert report["changes"][-1] == {
            "unit_code": UNIT_B,
            "criterion_code": "1.1",
            "field": "final_score",
            "before": "1",
            "after": None,
        }
        assert report["changes_omitted"] == 0
        left = select(func.count()).where(LeafScore.criterion_id == elsewhere)
        assert await session.scalar(left) == 0
        assert (await stored(client, UNIT_A))[:2] == [
            ("1.1", None, "0.50", None),
            ("1.2", None, "2.00", "a note"),
        ]

    async def test_the_change_list_stops_at_its_limit(
        self, client: AsyncClient, monkeypatch: pytest.MonkeyPatch, year: int
    ) -> None:
        monkeypatch.setattr(import_diff, "CHANGE_LIMIT", 3)
        monkeypatch.setattr(score_import, "CHANGE_LIMIT", 3)
        response = await post_import(client, FILE_A_B, dry_run=True)
        report = response.json()
        assert (report["counts"]["added"], report["counts"]["unchanged"]) == (5, 5)
        assert [c["criterion_code"] for c in report["changes"]] == ["1.1", "1.2", "2.1"]
        assert report["changes_omitted"] == 2

    async def test_no_staging_table_outlives_an_import(
        self, client: AsyncClient, session: AsyncSession, year: int
    ) -> None:
        staging = ScoreStagingRepository(session)
        rejected = await post_import(client, csv_file(*unit_lines(UNIT_B), "T-NOPE,1.1,,1,"))
        assert_problem(rejected, 422)
        assert not await staging.exists()
        for dry_run in (True, False):
            response = await post_import(client, FILE_A_B, dry_run=dry_run)
            assert response.status_code == 200, response.text
            assert not await staging.exists()
        unchanged = await post_import(client, FILE_A_B)
        assert unchanged.json()["outcome"] == "unchanged"
        assert not await staging.exists()


class TestListImports:
    async def test_attempts_newest_first_with_the_file_s_identity(
        self, client: AsyncClient, year: int
    ) -> None:
        await post_import(client, FILE_A_B, name="all.csv")
        await post_import(client, b"nonsense", name="bad.csv")
        records = await imports(client)
        assert [(r["file_name"], r["outcome"]) for r in records] == [
            ("bad.csv", "rejected"),
            ("all.csv", "applied"),
            ("scores.csv", "applied"),
        ]
        applied = records[1]
        assert applied["sha256"] == hashlib.sha256(FILE_A_B).hexdigest()
        assert (applied["kind"], applied["file_format"]) == ("scores", "csv")
        assert applied["size_bytes"] == len(FILE_A_B)
        assert applied["counts"]["added"] == 5
        assert records[0]["problem_count"] == 2  # an unknown column, and the missing ones

    async def test_an_editor_may_import_scores_but_not_criteria(
        self, app: FastAPI, session: AsyncSession, year: int
    ) -> None:
        async with http_client(app, await api_key(session, "editor")) as editor:
            assert (await post_import(editor, FILE_A_B, dry_run=True)).status_code == 200
            criteria = await post_import(
                editor, json.dumps(small_tree()).encode(), name="t.json", kind="criteria"
            )
            assert_problem(criteria, 403)
            correction = await post_import(editor, FILE_A_B, correction_reason="appeal upheld")
            assert_problem(correction, 403)


class TestCorrections:
    async def test_correction_import_opens_a_revision(self, client: AsyncClient, year: int) -> None:
        assert (await client.post(f"/api/v1/years/{YEAR}/publish")).status_code == 200
        response = await post_import(client, FILE_A_B, correction_reason="Late appraisal of B")
        assert response.status_code == 200, response.text
        assert (response.json()["outcome"], response.json()["revision"]) == ("applied", 2)
        revisions = (await client.get(f"/api/v1/years/{YEAR}/revisions")).json()
        assert [(r["number"], r["kind"], r["reason"]) for r in revisions] == [
            (1, "publish", None),
            (2, "correction", "Late appraisal of B"),
        ]
        assert len(await stored(client, UNIT_B)) == 5
        [latest, *_] = await imports(client)
        assert latest["revision"] == 2


class TestRoundTrip:
    @pytest.mark.parametrize(("export_format", "name"), [("csv", "e.csv"), ("xlsx", "e.xlsx")])
    async def test_export_then_import_is_unchanged(
        self, client: AsyncClient, year: int, export_format: str, name: str
    ) -> None:
        lines = [f"{UNIT_B},{code},1,{final},=not a formula" for code, final in FULL.items()]
        assert (await post_import(client, csv_file(*lines))).json()["outcome"] == "applied"
        exported = await client.get(
            f"/api/v1/years/{YEAR}/scores/export", params={"format": export_format}
        )
        assert exported.status_code == 200, exported.text
        response = await post_import(client, exported.content, name=name, content_type="")
        assert response.status_code == 200, response.text
        assert response.json()["outcome"] == "unchanged"
        assert response.json()["counts"]["unchanged"] == 10


CRITERIA_HEADER = ["code", "name_vi", "name_en", "max_score", "method"]


def tree_workbook(*, drop_method_of: str | None = None) -> bytes:
    tree = small_tree()
    criteria = [
        [
            node["code"],
            node["name_vi"],
            node["name_en"],
            float(node["max_score"]),
            None if node["code"] == drop_method_of else node.get("method"),
        ]
        for node in tree["criteria"]
    ]
    bands = [[b["label_vi"], b["label_en"], float(b["min_index"])] for b in tree["bands"]]
    return workbook(
        {
            "criteria": [CRITERIA_HEADER, *criteria],
            "bands": [["label_vi", "label_en", "min_index"], *bands],
        }
    )


class TestCriteriaImport:
    async def test_xlsx_sets_the_tree_and_bands(self, client: AsyncClient) -> None:
        await create_draft_year(client, 2031)
        response = await post_import(
            client, tree_workbook(), year=2031, name="t.xlsx", kind="criteria", group="department"
        )
        assert response.status_code == 200, response.text
        assert response.json()["counts"]["added"] == 8
        tree = (await client.get("/api/v1/years/2031/criteria/department")).json()
        assert [(c["code"], c["max_score"], c["method"]) for c in tree["criteria"]][:2] == [
            ("1", "4.00", None),
            ("1.1", "1.50", "appraisal"),
        ]
        assert [b["min_index"] for b in tree["bands"]] == ["90.00", "80.00"]

    async def test_json_body_and_its_re_import(self, client: AsyncClient) -> None:
        await create_draft_year(client, 2031)
        content = json.dumps(small_tree()).encode()
        options = {"kind": "criteria", "group": "department", "name": "t.json", "year": 2031}
        first = await post_import(client, content, **options)
        assert first.json()["outcome"] == "applied", first.text
        again = await post_import(client, content, **options)
        assert again.json()["outcome"] == "unchanged"

    async def test_problems_are_located_on_the_sheet(self, client: AsyncClient) -> None:
        await create_draft_year(client, 2031)
        content = tree_workbook(drop_method_of="2.1")
        response = await post_import(
            client, content, year=2031, name="t.xlsx", kind="criteria", group="department"
        )
        body = assert_problem(response, 422)
        assert ["criteria", 6, "method"] in error_locs(body)
        missing = await client.get("/api/v1/years/2031/criteria/department")
        assert missing.status_code == 404

    async def test_group_is_required_and_csv_is_not_read(self, client: AsyncClient) -> None:
        await create_draft_year(client, 2031)
        content = json.dumps(small_tree()).encode()
        no_group = await post_import(client, content, year=2031, name="t.json", kind="criteria")
        assert_problem(no_group, 422)
        as_csv = await post_import(
            client, b"code,name_vi\n1,x\n", year=2031, kind="criteria", group="department"
        )
        assert_problem(as_csv, 415)


PUBLISHED_HEADER = "unit_code,index_value,published_rank,published_position,band_vi,source,note"


class TestPublishedImport:
    async def test_published_figures_are_stored_and_mismatches_flagged(
        self, client: AsyncClient, year: int
    ) -> None:
        content = csv_file(
            f"{UNIT_A},50.00,1,,Tốt,demo,",
            f"{UNIT_B},,2,,,demo,ranked only",
            header=PUBLISHED_HEADER,
        )
        response = await post_import(client, content, kind="published")
        assert response.status_code == 200, response.text
        report = response.json()
        assert report["counts"]["added"] == 2
        assert report["mismatches"] == [
            {"unit_code": UNIT_A, "published": "50.00", "computed": "92.50"}
        ]
        ranking = (await client.get(f"/api/v1/years/{YEAR}/rankings/department")).json()
        published = {e["unit"]["code"]: e["published"] for e in ranking["entries"]}
        assert published[UNIT_B]["rank"] == 2
        assert published[UNIT_A]["index"] == "50.00"
        again = await post_import(client, content, kind="published")
        assert again.json()["outcome"] == "unchanged"

    async def test_unknown_source_names_the_row(self, client: AsyncClient, year: int) -> None:
        content = csv_file(
            f"{UNIT_A},50,1,,,demo,", f"{UNIT_B},,2,,,nowhere,", header=PUBLISHED_HEADER
        )
        response = await post_import(client, content, kind="published")
        body = assert_problem(response, 422)
        assert error_locs(body) == [["csv", 3, "source"]]
        assert "unknown source 'nowhere'" in body["errors"][0]["msg"]
        ranking = (await client.get(f"/api/v1/years/{YEAR}/rankings/department")).json()
        assert all(e["published"] is None for e in ranking["entries"])
