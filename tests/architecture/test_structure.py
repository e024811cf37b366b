"""The architecture's rules that a linter does not check: module sizes and no back doors."""

from __future__ import annotations

import ast
import subprocess

from tests.support.services import ROOT
from tests.support.status_writes import product_modules

MODULE_LIMIT = 500
TASK_MODULE_LIMIT = 150


def _tracked_python_files() -> list[str]:
    listed = subprocess.run(
        ["git", "ls-files", "--cached", "--others", "--exclude-standard", "*.py"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=True,
    ).stdout.split()
    return [path for path in listed if "/migrations/" not in path and (ROOT / path).exists()]


def test_no_module_outside_migrations_is_longer_than_500_lines() -> None:
    long = {
        path: lines
        for path in _tracked_python_files()
        if (lines := len((ROOT / path).read_text().splitlines())) > MODULE_LIMIT
    }
    assert long == {}


def test_task_modules_stay_thin() -> None:
    long = {
        str(path.relative_to(ROOT)): lines
        for path in sorted((ROOT / "workers/tasks").glob("*.py"))
        if (lines := len(path.read_text().splitlines())) > TASK_MODULE_LIMIT
    }
    assert long == {}


def test_no_layer_is_reached_around_the_import_contract() -> None:
    """importlib, import_string and apps.get_model would hide a dependency from lint-imports."""
    found = []
    for path in product_modules():
        tree = ast.parse(path.read_text(), str(path))
        for node in ast.walk(tree):
            name = ""
            if isinstance(node, ast.Import):
                name = " ".join(alias.name for alias in node.names if alias.name == "importlib")
            elif isinstance(node, ast.ImportFrom):
                if node.module == "importlib" or any(
                    alias.name == "import_string" for alias in node.names
                ):
                    name = f"from {node.module} import ..."
            elif isinstance(node, ast.Attribute) and node.attr == "get_model":
                name = "get_model"
            if name:
                found.append(f"{path.relative_to(ROOT)}:{node.lineno} {name}")
    assert found == []


def test_make_test_runs_the_import_contract() -> None:
    makefile = (ROOT / "Makefile").read_text()
    lint = makefile.split("\nlint:", 1)[1].split("\n\n", 1)[0]
    assert "lint-imports" in lint
    pyproject = (ROOT / "pyproject.toml").read_text()
    assert 'layers = ["config", "workers", "moderation", "publishing", "stories", "kernel"]' in (
        pyproject
    )
