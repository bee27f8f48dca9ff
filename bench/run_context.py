"""What every benchmark's header states besides its own set-up: the code and the machine."""

import os
import platform
import subprocess
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def source_state() -> str:
    """The commit measured, and how many files of app/ and migrations/ differ from it."""
    try:
        head = subprocess.run(
            ["git", "rev-parse", "--short", "HEAD"],
            cwd=ROOT,
            capture_output=True,
            text=True,
            check=True,
        ).stdout.strip()
        changed = subprocess.run(
            ["git", "--no-optional-locks", "status", "--porcelain", "--", "app", "migrations"],
            cwd=ROOT,
            capture_output=True,
            text=True,
            check=True,
        ).stdout.splitlines()
    except (OSError, subprocess.CalledProcessError):
        return "unknown (no git)"
    return head + (f" + {len(changed)} uncommitted files in app/, migrations/" if changed else "")


def machine() -> str:
    """CPUs this process may use, the load average now, the platform."""
    cpus = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count()
    return (
        f"nproc {cpus}, load avg {os.getloadavg()[0]:.2f}, "
        f"{platform.platform(terse=True)}, {platform.machine()}"
    )
