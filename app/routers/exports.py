"""A year's leaf scores as a file in the import layout (CSV long, XLSX wide per group)."""

from typing import Annotated

from fastapi import APIRouter, Query, Response

from app.dependencies import ScoreExportServiceDep, YearPath
from app.routers.export_format import SHEETS, SheetOptionsDep, file_response
from app.routers.responses import NOT_FOUND
from app.schemas.base import Code
from app.services.exports import scores as exporting

router = APIRouter(tags=["exports"])


GroupQuery = Annotated[Code | None, Query(description="Only this unit group's scores.")]


@router.get(
    "/years/{year}/scores/export",
    summary="Export a year's leaf scores in the import layout",
    response_class=Response,
    responses={**NOT_FOUND, **SHEETS},
)
async def export_scores(
    year: YearPath,
    service: ScoreExportServiceDep,
    export: SheetOptionsDep,
    group: GroupQuery = None,
) -> Response:
    """CSV: `unit_code,criterion_code,self_score,final_score,note`, one row per stored leaf
    score (by group, unit code, criterion order), which the importer reads back unchanged.
    XLSX: per group a sheet of final scores (a row per unit, a column per leaf), then `long`
    (the CSV rows), `criteria` and `about`. Text starting with =, +, -, @, tab or CR is
    prefixed with a quote (and a leading quote doubled) so no spreadsheet runs it."""
    scores = await service.score_export(year=year, group=group)
    return file_response(exporting.scores_document(scores), export)
