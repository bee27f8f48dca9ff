"""Score templates: a workbook per (year, group) for officials to fill in and import."""

from datetime import UTC, datetime
from typing import Annotated

from fastapi import APIRouter, Query, Response

from app.dependencies import EditorDep, GroupPath, TemplateServiceDep, YearPath
from app.routers.export_format import XLSX_MEDIA_TYPE
from app.routers.responses import AUTH, CONFLICT, NOT_FOUND, Responses
from app.services.exports.score_sheets import SheetScores
from app.services.exports.template_workbook import template_workbook

router = APIRouter(tags=["exports"])

KindQuery = Annotated[
    SheetScores,
    Query(
        description="`final` (appraised scores, the default) or `self` (self-assessed): the "
        "score the sheet's cells give; importing one kind keeps the other as stored."
    ),
]
WORKBOOK: Responses = {
    200: {
        "description": "An XLSX workbook: the score sheet and the instructions (`Hướng dẫn`).",
        "content": {XLSX_MEDIA_TYPE: {"schema": {"type": "string", "format": "binary"}}},
    }
}


@router.get(
    "/years/{year}/templates/{group}",
    summary="Download the score template of a year and unit group (XLSX)",
    response_class=Response,
    responses={**WORKBOOK, **AUTH, **NOT_FOUND, **CONFLICT},
)
async def get_score_template(
    year: YearPath,
    group: GroupPath,
    service: TemplateServiceDep,
    _caller: EditorDep,
    kind: KindQuery = SheetScores.FINAL,
) -> Response:
    """A title block (province, group, year, criteria set version), a row of criterion names
    over the row of leaf codes, each leaf's maximum and method, then a row per unit of the
    group as of the year's `units_as_of` date with its code, name and current scores of the
    kind asked for, and a notes column. Score cells take 0 to the leaf's maximum with two
    decimals; the rest is protected without a password. The import reads it back as it is,
    with title rows added, or with units named instead of coded."""
    template = await service.template(year=year, group=group, scores=kind)
    content = template_workbook(template, generated=datetime.now(UTC).date())
    return Response(
        content=content,
        media_type=XLSX_MEDIA_TYPE,
        headers={"Content-Disposition": f'attachment; filename="{template.filename}"'},
    )
