"""CSV that a spreadsheet opens as text: every export of the product writes through here.

A cell that starts with ``=``, ``+``, ``-``, ``@``, a tab or a carriage return is read as a
formula by Excel, LibreOffice and Google Sheets, so a story titled ``=HYPERLINK(...)`` would
turn an audit export into a live link that leaks the sheet. As OWASP's CSV-injection guidance
describes, such a cell gets a leading single quote, which spreadsheets show as text.

Written by hand rather than with defusedcsv: that library also rewrites ``|`` inside values
and does not cover tab and carriage return, and the rule itself is two lines.
"""

from __future__ import annotations

import csv
from collections.abc import Iterable
from typing import Any, Protocol

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


class _Writable(Protocol):
    def write(self, value: str, /) -> Any: ...


def csv_safe_cell(value: object) -> str:
    """``value`` as text a spreadsheet will not evaluate (None becomes the empty string)."""
    text = "" if value is None else str(value)
    return "'" + text if text.startswith(FORMULA_STARTS) else text


class SafeCsvWriter:
    """``csv.writer`` whose rows are neutralised cell by cell before they are written."""

    def __init__(self, stream: _Writable, **options: Any) -> None:
        self._writer = csv.writer(stream, **options)

    def writerow(self, row: Iterable[object]) -> Any:
        return self._writer.writerow([csv_safe_cell(cell) for cell in row])

    def writerows(self, rows: Iterable[Iterable[object]]) -> None:
        for row in rows:
            self.writerow(row)


def csv_writer(stream: _Writable, **options: Any) -> SafeCsvWriter:
    """The one way the product writes CSV; same options as ``csv.writer``."""
    return SafeCsvWriter(stream, **options)
