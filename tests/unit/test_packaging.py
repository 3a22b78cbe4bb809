"""Every package directory ships: pyproject lists it, and knowledge/ maps to advisor.knowledge."""

from __future__ import annotations

import tomllib
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]


def _setuptools() -> dict:
    return tomllib.loads((REPO / "pyproject.toml").read_text())["tool"]["setuptools"]


def test_every_package_directory_is_listed():
    listed = set(_setuptools()["packages"])
    found = {
        ".".join(init.parent.relative_to(REPO).parts)
        for init in (REPO / "advisor").rglob("__init__.py")
        if "__pycache__" not in init.parts
    }
    assert "advisor.core" in found
    missing = sorted(found - listed)
    assert not missing, f"pyproject.toml [tool.setuptools] packages is missing {missing}"


def test_listed_packages_exist():
    package_dir = _setuptools().get("package-dir", {})
    for pkg in _setuptools()["packages"]:
        where = REPO / package_dir[pkg] if pkg in package_dir else REPO / Path(*pkg.split("."))
        assert where.is_dir(), pkg


def test_knowledge_ships_inside_the_package():
    st = _setuptools()
    assert "advisor.knowledge" in st["packages"]
    assert st["package-dir"]["advisor.knowledge"] == "knowledge"
    assert "*.yaml" in st["package-data"]["advisor.knowledge"]
    assert (REPO / "knowledge" / "models.yaml").is_file()


def test_builtin_dir_finds_the_yaml():
    from advisor.core.knowledge import FILES, builtin_dir

    for name in FILES:
        assert (builtin_dir() / name).is_file()


def test_evidence_ships_inside_the_package():
    from advisor.core.knowledge import EVIDENCE_DIR

    assert f"{EVIDENCE_DIR}/*.yaml" in _setuptools()["package-data"]["advisor.knowledge"]
    assert list((REPO / "knowledge" / EVIDENCE_DIR).glob("*.yaml"))
