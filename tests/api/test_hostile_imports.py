"""Hostile import files over HTTP: a located 422, nothing written, no 500 and no crash.

The files are built by `tests.hostile_files`; tests/unit/test_hostile_import_files.py holds
the readers' side, with the time and memory bounds.
"""

import json
import time
from pathlib import Path
from typing import Any

import pytest
from fastapi import FastAPI
from httpx import AsyncClient

from app.core.config import ImportSettings
from app.services.imports.parsing.json_guard import MAX_DEPTH
from tests import hostile_files as hostile
from tests.api.test_imports import (
    HEADER,
    PUBLISHED_HEADER,
    UNIT_A,
    UNIT_B,
    YEAR,
    assert_rejected,
    csv_file,
    imports,
    post_import,
    unit_lines,
)
from tests.builders import (
    assert_problem,
    create_draft_year,
    create_unit,
    error_locs,
    put_small_tree,
    small_tree,
)

SHEET_PART = hostile.SHEET_PART
XLSX = {"name": "scores.xlsx", "content_type": ""}
JSON = {"name": "scores.json", "content_type": ""}


@pytest.fixture
async def year(client: AsyncClient) -> int:
    """A draft year with the small department tree and two departments; A is already scored."""
    await create_draft_year(client, YEAR)
    await put_small_tree(client, YEAR)
    await create_unit(client, UNIT_A)
    await create_unit(client, UNIT_B)
    response = await post_import(client, csv_file(*unit_lines(UNIT_A)))
    assert response.json()["outcome"] == "applied", response.text
    return YEAR


def long_sheet_of_b() -> bytes:
    """A valid `long` sheet scoring unit B in full (what the hostile workbooks start from)."""
    rows: list[list[Any]] = [HEADER.split(",")]
    rows += [line.split(",")[:4] for line in unit_lines(UNIT_B)]
    return hostile.workbook({"long": rows})


def padded_long_sheet_of_b() -> bytes:
    """Unit B in full, then 20,000 rows of blank cells, which a reader skips: a valid workbook
    that unpacks to about 4 MB, 20 times its size (a part over 1 MiB is judged by its ratio)."""
    rows: list[list[Any]] = [HEADER.split(",")[:4]]
    rows += [line.split(",")[:4] for line in unit_lines(UNIT_B)]
    rows += [[" "] * 4] * 20_000
    return hostile.workbook({"long": rows})


async def assert_located(
    client: AsyncClient, content: bytes, loc: list[Any], message: str, **fields: Any
) -> dict[str, Any]:
    response = await post_import(client, content, **fields)
    body = await assert_rejected(client, response, loc, message)
    assert (await imports(client))[0]["outcome"] == "rejected"
    return body


class TestJson:
    async def test_a_number_of_4301_digits_is_a_422_and_not_a_crash(
        self, client: AsyncClient, year: int, tmp_path: Path
    ) -> None:
        content = hostile.long_number_json(4301, unit=UNIT_B)
        # First apart: the parser's crash (a segmentation fault) would end the test run.
        apart = hostile.read_json_scores_apart(content, tmp_path)
        assert apart.returncode == 0, (apart.returncode, apart.stderr[-2000:])
        await assert_located(
            client, content, ["json", 1], "a number with more than 100 digits", **JSON
        )

    async def test_the_digit_limit_is_a_setting(
        self, app: FastAPI, client: AsyncClient, year: int
    ) -> None:
        app.state.settings = app.state.settings.model_copy(
            update={"imports": ImportSettings(max_number_digits=3)}
        )
        content = hostile.long_number_json(4, unit=UNIT_B)
        await assert_located(client, content, ["json", 1], "more than 3 digits", **JSON)

    @pytest.mark.parametrize(
        ("kind", "key", "extra"),
        [
            ("scores", "scores", {}),
            ("published", "published_results", {}),
            ("criteria", "criteria", {"group": "department"}),
        ],
    )
    async def test_nesting_100_000_deep_is_a_located_422(
        self, client: AsyncClient, year: int, kind: str, key: str, extra: dict[str, str]
    ) -> None:
        content = hostile.deep_json(key, 100_000)
        await assert_located(
            client,
            content,
            ["json", 1],
            f"nested more than {MAX_DEPTH} levels deep",
            kind=kind,
            **extra,
            **JSON,
        )

    async def test_a_score_given_twice_in_a_row_is_refused(
        self, client: AsyncClient, year: int
    ) -> None:
        rows = [
            {"unit_code": UNIT_B, "criterion_code": code, "final_score": final}
            for code, final in [
                ("1.1", "1"),
                ("1.2", "2"),
                ("2.1", "5"),
                ("3.1", "0"),
                ("3.2", "0"),
            ]
        ]
        content = hostile.json_document("scores", rows).replace(
            b'"final_score": "1"}', b'"final_score": "0.83", "final_score": "0"}'
        )
        await assert_located(
            client, content, ["json", 1, "final_score"], "is given more than once", **JSON
        )

    async def test_a_published_figure_given_twice_is_refused(
        self, client: AsyncClient, year: int
    ) -> None:
        row = {"unit_code": UNIT_B, "source": "demo", "index_value": "50.00"}
        content = hostile.json_document("published_results", [row]).replace(
            b'"50.00"}', b'"50.00", "index_value": "90.00"}'
        )
        await assert_located(
            client,
            content,
            ["json", 1, "index_value"],
            "given more than once",
            kind="published",
            **JSON,
        )

    async def test_a_criterion_field_given_twice_is_refused(self, client: AsyncClient) -> None:
        await create_draft_year(client, 2031)
        content = (
            json.dumps(small_tree())
            .encode()
            .replace(b'"code": "1.1",', b'"code": "1.1", "code": "1.9",', 1)
        )
        response = await post_import(
            client, content, year=2031, kind="criteria", group="department", **JSON
        )
        body = assert_problem(response, 422)
        assert error_locs(body) == [["json", "criteria", 1, "code"]]
        missing = await client.get("/api/v1/years/2031/criteria/department")
        assert missing.status_code == 404


