"""Hostile import files, built by the tests that send them (no committed blobs).

Each builder makes the smallest file that shows one attack: a number the JSON parser cannot
survive, nesting past any sane depth, a CSV line past the csv module's field limit, XML that
declares entities, a zip bomb.
"""

import io
import json
import os
import struct
import subprocess
import sys
import zipfile
import zlib
from pathlib import Path
from typing import Any

from openpyxl import Workbook

SHEET_PART = "xl/worksheets/sheet1.xml"
SHEET_NS = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
BLOCK_BYTES = 1 << 20


def json_document(key: str, rows: list[dict[str, Any]]) -> bytes:
    return json.dumps({key: rows}).encode()


def long_number_json(digits: int, *, unit: str = "U1", criterion: str = "1.1") -> bytes:
    """A scores file whose one final score is an integer of `digits` nines."""
    return (
        f'{{"scores": [{{"unit_code": "{unit}", "criterion_code": "{criterion}", '
        f'"final_score": {"9" * digits}}}]}}'
    ).encode()


def read_json_scores_apart(content: bytes, tmp_path: Path) -> subprocess.CompletedProcess[str]:
    """Read a JSON scores file in a child process, which a crash of the parser cannot take the
    test run down with (it imports the same modules as this process); it prints the problems
    as JSON."""
    path = tmp_path / "scores.json"
    path.write_bytes(content)
    script = (
        "import json, sys\n"
        "from app.services.imports.parsing import FileFormat, read_scores\n"
        "from app.services.imports.parsing.problems import ProblemLog\n"
        "problems = ProblemLog()\n"
        "with open(sys.argv[1], 'rb') as source:\n"
        "    rows = list(read_scores(source, FileFormat.JSON, problems=problems, progress=None))\n"
        'print(json.dumps([[p.loc, p.msg.render("en")] for p in problems.items]))\n'
    )
    return subprocess.run(
        [sys.executable, "-c", script, str(path)],
        capture_output=True,
        text=True,
        timeout=120,
        cwd=tmp_path,
        env={"PYTHONPATH": os.pathsep.join(path for path in sys.path if path)},
        check=False,
    )


def deep_json(key: str, depth: int) -> bytes:
    """`{key: [[[…]]]}`, the list nested `depth` deep."""
    return f'{{"{key}": {"[" * depth}{"]" * depth}}}'.encode()


def workbook(sheets: dict[str, list[list[Any]]]) -> bytes:
    book = Workbook()
    book.remove(book.active)
    for title, rows in sheets.items():
        sheet = book.create_sheet(title)
        for row in rows:
            sheet.append(row)
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def parts_of(content: bytes) -> dict[str, bytes]:
    with zipfile.ZipFile(io.BytesIO(content)) as archive:
        return {name: archive.read(name) for name in archive.namelist()}


def with_parts(content: bytes, replaced: dict[str, bytes]) -> bytes:
    """The workbook `content` with some parts replaced or added."""
    parts = parts_of(content) | replaced
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, data in parts.items():
            archive.writestr(name, data)
    return buffer.getvalue()


def with_shared_strings(content: bytes, shared_strings: bytes) -> bytes:
    """The workbook `content` with a shared-strings part its content types point a reader to."""
    types = parts_of(content)["[Content_Types].xml"].replace(
        b"</Types>",
        b'<Override PartName="/xl/sharedStrings.xml" ContentType="application/'
        b'vnd.openxmlformats-officedocument.spreadsheetml.sharedStrings+xml"/></Types>',
    )
    return with_parts(
        content, {"[Content_Types].xml": types, "xl/sharedStrings.xml": shared_strings}
    )


def sheet_xml(rows_xml: bytes, *, dimension: str | None = None) -> bytes:
    declared = f'<dimension ref="{dimension}"/>'.encode() if dimension else b""
    return (
        f'<?xml version="1.0" encoding="UTF-8"?><worksheet xmlns="{SHEET_NS}">'.encode()
        + declared
        + b"<sheetData>"
        + rows_xml
        + b"</sheetData></worksheet>"
    )


def shared_strings_with_doctype(doctype: str, text: str) -> bytes:
    """A shared-strings part that declares `doctype` and holds one string, `text`."""
    return (
        f'<?xml version="1.0" encoding="UTF-8"?>{doctype}'
        f'<sst xmlns="{SHEET_NS}" count="1" uniqueCount="1"><si><t>{text}</t></si></sst>'
    ).encode()


def billion_laughs(levels: int = 10) -> str:
    """A DOCTYPE whose entity `lol{levels - 1}` expands to 10**levels copies of "lol"."""
    entities = ['<!ENTITY lol0 "lol">'] + [
        f'<!ENTITY lol{n} "{f"&lol{n - 1};" * 10}">' for n in range(1, levels)
    ]
    return f"<!DOCTYPE sst [{''.join(entities)}]>"


def zip_bomb_xlsx(unpacked_bytes: int = 2 << 30, *, title: str = "long") -> bytes:
    """A valid workbook whose one sheet unpacks to `unpacked_bytes`: its first row alone, with
    one cell after another (a reader builds a row whole before it hands it out).

    The row is deflated as one block repeated: after a full flush the compressor starts afresh,
    so every copy of the block compresses to the same bytes, and 2 GiB are built without
    compressing 2 GiB. The part's CRC is left 0: no reader gets to its end.
    """
    head = f'<?xml version="1.0" encoding="UTF-8"?><worksheet xmlns="{SHEET_NS}"><sheetData><row>'
    end = b"</row></sheetData></worksheet>"
    cell = b"<c><v>1</v></c>"
    block = cell * (BLOCK_BYTES // len(cell))
    copies = (unpacked_bytes - len(head) - len(end)) // len(block)
    compressor = zlib.compressobj(9, zlib.DEFLATED, -15)
    deflated = compressor.compress(head.encode()) + compressor.flush(zlib.Z_FULL_FLUSH)
    copy = compressor.compress(block) + compressor.flush(zlib.Z_FULL_FLUSH)
    deflated += copy * copies + compressor.compress(end) + compressor.flush()
    size = len(head) + copies * len(block) + len(end)
    entries = [
        (name, data, zipfile.ZIP_STORED, zlib.crc32(data), len(data))
        for name, data in parts_of(workbook({title: [["unit_code"]]})).items()
        if name != SHEET_PART
    ]
    return _zip([*entries, (SHEET_PART, deflated, zipfile.ZIP_DEFLATED, 0, size)])


def _zip(entries: list[tuple[str, bytes, int, int, int]]) -> bytes:
    """A zip archive of (name, data as stored, method, CRC, unpacked size), written by hand:
    zipfile cannot take data it did not compress itself."""
    out = io.BytesIO()
    directory = []
    for name, data, method, crc, size in entries:
        offset = out.tell()
        encoded = name.encode()
        fields = (20, 0, method, 0, 0, crc, len(data), size, len(encoded), 0)
        out.write(struct.pack("<4s5H3L2H", b"PK\x03\x04", *fields) + encoded + data)
        directory.append(
            struct.pack("<4s6H3L5H2L", b"PK\x01\x02", 20, *fields[:-1], 0, 0, 0, 0, 0, offset)
            + encoded
        )
    listing = b"".join(directory)
    start = out.tell()
    count = len(entries)
    out.write(
        listing + struct.pack("<4s4H2LH", b"PK\x05\x06", 0, 0, count, count, len(listing), start, 0)
    )
    return out.getvalue()
