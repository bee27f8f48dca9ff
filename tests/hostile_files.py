"""Hostile import files, built by the tests that send them (no committed blobs).

Each builder makes the smallest file that shows one attack: a number the JSON parser cannot
survive, nesting past any sane depth.
"""

import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any


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
        "print(json.dumps([[p.loc, p.msg] for p in problems.items]))\n"
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
