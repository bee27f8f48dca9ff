"""Workbooks opened and saved by LibreOffice Calc, as officials' files are before they come back.

`resave` runs `soffice --headless --convert-to xlsx` in a profile directory of its own (so tests
never share or touch a user's profile, and may run side by side). Without soffice the tests that
need it are skipped, unless PAR_LIBREOFFICE_TESTS=required (as in .ci/run, which installs
Debian's `libreoffice-calc-nogui`), where a missing soffice fails them instead.
"""

import os
import shutil
import subprocess
import tempfile
from pathlib import Path

import pytest

REQUIRED = os.environ.get("PAR_LIBREOFFICE_TESTS") == "required"
# A first start builds the profile: generous on a busy machine.
TIMEOUT_S = 180


def soffice() -> str:
    """The soffice executable; skips (or fails, where required) the test without it."""
    found = shutil.which(os.environ.get("PAR_SOFFICE", "soffice"))
    if found is None:
        reason = "LibreOffice is not installed (apt-get install libreoffice-calc-nogui)"
        if REQUIRED:
            pytest.fail(f"LibreOffice tests are required here: {reason}", pytrace=False)
        pytest.skip(reason)
    return found


def resave(content: bytes, *, name: str = "workbook.xlsx") -> bytes:
    """The workbook as LibreOffice Calc saves it after opening it (formulas recomputed)."""
    executable = soffice()
    with tempfile.TemporaryDirectory(prefix="par-soffice-") as tmp:
        root = Path(tmp)
        source, output, profile = root / "in" / name, root / "out", root / "profile"
        source.parent.mkdir()
        source.write_bytes(content)
        completed = subprocess.run(
            [
                executable,
                f"-env:UserInstallation={profile.as_uri()}",
                "--headless",
                "--norestore",
                "--convert-to",
                "xlsx",
                "--outdir",
                str(output),
                str(source),
            ],
            capture_output=True,
            timeout=TIMEOUT_S,
            check=False,
        )
        saved = output / name
        if completed.returncode != 0 or not saved.exists():
            pytest.fail(
                f"soffice did not convert the workbook ({completed.returncode}): "
                f"{completed.stderr.decode(errors='replace')[-2000:]}"
            )
        return saved.read_bytes()
