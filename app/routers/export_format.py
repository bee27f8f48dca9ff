"""Choosing CSV or XLSX for an export operation (`…/export?format=`), the file response, and
the deprecated file answers of the JSON operations (`?format=csv|xlsx` or Accept there)."""

from dataclasses import dataclass
from datetime import UTC, datetime
from enum import StrEnum
from typing import Annotated, Any
from urllib.parse import urlencode

from fastapi import Depends, Header, Query, Request, Response

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

# A file from a JSON operation is deprecated since 1.1.0 (RFC 9745 `Deprecation`, a Unix time)
# and ends after the sunset (RFC 8594): at least six months, as the README's policy says.
DEPRECATED_SINCE = datetime(2026, 12, 5, tzinfo=UTC)
SUNSET = "Tue, 30 Jun 2027 00:00:00 GMT"
EXPORT_SUFFIX = "/export"

LegacyFormatQuery = Annotated[
    ExportFormat | None,
    Query(
        alias="format",
        deprecated=True,
        description="Deprecated for `csv` and `xlsx`: download files from the `…/export` "
        f"operation; until {SUNSET} a file is still answered here, with `Deprecation`, "
        "`Sunset` and a `successor-version` link. `json` is the default.",
    ),
]
SheetFormatQuery = Annotated[
    SheetFormat | None,
    Query(alias="format", description="`csv` (default) or `xlsx`; wins over the Accept header."),
]
AcceptHeader = Annotated[
    str | None,
    Header(description=f"`{CSV_MEDIA_TYPE}` or `{XLSX_MEDIA_TYPE}` asks for that file."),
]
LegacyAcceptHeader = Annotated[
    str | None,
    Header(
        description=f"`{CSV_MEDIA_TYPE}` or `{XLSX_MEDIA_TYPE}` here is deprecated, like "
        "`?format=csv|xlsx`: download files from the `…/export` operation."
    ),
]
BomQuery = Annotated[
    bool,
    Query(description="Start a CSV with a byte order mark, so Excel reads Vietnamese as UTF-8."),
]

FILE_CONTENT: dict[str, Any] = {
    CSV_MEDIA_TYPE: {
        "schema": {
            "type": "string",
            "format": "binary",
            "description": "UTF-8 CSV with a header row.",
        }
    },
    XLSX_MEDIA_TYPE: {"schema": {"type": "string", "format": "binary"}},
}
FILE_HEADERS: dict[str, Any] = {
    "Content-Disposition": {
        "description": '`attachment; filename="…"`: the file\'s name states its kind, year, '
        "subject and revision (`ranking_2024_department_rev-latest.csv`).",
        "schema": {"type": "string"},
    }
}
SHEETS: Responses = {
    200: {"description": "A CSV or XLSX file.", "content": FILE_CONTENT, "headers": FILE_HEADERS}
}


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


async def legacy_export_options(
    requested: LegacyFormatQuery = None, accept: LegacyAcceptHeader = None, bom: BomQuery = False
) -> ExportOptions:
    return ExportOptions(choose_format(requested, accept), bom)


async def sheet_options(
    requested: SheetFormatQuery = None, accept: AcceptHeader = None, bom: BomQuery = False
) -> ExportOptions:
    offered = (ExportFormat.CSV, ExportFormat.XLSX)
    chosen = ExportFormat(requested.value) if requested else None
    return ExportOptions(choose_format(chosen, accept, offered=offered), bom)


LegacyExportOptionsDep = Annotated[ExportOptions, Depends(legacy_export_options)]
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


def successor_link(request: Request, file_format: str) -> str:
    """The export operation's path and query for what a JSON operation was asked: the same
    query, with `format` naming the file chosen (by `?format` or by Accept)."""
    kept = [(name, value) for name, value in request.query_params.multi_items() if name != "format"]
    return f"{request.url.path}{EXPORT_SUFFIX}?{urlencode([('format', file_format), *kept])}"


def mark_deprecated(response: Response, request: Request, file_format: str) -> Response:
    """A file answered by a JSON operation, as before 1.1.0: marked deprecated (RFC 9745),
    with its sunset (RFC 8594) and its successor, the export operation that answers it."""
    response.headers["Deprecation"] = f"@{int(DEPRECATED_SINCE.timestamp())}"
    response.headers["Sunset"] = SUNSET
    response.headers["Link"] = f'<{successor_link(request, file_format)}>; rel="successor-version"'
    return response


def deprecated_file_response(
    document: export_files.ExportDocument,
    options: ExportOptions,
    language: Language,
    request: Request,
) -> Response:
    """The document as a file, from a JSON operation: deprecated, see mark_deprecated."""
    return mark_deprecated(file_response(document, options, language), request, options.format)
