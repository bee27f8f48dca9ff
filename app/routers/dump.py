"""The open-data dump: everything published for a year, as JSON or as a ZIP of CSV files."""

from typing import Annotated, Literal

from fastapi import APIRouter, Query, Request, Response

from app.dependencies import DumpServiceDep, RevisionQuery, YearPath
from app.routers.export_format import SUNSET, mark_deprecated
from app.routers.responses import NOT_FOUND, Responses
from app.schemas.dump import YearDumpRead
from app.services.exports.dump import DumpFormat

router = APIRouter(tags=["open data"])

ZIP_MEDIA_TYPE = "application/zip"

LegacyFormatQuery = Annotated[
    DumpFormat,
    Query(
        alias="format",
        deprecated=True,
        description="Deprecated for `csv`: download the ZIP of CSV files from `exportYearDump`; "
        f"until {SUNSET} it is still answered here, with `Deprecation`, `Sunset` and a "
        "`successor-version` link. `json` (one document) is the default.",
    ),
]
ZipFormatQuery = Annotated[
    Literal["csv"],
    Query(alias="format", description="`csv`: a ZIP of CSV files (the only file form)."),
]
ZIP_FILE: Responses = {
    200: {
        "description": "A ZIP of CSV files.",
        "content": {ZIP_MEDIA_TYPE: {"schema": {"type": "string", "format": "binary"}}},
        "headers": {
            "Content-Disposition": {
                "description": '`attachment; filename="par-index_<year>_rev<N>.zip"`.',
                "schema": {"type": "string"},
            }
        },
    }
}


def attachment(content: bytes, filename: str, media_type: str) -> Response:
    return Response(
        content=content,
        media_type=media_type,
        headers={"Content-Disposition": f'attachment; filename="{filename}"'},
    )


@router.get(
    "/years/{year}/dump",
    summary="Download everything published for a year (open data)",
    response_model=YearDumpRead,
    responses=NOT_FOUND,
)
async def get_year_dump(
    year: YearPath,
    service: DumpServiceDep,
    request: Request,
    file_format: LegacyFormatQuery = DumpFormat.JSON,
    revision: RevisionQuery = None,
) -> Response:
    """The public record of a published year in one download (`par-index_<year>_rev<N>.json`):
    the year (status, revision, source), its units, criteria sets (tree and bands per group),
    every leaf score, the ranking of each group, the results and group summaries exactly as
    published, and the revisions up to the one shown. `?revision=N` gives an earlier published
    revision. The same as CSV files: `exportYearDump`.

    Only published years are dumped: a draft year answers 404 here for every caller,
    editors and admins included."""
    content, filename = await service.dump_file(
        year=year, revision=revision, file_format=file_format
    )
    if file_format is DumpFormat.JSON:
        return attachment(content, filename, "application/json")
    return mark_deprecated(attachment(content, filename, ZIP_MEDIA_TYPE), request, "csv")


@router.get(
    "/years/{year}/dump/export",
    summary="Download everything published for a year as a ZIP of CSV files (open data)",
    response_class=Response,
    responses={**NOT_FOUND, **ZIP_FILE},
)
async def export_year_dump(
    year: YearPath,
    service: DumpServiceDep,
    file_format: ZipFormatQuery = "csv",
    revision: RevisionQuery = None,
) -> Response:
    """`getYearDump` as `par-index_<year>_rev<N>.zip` with `about.csv`, `units.csv`,
    `criteria.csv`, `bands.csv`, `scores.csv`, `coverage.csv`, `rankings.csv`, `published.csv`,
    `group_summaries.csv` and `revisions.csv` (UTF-8; text starting with =, +, -, @, tab or
    CR is prefixed with a quote so no spreadsheet runs it). Draft years answer 404."""
    content, filename = await service.dump_file(
        year=year, revision=revision, file_format=DumpFormat(file_format)
    )
    return attachment(content, filename, ZIP_MEDIA_TYPE)
