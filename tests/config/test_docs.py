"""The README and .env.example stay true: every variable the settings read is documented."""

from __future__ import annotations

import re

from tests.support.services import ROOT


def _settings_variables() -> set[str]:
    names: set[str] = set()
    for path in (ROOT / "config" / "settings").glob("*.py"):
        names |= set(re.findall(r'env(?:\.\w+)?\(\s*"([A-Z][A-Z0-9_]+)"', path.read_text()))
    return names


def test_every_setting_is_in_the_readme_and_env_example() -> None:
    readme = (ROOT / "README.md").read_text()
    example = (ROOT / ".env.example").read_text()
    names = _settings_variables()
    assert len(names) > 20
    missing_readme = sorted(n for n in names if f"`{n}`" not in readme)
    missing_example = sorted(n for n in names if not re.search(rf"^{n}=", example, re.M))
    assert missing_readme == []
    assert missing_example == []


def test_quick_start_is_exactly_two_commands() -> None:
    readme = (ROOT / "README.md").read_text()
    block = readme.split("## Quick start", 1)[1].split("```sh", 1)[1].split("```", 1)[0]
    commands = [line.split("#")[0].strip() for line in block.strip().splitlines()]
    assert commands == ["make run", "make test"]
