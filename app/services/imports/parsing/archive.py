"""An XLSX workbook's zip archive, checked before openpyxl opens it: no part may declare a DTD.

openpyxl parses each part with the standard library's XML parser. A document type declaration
could make that parser expand entities ("billion laughs") or name external ones; a workbook
never needs one, so any is refused before a parser sees it. It can only come before the root
element, so each part is read up to there.
"""

import zipfile
import zlib
from typing import IO
from xml.parsers import expat

from app.services.imports.parsing.problems import ProblemLog

SHEET = "xlsx"
_PROLOG_READ_BYTES = 16 * 1024
# What zipfile raises on a damaged archive or a part it cannot unpack.
_ZIP_ERRORS = (zipfile.BadZipFile, zlib.error, EOFError, OSError, ValueError, RuntimeError)


class _Refused(Exception):
    def __init__(self, msg: str) -> None:
        super().__init__(msg)
        self.msg = msg


class _RootElement(Exception):
    """The prolog ended: a document type declaration can only come before the root element."""


def check_archive(binary: IO[bytes], *, problems: ProblemLog) -> bool:
    """Whether the workbook may be opened; if not, the problems say why and where."""
    known = problems.total
    start = binary.tell()
    try:
        with zipfile.ZipFile(binary) as archive:
            for part in archive.infolist():
                _refuse_doctype(archive, part, problems)
    except _ZIP_ERRORS as error:
        problems.add([SHEET], f"not a readable XLSX workbook: {error}")
    finally:
        binary.seek(start)
    return problems.total == known


def _refuse_doctype(archive: zipfile.ZipFile, part: zipfile.ZipInfo, problems: ProblemLog) -> None:
    """Read `part` up to its root element with the XML parser, logging a problem if it declares
    a document type. A part that is not XML, or not well-formed, is left to openpyxl, which
    fails on it the same way if it is one it reads."""
    if part.is_dir():
        return
    parser = expat.ParserCreate(namespace_separator="}")  # as xml.etree makes its parser

    def doctype(*_: object) -> None:
        raise _Refused(
            f"declares a document type (line {parser.CurrentLineNumber}): a workbook never "
            "needs one, and its entities could be expanded without end or fetched from elsewhere"
        )

    def root(*_: object) -> None:
        raise _RootElement

    parser.StartDoctypeDeclHandler = doctype
    parser.StartElementHandler = root
    try:
        with archive.open(part) as stream:
            while chunk := stream.read(_PROLOG_READ_BYTES):
                parser.Parse(chunk, False)
    except _Refused as refused:
        problems.add([SHEET, part.filename], refused.msg)
    except (_RootElement, expat.ExpatError, *_ZIP_ERRORS):
        return
