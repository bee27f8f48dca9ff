"""The open-data dump: everything published for a year, as JSON or a ZIP of CSV files."""

from typing import Annotated

from fastapi import APIRouter, Query, Response

from app.dependencies import DumpServiceDep, RevisionQuery, YearPath
from app.routers.responses import NOT_FOUND
from app.schemas.dump import YearDumpRead
from app.services.exports.dump import DumpFormat

router = APIRouter(tags=["open data"])

ZIP_MEDIA_TYPE = "application/zip"


FormatQuery = Annotated[
    DumpFormat,
    Query(alias="format", description="`json` (one document) or `csv` (a ZIP of CSV files)."),
]


@router.get(
    "/years/{year}/dump",
    summary="Download everything published for a year (open data)",
    response_model=YearDumpRead,
    responses={
        **NOT_FOUND,
        200: {
            "description": "The dump as JSON, or with ?format=csv a ZIP of CSV files.",
            "content": {ZIP_MEDIA_TYPE: {"schema": {"type": "string", "format": "binary"}}},
        },
    },
)
async def get_year_dump(
    year: YearPath,
    service: DumpServiceDep,
    file_format: FormatQuery = DumpFormat.JSON,
    revision: RevisionQuery = None,
) -> Response:
    """The public record of a published year in one download: the year (status, revision,
    source), its units, criteria sets (tree and bands per group), every leaf score, the
    ranking of each group, the results and group summaries exactly as published, and the
    revisions up to the one shown. `?revision=N` gives an earlier published revision.

    Only published years are dumped: a draft year answers 404 here for every caller,
    editors and admins included. `?format=csv` gives `par-index_<year>_rev<N>.zip` with
    `about.csv`, `units.csv`, `criteria.csv`, `bands.csv`, `scores.csv`, `rankings.csv`,
    `published.csv`, `group_summaries.csv` and `revisions.csv` (UTF-8; text starting with
    =, +, -, @, tab or CR is prefixed with a quote so no spreadsheet runs it)."""
    content, filename = await service.dump_file(
        year=year, revision=revision, file_format=file_format
    )
    media_type = "application/json" if file_format is DumpFormat.JSON else ZIP_MEDIA_TYPE
    return Response(
        content=content,
        media_type=media_type,
        headers={"Content-Disposition": f'attachment; filename="{filename}"'},
    )
