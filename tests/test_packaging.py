"""Packaging: SPDX licence, dependency floors that match what the code uses, a hashed lock."""

from __future__ import annotations

import re
import tomllib
from pathlib import Path

from packaging.requirements import Requirement
from packaging.utils import canonicalize_name
from packaging.version import Version

REPO = Path(__file__).resolve().parents[1]
PYPROJECT = tomllib.loads((REPO / "pyproject.toml").read_text(encoding="utf-8"))
LOCK = (REPO / "requirements.lock").read_text(encoding="utf-8")


def _requirements() -> dict[str, Requirement]:
    project = PYPROJECT["project"]
    listed = [*project["dependencies"], *project["optional-dependencies"]["dev"]]
    return {canonicalize_name(r.name): r for r in map(Requirement, listed)}


def _floor(requirement: Requirement) -> Version:
    floors = [Version(s.version) for s in requirement.specifier if s.operator == ">="]
    assert floors, f"{requirement} has no floor"
    return max(floors)


def _locked() -> dict[str, Version]:
    pins = re.findall(r"^([A-Za-z0-9_.\-]+)==(\S+) \\$", LOCK, re.MULTILINE)
    return {canonicalize_name(name): Version(version) for name, version in pins}


def test_licence_is_an_spdx_string_with_a_setuptools_that_reads_it() -> None:
    """A TOML-table licence made setuptools print four blocks of warnings on install."""
    assert PYPROJECT["project"]["license"] == "MIT"
    (build,) = [Requirement(r) for r in PYPROJECT["build-system"]["requires"]]
    assert build.name == "setuptools" and _floor(build) >= Version("77")


def test_floors_cover_the_features_used() -> None:
    requirements = _requirements()
    assert _floor(requirements["pydantic-settings"]) >= Version("2.7")  # NoDecode
    assert _floor(requirements["pydantic"]) >= Version("2.7")  # pydantic-settings 2.7 needs it
    assert _floor(requirements["typer"]) >= Version("0.23")  # no locals in tracebacks
    assert _floor(requirements["pytest-asyncio"]) >= Version("0.24")  # loop scope option


def test_lock_pins_every_dependency_with_hashes_within_its_range() -> None:
    locked = _locked()
    for name, requirement in _requirements().items():
        assert name in locked, f"{name} is not in requirements.lock: run ./dev lock"
        assert requirement.specifier.contains(locked[name], prereleases=True), (
            f"{name} {locked[name]} does not satisfy {requirement}: run ./dev lock"
        )
    # --require-hashes: every pinned line carries at least one hash, nothing unpinned.
    blocks = re.split(r"\n(?=[A-Za-z0-9])", LOCK.split("\n", 2)[2].strip())
    for block in blocks:
        assert re.match(r"^[A-Za-z0-9_.\-]+==\S+ \\\n", block), block[:80]
        assert "--hash=sha256:" in block, block[:80]


def test_dev_installs_from_the_lock_and_says_how_to_regenerate_it() -> None:
    dev = (REPO / "dev").read_text(encoding="utf-8")
    assert '--require-hashes --no-deps -r "$LOCK"' in dev
    assert "--no-deps -e ." in dev
    readme = (REPO / "README.md").read_text(encoding="utf-8")
    assert "./dev lock" in readme
    header = LOCK.splitlines()[1].strip("# ").strip()
    assert header.startswith("uv pip compile pyproject.toml --extra dev --generate-hashes")
