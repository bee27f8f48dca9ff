"""Small builders for test data: plain functions returning request bodies or flushed rows."""

from typing import Any

from httpx import AsyncClient, Response
from sqlalchemy.ext.asyncio import AsyncSession

from app.models import UnitGroup


def small_tree() -> dict[str, Any]:
    """A valid 10-point tree: two fields, a survey leaf, a bonus and a capped penalty."""
    return {
        "max_score": "10",
        "criteria": [
            {"code": "1", "name_vi": "Chỉ đạo", "name_en": "Direction", "max_score": "4"},
            {
                "code": "1.1",
                "name_vi": "Kế hoạch",
                "name_en": "Plan",
                "max_score": "1.5",
                "method": "appraisal",
            },
            {
                "code": "1.2",
                "name_vi": "Báo cáo",
                "name_en": "Reports",
                "max_score": "2.5",
                "method": "indicator",
            },
            {"code": "2", "name_vi": "Tác động", "name_en": "Impact", "max_score": "6"},
            {
                "code": "2.1",
                "name_vi": "Hài lòng",
                "name_en": "Satisfaction",
                "max_score": "6",
                "method": "survey",
            },
            {
                "code": "3",
                "name_vi": "Thưởng, trừ",
                "name_en": "Bonus and penalty",
                "max_score": "1",
            },
            {
                "code": "3.1",
                "name_vi": "Điểm thưởng",
                "name_en": "Bonus",
                "max_score": "1",
                "method": "bonus",
            },
            {
                "code": "3.2",
                "name_vi": "Điểm trừ",
                "name_en": "Penalty",
                "max_score": "2",
                "method": "penalty",
            },
        ],
        "bands": [
            {"label_vi": "Tốt", "label_en": "Good", "min_index": "90"},
            {"label_vi": "Khá", "label_en": "Fair", "min_index": "80"},
        ],
    }


async def add_group(session: AsyncSession, code: str = "t-group") -> UnitGroup:
    """A unit group of its own, so that the units a test creates are the whole group (the
    Lam Dong departments would otherwise make the `department` group partial)."""
    group = UnitGroup(code=code, name_vi=f"Nhóm thử {code}", name_en=f"Test group {code}")
    session.add(group)
    await session.flush()
    return group


async def create_group(client: AsyncClient, code: str) -> str:
    """A unit group of its own, created through the API: the units a test creates are then the
    whole group, so its ranks and statistics are computed (see add_group)."""
    body = {"code": code, "name_vi": f"Nhóm thử {code}", "name_en": f"Test group {code}"}
    response = await client.post("/api/v1/groups", json=body)
    assert response.status_code == 201, response.text
    return code


async def create_draft_year(client: AsyncClient, year: int = 2030) -> int:
    response = await client.post("/api/v1/years", json={"year": year, "note": "test year"})
    assert response.status_code == 201, response.text
    return year


async def create_unit(
    client: AsyncClient, code: str = "T-DEP-1", group: str = "department", **fields: Any
) -> dict[str, Any]:
    body = {"code": code, "name_vi": f"Sở thử {code}", "name_en": f"Test {code}", "group": group}
    response = await client.post("/api/v1/units", json=body | fields)
    assert response.status_code == 201, response.text
    result: dict[str, Any] = response.json()
    return result


async def put_small_tree(client: AsyncClient, year: int, group: str = "department") -> None:
    response = await client.put(f"/api/v1/years/{year}/criteria/{group}", json=small_tree())
    assert response.status_code == 200, response.text


def assert_problem(response: Response, status: int) -> dict[str, Any]:
    """The response is an RFC 9457 problem document with the given status; return its body."""
    assert response.status_code == status, response.text
    assert response.headers["content-type"].startswith("application/problem+json")
    body: dict[str, Any] = response.json()
    assert {"type", "title", "status", "detail"} <= body.keys()
    assert body["status"] == status
    return body


def error_locs(body: dict[str, Any]) -> list[list[str | int]]:
    """The locations listed in a problem document's `errors`, list positions as ints.

    Request validation renders every part of a location as text ("0") while the services keep
    positions as numbers (0); tests compare positions either way.
    """
    return [
        [int(part) if isinstance(part, str) and part.isdigit() else part for part in error["loc"]]
        for error in body.get("errors", [])
    ]
