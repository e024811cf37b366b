"""The one release build: the Dockerfile builds only through it, and it works on the tree."""

from __future__ import annotations

import ast
import json
import os
import re
import subprocess
import sys
from pathlib import Path

from tests.support.services import ROOT

# Dummy secrets for the build only: production settings refuse to load without them.
BUILD_ENV = {
    "DJANGO_SETTINGS_MODULE": "config.settings.production",
    "DJANGO_SECRET_KEY": "build-only-not-a-secret",
    "DJANGO_ALLOWED_HOSTS": "build",
    "DATABASE_URL": "postgres://build@build/build",
    "REDIS_URL": "redis://build:6379/0",
    "EMAIL_ALLOW_CONSOLE": "true",  # as scripts/build-release: the build sends no mail
}


def _dockerfile_instructions() -> list[tuple[str, str]]:
    """(INSTRUCTION, arguments) with continuation lines joined and comments dropped."""
    text = (ROOT / "Dockerfile").read_text()
    lines = [line for line in text.splitlines() if not line.lstrip().startswith("#")]
    joined = re.sub(r"\\\n", " ", "\n".join(lines))
    result = []
    for line in joined.splitlines():
        if line.strip():
            word, _, rest = line.strip().partition(" ")
            result.append((word.upper(), rest.strip()))
    return result


def test_collectstatic_with_production_settings_succeeds_on_the_tree(tmp_path: Path) -> None:
    """Finding 1: the manifest storage follows tus.min.js's sourceMappingURL."""
    env = {**os.environ, **BUILD_ENV, "VAR_DIR": str(tmp_path)}
    env.pop("EMAIL_BACKEND", None)
    result = subprocess.run(
        [sys.executable, "manage.py", "collectstatic", "--no-input", "-v0"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert result.returncode == 0, result.stderr[-3000:]
    manifest = json.loads((tmp_path / "staticfiles" / "staticfiles.json").read_text())
    assert "vendor/tus.min.js" in manifest["paths"]
    hashed = manifest["paths"]["vendor/tus.min.js"]
    assert (tmp_path / "staticfiles" / hashed).is_file()


def test_the_dockerfile_builds_only_through_the_release_script() -> None:
    runs = [args for word, args in _dockerfile_instructions() if word == "RUN"]
    builds = [args for args in runs if "scripts/build-release" in args]
    assert len(builds) == 1, "the Dockerfile must call scripts/build-release exactly once"
    forbidden = (
        "uv sync",
        "uv pip",
        "pip install -r",
        "npm ci",
        "npm install",
        "npm i ",
        "collectstatic",
        "compilemessages",
        "node_modules",
        "manage.py",
    )
    for args in runs:
        for word in forbidden:
            assert word not in args, f"the Dockerfile builds outside the release script: {args}"
    # The release script is the only source of the installed tree: it runs after COPY . .
    copies = [
        i
        for i, (word, args) in enumerate(_dockerfile_instructions())
        if word == "COPY" and args.split()[:2] == [".", "."]
    ]
    build_at = next(
        i
        for i, (word, args) in enumerate(_dockerfile_instructions())
        if word == "RUN" and "scripts/build-release" in args
    )
    assert copies and copies[0] < build_at


def test_the_release_script_does_each_step() -> None:
    script = (ROOT / "scripts" / "build-release").read_text()
    assert re.search(r'(uv|"\$UV") sync --frozen --no-dev', script)
    assert "npm ci --omit=dev" in script
    assert "scripts/vendor-static" in script
    assert "compilemessages" in script
    assert "collectstatic" in script and "config.settings.production" in script
    # make deps vendors the same files the same way.
    assert "scripts/vendor-static" in (ROOT / "Makefile").read_text()


def test_the_image_leaves_out_local_state_and_the_stand_in() -> None:
    ignored = {
        line.strip()
        for line in (ROOT / ".dockerignore").read_text().splitlines()
        if line.strip() and not line.startswith("#")
    }
    for entry in (".venv", "node_modules", "var", ".git", "devtools", "tests"):
        assert entry in ignored, f".dockerignore misses {entry}"


def test_nothing_in_the_product_imports_the_youtube_stand_in() -> None:
    """The stand-in is left out of the image; the product must not need it."""
    for package in ("config", "stories", "moderation", "publishing", "workers"):
        for path in (ROOT / package).rglob("*.py"):
            if "youtube_standin" in path.parts:
                continue
            tree = ast.parse(path.read_text(), str(path))
            for node in ast.walk(tree):
                names = []
                if isinstance(node, ast.Import):
                    names = [alias.name for alias in node.names]
                elif isinstance(node, ast.ImportFrom):
                    names = [node.module or ""] + [alias.name for alias in node.names]
                assert not any("youtube_standin" in name for name in names), path


def test_ci_runs_the_production_check_after_both_test_passes() -> None:
    steps = [
        line.strip()
        for line in (ROOT / ".ci" / "run").read_text().splitlines()
        if line.strip().startswith("make ")
    ]
    assert steps == ["make test", "make test-postgres", "make production-check"]
    makefile = (ROOT / "Makefile").read_text()
    assert re.search(r"^production-check:", makefile, re.M)
    assert (ROOT / "scripts" / "production-check").stat().st_mode & 0o111
