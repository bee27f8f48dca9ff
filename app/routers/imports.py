"""Imports of a whole year from a spreadsheet, CSV or JSON file, and the list of past imports."""

from collections.abc import AsyncGenerator, AsyncIterator
from dataclasses import dataclass
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Depends, Query, Request, Response
from pydantic import ValidationError
from starlette.datastructures import UploadFile
from starlette.formparsers import MultiPartException, MultiPartParser

from app.core.errors import InvalidInput, Problem
from app.core.messages import message
from app.core.validation_messages import validation_message
from app.dependencies import NOT_CACHED, EditorDep, ImportServiceDep, SettingsDep, YearPath
from app.routers.export_format import XLSX_MEDIA_TYPE
from app.routers.responses import AUTH, CONFLICT, NOT_FOUND, Responses, problem
from app.schemas.base import Code
from app.schemas.imports import (
    ImportKind,
    ImportOptions,
    ImportRecordRead,
    ImportReportRead,
)
from app.schemas.vocabularies import MissingLeaves
from app.services.access.principal import Role, check_role
from app.services.imports.parsing.files import PayloadTooLarge, UnsupportedMediaType
from app.services.imports.records import ImportRejected
from app.services.imports.service import ImportSource

router = APIRouter(prefix="/years/{year}/imports", tags=["imports"])

# What a multipart body may carry besides the file: boundaries, part headers, the form fields.
ENVELOPE_BYTES = 64 * 1024
FIELD_BYTES = 4 * 1024
# Who may import what; a correction of a published year also needs the publisher role.
KIND_ROLES = {
    ImportKind.SCORES: Role.EDITOR,
    ImportKind.PUBLISHED: Role.EDITOR,
    ImportKind.CRITERIA: Role.ADMIN,
}

UPLOAD_RESPONSES: Responses = {
    413: problem("The file is larger than the configured limit (checked while it streams in)."),
    415: problem("The file is not CSV, XLSX or JSON, or not a format this kind reads."),
}
REFUSED: Responses = {
    422: {
        **problem(
            "The file or the options are not valid; `errors` lists every problem, "
            "`summary_vi`/`summary_en` say it in a line. With ?format=xlsx a refused XLSX file "
            "comes back as that workbook with each problem cell filled and commented and a "
            "sheet listing them all (up to APP_IMPORTS__MAX_ANNOTATED_BYTES)."
        ),
        "content": {
            "application/problem+json": {},
            XLSX_MEDIA_TYPE: {"schema": {"type": "string", "format": "binary"}},
        },
    }
}
FormatQuery = Annotated[
    Literal["json", "xlsx"],
    Query(
        alias="format",
        description="`xlsx`: a refused XLSX import answers with the workbook annotated; the "
        "report of an accepted one is JSON either way.",
    ),
]

UPLOAD_BODY: dict[str, Any] = {
    "requestBody": {
        "required": True,
        "content": {
            "multipart/form-data": {
                "schema": {
                    "type": "object",
                    "required": ["file"],
                    "properties": {
                        "file": {
                            "type": "string",
                            "format": "binary",
                            "description": "A .csv, .xlsx or .json file.",
                        },
                        **ImportOptions.model_json_schema(
                            ref_template="#/components/schemas/{model}"
                        )["properties"],
                    },
                    "examples": [
                        {
                            "file": "unit_code,criterion_code,self_score,final_score,note\n"
                            "DEMO-DEP-HEALTH,1.1,1.31,1.28,\n",
                            "kind": "scores",
                            "dry_run": True,
                            "missing_leaves": "zero",
                        }
                    ],
                }
            }
        },
    }
}


@dataclass(frozen=True)
class ImportUpload:
    source: ImportSource
    options: ImportOptions


async def _limited(stream: AsyncIterator[bytes], limit: int) -> AsyncGenerator[bytes, None]:
    """The request body, refused as soon as it passes `limit` bytes (nothing more is read)."""
    received = 0
    async for chunk in stream:
        received += len(chunk)
        if received > limit:
            raise PayloadTooLarge(message("upload.too-large", limit=limit))
        yield chunk


