"""`par-index import scores`: an officials' workbook from the command line, its sheet figures
and summary printed; a refusal lists every located problem and its summary."""

import asyncio
from pathlib import Path

import pytest
from httpx import AsyncClient

from app.core.config import Settings
from tests.api.test_cli_keys import api, cli, cli_settings, create_key  # noqa: F401
from tests.api.test_official_workbooks import (
    GROUP,
    NAME_A,
    NAME_B,
    UNIT_A,
    UNIT_B,
    YEAR,
    official_workbook,
)
from tests.builders import create_draft_year, create_group, create_unit, put_small_tree


async def prepare_year(api: AsyncClient, key: str) -> None:  # noqa: F811
    api.headers["X-API-Key"] = key
    await create_draft_year(api, YEAR)
    await create_group(api, GROUP)
    await put_small_tree(api, YEAR, group=GROUP)
    await create_unit(api, "T-WB-A", group=GROUP, name_vi=NAME_A, name_en="Test office A")
    await create_unit(api, "T-WB-B", group=GROUP, name_vi=NAME_B, name_en="Test board B")


class TestImportCommand:
    async def test_a_workbook_s_wrong_total_is_printed_with_the_summary(
        self,
        cli_settings: Settings,  # noqa: F811
        api: AsyncClient,  # noqa: F811
        capsys: pytest.CaptureFixture[str],
        tmp_path: Path,
    ) -> None:
        await prepare_year(api, await create_key(capsys, "--name", "ci", "--role", "admin"))
        path = tmp_path / "official.xlsx"
        path.write_bytes(await asyncio.to_thread(official_workbook, [UNIT_A, [*UNIT_B[:2], 7.5]]))
        assert await cli("import", "scores", str(path), "--year", str(YEAR), "--dry-run") == 0
        out = capsys.readouterr().out
        assert "sheet figure: Nhóm thử t-wb:9:total T-WB-B 7.5 in the file, 7.25 computed" in out
        assert out.rstrip().endswith(
            "Chạy thử tệp official.xlsx: 2 đơn vị; 10 thêm, 0 sửa, 0 xoá, 0 giữ; chưa ghi gì. "
            "2 tổng điểm, chỉ số hoặc xếp hạng trong tệp khác hệ thống."
        )

    async def test_a_refusal_ends_with_its_summary(
        self,
        cli_settings: Settings,  # noqa: F811
        api: AsyncClient,  # noqa: F811
        capsys: pytest.CaptureFixture[str],
        tmp_path: Path,
    ) -> None:
        await prepare_year(api, await create_key(capsys, "--name", "ci", "--role", "admin"))
        path = tmp_path / "official.xlsx"
        unknown = ["Văn phòng Không Có", [1, 2, 4, 0, 0], 7]
        path.write_bytes(await asyncio.to_thread(official_workbook, [UNIT_A, unknown]))
        assert await cli("import", "scores", str(path), "--year", str(YEAR)) == 1
        err = capsys.readouterr().err
        assert "Nhóm thử t-wb:9:unit_name: unknown unit name 'Văn phòng Không Có'" in err
        assert "Không nhập tệp official.xlsx: 1 lỗi, chưa ghi gì." in err
