"""An XLSX workbook's zip archive, checked before openpyxl opens it: parts, sizes, rows, no DTD.

A few megabytes of zip can unpack to gigabytes (a zip bomb), so what the archive's directory
declares is checked first. The declared sizes bound what is read: zipfile never unpacks a part
past the size its directory entry gives (it stops there and fails the CRC check). Each part is
then read once with the XML parser openpyxl uses, in constant memory, before openpyxl holds any
of it: a document type declaration could make that parser expand entities ("billion laughs")
or name external ones, and a workbook never needs one; and openpyxl builds a whole row before
it hands it out (about 30 bytes of memory per byte of XML), so rows and cells per row are
counted first.
"""

import zipfile
import zlib
from collections.abc import Sequence
from typing import IO
from xml.parsers import expat

from app.core.messages import Message, message
from app.services.imports.parsing.limits import ReadLimits
from app.services.imports.parsing.problems import ProblemLog

SHEET = "xlsx"
# Every part has an entry in the archive's central directory, which zipfile reads whole, at a
# cost per entry; a workbook has a few dozen parts.
MAX_PARTS = 10_000
# A part smaller than this is not judged by its ratio (a tiny part compresses as it likes).
RATIO_FLOOR_BYTES = 1 << 20
_DIRECTORY_ENTRY = b"PK\x01\x02"
_SCAN_BYTES = 1 << 20
_READ_BYTES = 1 << 16
_MAIN = "http://schemas.openxmlformats.org/spreadsheetml/2006/main}"
_ROW, _CELL = f"{_MAIN}row", f"{_MAIN}c"
# What zipfile raises on a damaged archive or a part it cannot unpack.
_ZIP_ERRORS = (zipfile.BadZipFile, zlib.error, EOFError, OSError, ValueError, RuntimeError)


class _Refused(Exception):
    def __init__(self, msg: Message) -> None:
        super().__init__(msg.key)
        self.msg = msg


class _PartScan:
    """Handlers for the XML parser reading one part: its rows and the cells of each counted."""

    def __init__(self, parser: expat.XMLParserType, limits: ReadLimits) -> None:
        self.parser = parser
        self.limits = limits
        self.rows = self.cells = 0

    def doctype(self, *_: object) -> None:
        raise _Refused(message("xlsx.doctype", line=self.parser.CurrentLineNumber))

    def element(self, name: str, _attributes: object) -> None:
        if name == _CELL:
            self.cells += 1
            if self.cells > self.limits.columns:
                raise _Refused(message("xlsx.row-cells", row=self.rows, limit=self.limits.columns))
        elif name == _ROW:
            self.rows += 1
            self.cells = 0
            if self.rows > self.limits.rows:
                raise _Refused(message("xlsx.rows", limit=self.limits.rows))


def check_archive(binary: IO[bytes], *, limits: ReadLimits, problems: ProblemLog) -> bool:
    """Whether the workbook may be opened; if not, the problems say why and where."""
    known = problems.total
    start = binary.tell()
    try:
        if _directory_entries(binary) > MAX_PARTS:
            problems.add([SHEET], message("xlsx.parts", limit=MAX_PARTS))
            return False
        binary.seek(start)
        with zipfile.ZipFile(binary) as archive:
            parts = archive.infolist()
            if _sizes_pass(parts, limits=limits, problems=problems):
                for part in parts:
                    _scan_part(archive, part, limits, problems)
    except _ZIP_ERRORS as error:
        problems.add([SHEET], message("xlsx.unreadable", error=str(error)))
    finally:
        binary.seek(start)
    return problems.total == known


def _directory_entries(binary: IO[bytes]) -> int:
    """At most how many parts the archive lists: its directory entries' signatures, counted
    before zipfile reads them (the count is never lower, whatever else the bytes hold)."""
    found, tail = 0, b""
    while chunk := binary.read(_SCAN_BYTES):
        window = tail + chunk
        found += window.count(_DIRECTORY_ENTRY)
        # Keep the last bytes, less than a signature, for one split across two reads.
        tail = window[-(len(_DIRECTORY_ENTRY) - 1) :]
    return found


def _sizes_pass(
    parts: Sequence[zipfile.ZipInfo], *, limits: ReadLimits, problems: ProblemLog
) -> bool:
    known = problems.total
    for part in parts:
        packed = max(part.compress_size, 1)
        if (
            part.file_size > RATIO_FLOOR_BYTES
            and part.file_size > limits.compression_ratio * packed
        ):
            problems.add(
                [SHEET, part.filename],
                message(
                    "xlsx.ratio",
                    size=part.file_size,
                    packed=part.compress_size,
                    ratio=limits.compression_ratio,
                ),
            )
    total = sum(part.file_size for part in parts)
    if total > limits.unpacked_bytes:
        largest = max(parts, key=lambda part: part.file_size)
        problems.add(
            [SHEET],
            message(
                "xlsx.unpacked",
                total=total,
                part=largest.filename,
                size=largest.file_size,
                limit=limits.unpacked_bytes,
            ),
        )
    return problems.total == known


def _scan_part(
    archive: zipfile.ZipFile, part: zipfile.ZipInfo, limits: ReadLimits, problems: ProblemLog
) -> None:
    """Read `part` with the XML parser, logging a problem at the first thing refused. A part
    that is not XML, or not well-formed, is left to openpyxl, which fails on it the same way if
    it is one it reads."""
    if part.is_dir():
        return
    parser = expat.ParserCreate(namespace_separator="}")  # as xml.etree makes its parser
    scan = _PartScan(parser, limits)
    parser.StartDoctypeDeclHandler = scan.doctype
    parser.StartElementHandler = scan.element
    try:
        with archive.open(part) as stream:
            while chunk := stream.read(_READ_BYTES):
                parser.Parse(chunk, False)
    except _Refused as refused:
        problems.add([SHEET, part.filename], refused.msg)
    except (expat.ExpatError, *_ZIP_ERRORS):
        return