async def read_import_upload(
    request: Request,
    settings: SettingsDep,
    kind: Annotated[ImportKind | None, Query(description="What the file holds.")] = None,
    dry_run: Annotated[bool | None, Query(description="Check and report; write nothing.")] = None,
    missing_leaves: Annotated[
        MissingLeaves | None, Query(description="Scores: missing leaves are an error, or 0.")
    ] = None,
    group: Annotated[Code | None, Query(description="Criteria: the unit group.")] = None,
    correction_reason: Annotated[
        str | None,
        Query(min_length=3, max_length=2000, description="Required to change a published year."),
    ] = None,
) -> AsyncIterator[ImportUpload]:
    """The multipart upload, streamed into a spooled temporary file under the size limit.

    FastAPI would read a declared form whole before any check could run, so the body is parsed
    here. Options come as form fields or query parameters; a form field wins.
    """
    limit = settings.imports.max_bytes
    if not request.headers.get("content-type", "").startswith("multipart/form-data"):
        raise UnsupportedMediaType(message("upload.send-multipart"))
    declared = request.headers.get("content-length", "")
    if declared.isdigit() and int(declared) > limit + ENVELOPE_BYTES:
        raise PayloadTooLarge(message("upload.too-large", limit=limit))
    parser = MultiPartParser(
        request.headers,
        _limited(request.stream(), limit + ENVELOPE_BYTES),
        max_files=1,
        max_fields=10,
        max_part_size=FIELD_BYTES,
    )
    try:
        form = await parser.parse()
    except MultiPartException as error:
        raise InvalidInput(message("upload.unreadable", error=error.message)) from error
    try:
        upload = form.get("file")
        if not isinstance(upload, UploadFile):
            raise InvalidInput(
                message("upload.no-file"),
                errors=[Problem(["body", "file"], message("validation.missing"))],
            )
        if upload.size is not None and upload.size > limit:
            raise PayloadTooLarge(message("upload.file-too-large", limit=limit))
        query = {
            "kind": kind,
            "dry_run": dry_run,
            "missing_leaves": missing_leaves,
            "group": group,
            "correction_reason": correction_reason,
        }
        fields = {name: value for name, value in form.multi_items() if name != "file"}
        options = _options({k: v for k, v in query.items() if v is not None} | fields)
        if options.missing_leaves is None:
            options = options.model_copy(update={"missing_leaves": settings.imports.missing_leaves})
        source = ImportSource(upload.file, upload.filename or "upload", upload.content_type)
        yield ImportUpload(source, options)
    finally:
        await form.close()


def _options(values: dict[str, Any]) -> ImportOptions:
    try:
        return ImportOptions.model_validate(values)
    except ValidationError as error:
        raise InvalidInput(
            message("upload.options-invalid"),
            errors=[
                Problem(["body", *(str(part) for part in item["loc"])], validation_message(item))
                for item in error.errors()
            ],
        ) from error


ImportUploadDep = Annotated[ImportUpload, Depends(read_import_upload)]


@router.post(
    "",
    summary="Import a year's scores, criteria or published results from a file (all or nothing)",
    status_code=200,
    response_model=ImportReportRead,
    responses={**AUTH, **NOT_FOUND, **CONFLICT, **REFUSED, **UPLOAD_RESPONSES},
    openapi_extra=UPLOAD_BODY,
)
async def create_import(
    year: YearPath,
    caller: EditorDep,
    upload: ImportUploadDep,
    service: ImportServiceDep,
    settings: SettingsDep,
    response_format: FormatQuery = "json",
) -> ImportReportRead | Response:
    """Scores (CSV, XLSX or JSON) set every leaf score of each unit in the file; criteria (XLSX
    or JSON) replace a group's tree and bands; published results (CSV or JSON) are stored per
    unit as published. Every problem is listed at once as [sheet, row, column] and nothing is
    written; a file equal to what is stored is `unchanged`. Every attempt is recorded."""
    check_role(caller, KIND_ROLES[upload.options.kind])
    if upload.options.correction_reason:
        check_role(caller, Role.PUBLISHER)
    try:
        return await service.import_file(
            year=year, source=upload.source, options=upload.options, actor=caller.actor
        )
    except ImportRejected as rejection:
        if response_format != "xlsx":
            raise
        max_bytes = settings.imports.max_annotated_bytes
        annotated = await service.annotated(upload.source, rejection, max_bytes=max_bytes)
        if annotated is None:
            raise
    stem = upload.source.file_name.rsplit(".", 1)[0] or "import"
    name = "".join(ch if ch.isascii() and (ch.isalnum() or ch in "-_") else "_" for ch in stem)
    return Response(
        annotated,
        status_code=422,
        media_type=XLSX_MEDIA_TYPE,
        headers={"Content-Disposition": f'attachment; filename="{name}-problems.xlsx"'},
    )


@router.get(
    "",
    summary="List a year's import attempts, newest first",
    dependencies=NOT_CACHED,
    responses={**AUTH, **NOT_FOUND},
)
async def list_imports(
    year: YearPath, service: ImportServiceDep, _caller: EditorDep
) -> list[ImportRecordRead]:
    return await service.list_imports(year)
