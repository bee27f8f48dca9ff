"""Choosing JSON, CSV or XLSX from `?format` or the Accept header, and the file response."""

from dataclasses import dataclass
from datetime import UTC, datetime
from enum import StrEnum
from typing import Annotated, Any

from fastapi import Depends, Header, Query, Response

from app.core.i18n import Language
from app.core.negotiation import best_offer
from app.routers.responses import Responses
from app.services.exports import files as export_files

JSON_MEDIA_TYPE = "application/json"
CSV_MEDIA_TYPE = "text/csv"
XLSX_MEDIA_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


class ExportFormat(StrEnum):
    """JSON (the default), or a file for spreadsheets: CSV or XLSX."""

    JSON = "json"
    CSV = "csv"
    XLSX = "xlsx"


class SheetFormat(StrEnum):
    """The formats of an export that has no JSON form."""

    CSV = "csv"
    XLSX = "xlsx"


MEDIA_TYPES = {
    ExportFormat.JSON: JSON_MEDIA_TYPE,
    ExportFormat.CSV: CSV_MEDIA_TYPE,
    ExportFormat.XLSX: XLSX_MEDIA_TYPE,
}

FormatQuery = Annotated[
    ExportFormat | None,
    Query(
        alias="format",
        description="`json` (default), `csv` or `xlsx`; wins over the Accept header.",
    ),
]
SheetFormatQuery = Annotated[
    SheetFormat | None,
    Query(alias="format", description="`csv` (default) or `xlsx`; wins over the Accept header."),
]
AcceptHeader = Annotated[
    str | None,
    Header(description=f"`{CSV_MEDIA_TYPE}` or `{XLSX_MEDIA_TYPE}` asks for a file."),
]
BomQuery = Annotated[
    bool,
    Query(description="Start a CSV with a byte order mark, so Excel reads Vietnamese as UTF-8."),
]

FILE_CONTENT: dict[str, Any] = {
    CSV_MEDIA_TYPE: {"schema": {"type": "string", "description": "UTF-8 CSV with a header row."}},
    XLSX_MEDIA_TYPE: {"schema": {"type": "string", "format": "binary"}},
}
EXPORTABLE: Responses = {
    200: {
        "description": "JSON, or a CSV/XLSX file with ?format or Accept.",
        "content": FILE_CONTENT,
    }
}
SHEETS: Responses = {200: {"description": "A CSV or XLSX file.", "content": FILE_CONTENT}}


def choose_format(
    requested: ExportFormat | None,
    accept: str | None,
    *,
    offered: tuple[ExportFormat, ...] = tuple(ExportFormat),
) -> ExportFormat:
    """`?format` wins; else the offered media type the Accept header rates highest (the
    earliest on equal q); else the first offered. Wildcards choose nothing, so a browser's
    `*/*` keeps the default."""
    if requested is not None:
        return requested
    by_media_type = {MEDIA_TYPES[fmt]: fmt for fmt in offered}
    chosen = best_offer(accept, by_media_type)
    return chosen or offered[0]


@dataclass(frozen=True)
class ExportOptions:
    format: ExportFormat
    bom: bool


async def export_options(
    requested: FormatQuery = None, accept: AcceptHeader = None, bom: BomQuery = False
) -> ExportOptions:
    return ExportOptions(choose_format(requested, accept), bom)


async def sheet_options(
    requested: SheetFormatQuery = None, accept: AcceptHeader = None, bom: BomQuery = False
) -> ExportOptions:
    offered = (ExportFormat.CSV, ExportFormat.XLSX)
    chosen = ExportFormat(requested.value) if requested else None
    return ExportOptions(choose_format(chosen, accept, offered=offered), bom)


ExportOptionsDep = Annotated[ExportOptions, Depends(export_options)]
SheetOptionsDep = Annotated[ExportOptions, Depends(sheet_options)]


def file_response(
    document: export_files.ExportDocument, options: ExportOptions, language: Language | None = None
) -> Response:
    """The document as a CSV or XLSX attachment named after its kind, year, subject, revision."""
    if options.format is ExportFormat.XLSX:
        content = export_files.write_xlsx(document, generated_at=datetime.now(UTC))
        media_type = XLSX_MEDIA_TYPE
    elif options.format is ExportFormat.CSV:
        content = export_files.write_csv(document.csv_table, bom=options.bom)
        media_type = f"{CSV_MEDIA_TYPE}; charset=utf-8"
    else:
        raise ValueError(f"{options.format} is no file format")
    headers = {
        "Content-Disposition": f'attachment; filename="{document.filename(options.format)}"',
        "Vary": "Accept",
    }
    if language is not None:
        headers["Content-Language"] = language
    return Response(content=content, media_type=media_type, headers=headers)
