"""What an import file is: its format, told from its name, declared type and first bytes."""

import codecs
from collections.abc import Callable
from enum import StrEnum
from pathlib import PurePath

from app.core.errors import ServiceError
from app.core.messages import message

ZIP_MAGIC = b"PK\x03\x04"
OLE_MAGIC = b"\xd0\xcf\x11\xe0"
CHUNK_BYTES = 1 << 20

# Called with the bytes read so far, by every reader that streams a file.
Progress = Callable[[int], None]


class UnsupportedMediaType(ServiceError):
    status = 415
    slug = "unsupported-media-type"


class PayloadTooLarge(ServiceError):
    status = 413
    slug = "payload-too-large"


class FileFormat(StrEnum):
    CSV = "csv"
    XLSX = "xlsx"
    JSON = "json"


_BY_SUFFIX = {".csv": FileFormat.CSV, ".xlsx": FileFormat.XLSX, ".json": FileFormat.JSON}
# Suffixes that say nothing about the layout: the content decides.
_NEUTRAL_SUFFIXES = frozenset({"", ".txt"})
_BY_MEDIA_TYPE = {
    "text/csv": FileFormat.CSV,
    "application/csv": FileFormat.CSV,
    "application/json": FileFormat.JSON,
    "text/json": FileFormat.JSON,
    "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet": FileFormat.XLSX,
}


def detect_format(*, file_name: str, content_type: str | None, head: bytes) -> FileFormat:
    """The file's format from its name, its declared type and its first bytes, which must agree.

    A zip archive is an XLSX workbook; text starting with `{` or `[` is JSON, other text CSV.
    A name or type that claims one format for content of another is refused, and so is any
    other binary content (an old .xls, a PDF, UTF-16 text).
    """
    suffix = PurePath(file_name).suffix.lower()
    by_name = _BY_SUFFIX.get(suffix)
    if by_name is None and suffix not in _NEUTRAL_SUFFIXES:
        key = "file.old-xls-suffix" if suffix == ".xls" else "file.bad-suffix"
        raise UnsupportedMediaType(message(key, suffix=suffix))
    media_type = (content_type or "").partition(";")[0].strip().lower()
    claimed = by_name or _BY_MEDIA_TYPE.get(media_type)
    sniffed = _sniff(head)
    if sniffed is FileFormat.XLSX or claimed is FileFormat.XLSX:
        if sniffed is claimed or claimed is None:
            return FileFormat.XLSX
        raise UnsupportedMediaType(
            message(
                "file.old-xls-content" if head.startswith(OLE_MAGIC) else "file.content-differs",
                claimed=claimed or message("file.text"),
                sniffed=sniffed or message("file.not-xlsx"),
            )
        )
    if sniffed is None:
        raise UnsupportedMediaType(message("file.unknown-format"))
    return claimed or sniffed


def _sniff(head: bytes) -> FileFormat | None:
    if head.startswith(ZIP_MAGIC):
        return FileFormat.XLSX
    if not head or b"\x00" in head or head.startswith(OLE_MAGIC):
        return None
    text = head.removeprefix(codecs.BOM_UTF8).lstrip()
    return FileFormat.JSON if text[:1] in (b"{", b"[") else FileFormat.CSV
