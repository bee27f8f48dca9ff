"""`par-index template`: the workbook the API serves, written to a file, which `par-index import
scores` reads back; an unknown group is refused."""

import io
from pathlib import Path

import pytest
from httpx import AsyncClient
from openpyxl import load_workbook

from app.core.config import Settings
from tests.api.test_cli_keys import api, cli, cli_settings, create_key  # noqa: F401
from tests.builders import create_draft_year, create_group, create_unit, put_small_tree

YEAR, GROUP = 2033, "t-cli-tpl"
FIRST_UNIT_ROW = 11


async def prepare_year(api: AsyncClient, key: str) -> None:  # noqa: F811
    api.headers["X-API-Key"] = key
    await create_draft_year(api, YEAR)
    await create_group(api, GROUP)
    await put_small_tree(api, YEAR, group=GROUP)
    await create_unit(api, "T-CLI-A", group=GROUP, name_vi="Văn phòng Dòng Lệnh A")


class TestTemplateCommand:
    async def test_writes_the_template_that_the_import_command_reads_back(
        self,
        cli_settings: Settings,  # noqa: F811
        api: AsyncClient,  # noqa: F811
        capsys: pytest.CaptureFixture[str],
        tmp_path: Path,
    ) -> None:
        await prepare_year(api, await create_key(capsys, "--name", "ci", "--role", "admin"))
        path = tmp_path / "self.xlsx"
        args = ("template", "--year", str(YEAR), "--group", GROUP, "--kind", "self")
        capsys.readouterr()
        assert await cli(*args, "-o", str(path)) == 0
        assert f"wrote {path}: 1 unit(s) × 5 leaves, self scores of {GROUP} {YEAR}\n" in (
            capsys.readouterr().out
        )
        served = await api.get(f"/api/v1/years/{YEAR}/templates/{GROUP}?kind=self")
        book = load_workbook(path)
        sheet = book.worksheets[0]
        assert sheet.title == f"{GROUP} (tự chấm)"
        assert [s.title for s in load_workbook(io.BytesIO(served.content))] == [
            s.title for s in book
        ]
        assert sheet.cell(FIRST_UNIT_ROW, 2).value == "T-CLI-A"
        for column, value in enumerate([1.5, 2, 5.25, 0, 0], start=4):
            sheet.cell(FIRST_UNIT_ROW, column, value)
        book.save(path)
        assert await cli("import", "scores", str(path), "--year", str(YEAR)) == 0
        scores = (await api.get(f"/api/v1/years/{YEAR}/units/T-CLI-A/scores")).json()["scores"]
        assert [(s["self_score"], s["final_score"]) for s in scores] == [
            ("1.50", None),
            ("2.00", None),
            ("5.25", None),
            ("0.00", None),
            ("0.00", None),
        ]

    async def test_default_file_name_and_an_unknown_group(
        self,
        cli_settings: Settings,  # noqa: F811
        api: AsyncClient,  # noqa: F811
        capsys: pytest.CaptureFixture[str],
        tmp_path: Path,
        monkeypatch: pytest.MonkeyPatch,
    ) -> None:
        await prepare_year(api, await create_key(capsys, "--name", "ci", "--role", "admin"))
        monkeypatch.chdir(tmp_path)
        assert await cli("template", "--year", str(YEAR), "--group", GROUP) == 0
        assert (tmp_path / f"template_{YEAR}_{GROUP}_final.xlsx").is_file()
        capsys.readouterr()
        assert await cli("template", "--year", str(YEAR), "--group", "no-such-group") == 1
        assert capsys.readouterr().err == (
            "Unit group not found: No unit group with code 'no-such-group'.\n"
        )
