"""Two builds of one commit install the same releases: the lock files pin, with hashes, every
package that pyproject.toml asks for and every package those need; the image's base is pinned by
digest; and the release is numbered in one place."""

import json
import re
import sysconfig
import tomllib
from collections.abc import Iterable
from importlib.metadata import PackageNotFoundError, distributions, requires
from importlib.metadata import version as installed_version
from pathlib import Path

import pytest
from packaging.requirements import Requirement
from packaging.utils import canonicalize_name

import app
from app.core.config import Settings
from app.main import create_app

ROOT = Path(__file__).resolve().parents[2]
PYPROJECT = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))
PROJECT = PYPROJECT["project"]
# What `make install` puts in the venv, and what the image installs.
DEV_EXTRAS = ("test", "dev", "browser")
LOCKS = {"dev": ROOT / "requirements" / "dev.txt", "runtime": ROOT / "requirements" / "runtime.txt"}
PIN = re.compile(r"^(?P<name>[A-Za-z0-9][A-Za-z0-9._-]*)==(?P<version>\S+)")
HASH = re.compile(r"--hash=sha256:[0-9a-f]{64}")


def locked(path: Path) -> dict[str, str]:
    """name → pinned version, asserting that each pin carries at least one hash."""
    pins: dict[str, str] = {}
    entries = re.split(r"\n(?=\S)", path.read_text(encoding="utf-8"))
    for entry in entries:
        match = PIN.match(entry)
        if match is None:
            assert entry.startswith("#") or not entry.strip(), f"not a pin: {entry!r}"
            continue
        assert HASH.search(entry), f"{match['name']} is pinned without a hash"
        pins[canonicalize_name(match["name"])] = match["version"]
    return pins


def applies(requirement: Requirement, extras: Iterable[str]) -> bool:
    """Whether the requirement holds on this machine (Linux, this Python) for these extras."""
    if requirement.marker is None:
        return True
    return any(requirement.marker.evaluate({"extra": extra}) for extra in ("", *extras))


def direct_requirements(extras: Iterable[str]) -> list[Requirement]:
    declared = [*PROJECT["dependencies"], *PYPROJECT["build-system"]["requires"]]
    for extra in extras:
        declared += PROJECT["optional-dependencies"][extra]
    return [Requirement(line) for line in declared]


def unmet(pins: dict[str, str], wanted: list[Requirement]) -> list[str]:
    """Each requirement reachable from `wanted` (through the installed packages' metadata) that
    the pins leave out or pin outside its specifier."""
    problems, seen = [], set()
    while wanted:
        requirement = wanted.pop()
        name = canonicalize_name(requirement.name)
        pinned = pins.get(name)
        if pinned is None:
            problems.append(f"{requirement} is not locked")
            continue
        if not requirement.specifier.contains(pinned, prereleases=True):
            problems.append(f"{requirement} but the lock pins {pinned}")
        for extra in ["", *sorted(requirement.extras)]:
            if (name, extra) in seen:
                continue
            seen.add((name, extra))
            for line in requires(name) or []:
                needed = Requirement(line)
                if needed.marker is None or needed.marker.evaluate({"extra": extra}):
                    wanted.append(needed)
    return problems


class TestLockFiles:
    @pytest.mark.parametrize(
        ("lock", "extras"), [("dev", DEV_EXTRAS), ("runtime", ())], ids=["dev", "runtime"]
    )
    def test_pin_every_dependency_and_theirs_within_pyproject_bounds(
        self, lock: str, extras: tuple[str, ...]
    ) -> None:
        wanted = [req for req in direct_requirements(extras) if applies(req, extras)]
        assert unmet(locked(LOCKS[lock]), wanted) == []

    def test_the_venv_holds_exactly_the_locked_releases(self) -> None:
        mismatched = {}
        for name, pinned in locked(LOCKS["dev"]).items():
            try:
                present = installed_version(name)
            except PackageNotFoundError:
                continue  # another platform's package (colorama on Windows …)
            if present != pinned:
                mismatched[name] = (pinned, present)
        assert mismatched == {}, "`make install` installs the lock; run it again"

    def test_the_image_and_the_venv_agree_on_every_shared_release(self) -> None:
        dev, runtime = locked(LOCKS["dev"]), locked(LOCKS["runtime"])
        assert runtime.keys() <= dev.keys()
        assert {name: dev[name] for name in runtime} == runtime


class TestDockerfile:
    def test_base_image_is_pinned_by_digest_and_dependencies_by_hash(self) -> None:
        dockerfile = (ROOT / "Dockerfile").read_text(encoding="utf-8")
        bases = re.findall(r"^FROM\s+(\S+)", dockerfile, flags=re.MULTILINE)
        assert bases
        assert all(re.fullmatch(r"[^@\s]+@sha256:[0-9a-f]{64}", base) for base in bases), bases
        assert "--require-hashes -r requirements/runtime.txt" in dockerfile
        assert "--no-deps --no-build-isolation -e ." in dockerfile


class TestOneVersion:
    def test_pyproject_reads_the_version_from_the_package(self) -> None:
        assert "version" not in PROJECT
        assert "version" in PROJECT["dynamic"]
        assert PYPROJECT["tool"]["setuptools"]["dynamic"]["version"] == {"attr": "app.__version__"}

    def test_the_api_and_the_installed_package_report_it(self) -> None:
        assert create_app(Settings.model_construct()).version == app.__version__
        # The venv's own record: a stale *.egg-info left in the checkout may shadow it on sys.path.
        site_packages = sysconfig.get_paths()["purelib"]
        installed = distributions(name="par-index-service", path=[site_packages])
        assert [dist.version for dist in installed] == [app.__version__]

    def test_the_committed_contract_carries_it(self) -> None:
        document = json.loads((ROOT / "openapi.json").read_text(encoding="utf-8"))
        assert document["info"]["version"] == app.__version__

    def test_the_changelog_describes_it_newest_first(self) -> None:
        changelog = (ROOT / "CHANGELOG.md").read_text(encoding="utf-8")
        versions = re.findall(r"^## \[(\d+\.\d+\.\d+)\]", changelog, flags=re.MULTILINE)
        assert versions[0] == app.__version__
        numbered = [tuple(int(part) for part in version.split(".")) for version in versions]
        assert numbered == sorted(numbered, reverse=True)