class TestCsv:
    async def test_a_line_past_the_csv_field_limit_is_a_located_422(
        self, client: AsyncClient, year: int
    ) -> None:
        content = csv_file(*unit_lines(UNIT_B), header=HEADER + "," + "x" * 200_000)
        await assert_located(client, content, ["csv", 1], "longer than 131,072 characters")

    async def test_a_header_without_rows_is_a_422(self, client: AsyncClient, year: int) -> None:
        await assert_located(client, csv_file(), ["csv", 2], "nothing to import")

    async def test_published_results_without_rows_are_a_422(
        self, client: AsyncClient, year: int
    ) -> None:
        content = csv_file(header=PUBLISHED_HEADER)
        await assert_located(client, content, ["csv", 2], "nothing to import", kind="published")


class TestXlsx:
    async def test_malformed_sheet_xml_is_a_located_422(
        self, client: AsyncClient, year: int
    ) -> None:
        workbook = long_sheet_of_b()
        sheet = hostile.parts_of(workbook)[SHEET_PART]
        broken = hostile.with_parts(
            workbook, {SHEET_PART: sheet.replace(b"</c></row>", b"</row>", 1)}
        )
        await assert_located(client, broken, ["long", 1], "unreadable sheet XML", **XLSX)

    async def test_an_external_entity_is_refused(
        self, client: AsyncClient, year: int, tmp_path: Path
    ) -> None:
        secret = tmp_path / "secret.txt"
        secret.write_text("MARKER-4412")
        doctype = f'<!DOCTYPE sst [<!ENTITY xxe SYSTEM "{secret.as_uri()}">]>'
        strings = hostile.shared_strings_with_doctype(doctype, "&xxe;")
        content = hostile.with_shared_strings(long_sheet_of_b(), strings)
        body = await assert_located(
            client, content, ["xlsx", "xl/sharedStrings.xml"], "declares a document type", **XLSX
        )
        assert "MARKER" not in json.dumps(body)

    async def test_entity_expansion_is_refused(self, client: AsyncClient, year: int) -> None:
        strings = hostile.shared_strings_with_doctype(hostile.billion_laughs(), "&lol9;")
        content = hostile.with_shared_strings(long_sheet_of_b(), strings)
        await assert_located(
            client, content, ["xlsx", "xl/sharedStrings.xml"], "declares a document type", **XLSX
        )

    async def test_a_zip_bomb_is_refused_within_seconds(
        self, client: AsyncClient, year: int
    ) -> None:
        bomb = hostile.zip_bomb_xlsx(2 << 30)
        started = time.perf_counter()
        await assert_located(client, bomb, ["xlsx", SHEET_PART], "(a zip bomb?)", **XLSX)
        assert time.perf_counter() - started < 10  # the whole request, hashing included

    async def test_a_padded_workbook_is_read_within_the_default_limits(
        self, client: AsyncClient, year: int
    ) -> None:
        response = await post_import(client, padded_long_sheet_of_b(), **XLSX)
        assert response.status_code == 200, response.text
        assert response.json()["outcome"] == "applied"

    @pytest.mark.parametrize(
        ("limit", "loc", "message"),
        [
            ({"max_unpacked_bytes": 10_000}, ["xlsx"], "at most 10,000 are read"),
            ({"max_compression_ratio": 2}, ["xlsx", SHEET_PART], "more than 2 times"),
            ({"max_rows": 4}, ["xlsx", SHEET_PART], "more than 4 rows"),
            ({"max_columns": 3}, ["xlsx", SHEET_PART], "row 1 has more than 3 cells"),
        ],
    )
    async def test_each_limit_is_a_setting(
        self,
        app: FastAPI,
        client: AsyncClient,
        year: int,
        limit: dict[str, int],
        loc: list[Any],
        message: str,
    ) -> None:
        app.state.settings = app.state.settings.model_copy(
            update={"imports": ImportSettings(**limit)}
        )
        await assert_located(client, padded_long_sheet_of_b(), loc, message, **XLSX)


class TestAnnotatedRefusals:
    """?format=xlsx hands a refused workbook back annotated, which means opening it whole: a
    hostile one is refused by the same checks first and answered with problem+json."""

    @pytest.mark.parametrize("hostility", ["zip bomb", "entity expansion"])
    async def test_a_hostile_workbook_is_never_opened_whole(
        self, client: AsyncClient, year: int, hostility: str
    ) -> None:
        if hostility == "zip bomb":
            content = hostile.zip_bomb_xlsx(2 << 30)
        else:
            strings = hostile.shared_strings_with_doctype(hostile.billion_laughs(), "&lol9;")
            content = hostile.with_shared_strings(long_sheet_of_b(), strings)
        started = time.perf_counter()
        response = await client.post(
            f"/api/v1/years/{YEAR}/imports",
            params={"format": "xlsx"},
            files={"file": ("scores.xlsx", content, "")},
        )
        assert time.perf_counter() - started < 10
        body = assert_problem(response, 422)
        assert error_locs(body)[0][0] == "xlsx"
