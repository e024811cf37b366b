"""YouTube Data API quota: what each call costs and whether today's budget still has room.

Two models exist. ``legacy``: one daily budget of 10,000 units shared by every call (an upload
costs 1,600). ``buckets``: uploads (``videos.insert``) count in their own daily bucket of 100
calls, everything else shares the 10,000 units. Both reset at midnight America/Los_Angeles.

This module stores nothing: the caller keeps the ledger (the lead's ``QuotaLedger`` rows) and
passes today's usage in as numbers.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Literal

from .errors import QuotaExhausted, next_reset

QuotaModel = Literal["legacy", "buckets"]

UPLOAD_METHOD = "videos.insert"

COSTS: dict[str, int] = {
    "videos.insert": 1600,
    "videos.update": 50,
    "videos.delete": 50,
    "videos.list": 1,
    "thumbnails.set": 50,
    "captions.insert": 400,
    "playlists.insert": 50,
    "playlists.list": 1,
    "playlistItems.insert": 50,
    "playlistItems.delete": 50,
    "playlistItems.list": 1,
}

__all__ = ["COSTS", "QuotaModel", "QuotaPolicy", "cost_of", "next_reset"]


def cost_of(method: str) -> int:
    """Units a call costs in the shared budget, e.g. ``cost_of("videos.insert") == 1600``.

    Raises KeyError for a method this product does not call (so a typo cannot go unbilled).
    """
    return COSTS[method]


@dataclass(frozen=True, kw_only=True)
class QuotaPolicy:
    """Answers "does this call fit today?" for one channel's quota model.

    ``units_used`` counts units of the shared budget; ``uploads_used`` counts ``videos.insert``
    calls (only meaningful in the ``buckets`` model; in ``legacy`` uploads are in ``units_used``).
    """

    model: QuotaModel = "legacy"
    daily_units: int = 10_000
    daily_uploads: int = 100

    def fits(self, *, method: str, units_used: int, uploads_used: int = 0) -> bool:
        """True if ``method`` can still be called today. Raises KeyError for unknown methods."""
        if self.model == "buckets" and method == UPLOAD_METHOD:
            return uploads_used + 1 <= self.daily_uploads
        return units_used + cost_of(method) <= self.daily_units

    def check(
        self,
        *,
        method: str,
        units_used: int,
        uploads_used: int = 0,
        now: dt.datetime | None = None,
    ) -> None:
        """Raise QuotaExhausted("quotaExceeded", next midnight Pacific) if the call won't fit."""
        if not self.fits(method=method, units_used=units_used, uploads_used=uploads_used):
            raise QuotaExhausted("quotaExceeded", self.resets_at(now), source="budget")

    def remaining_units(self, *, units_used: int) -> int:
        """Units left in the shared budget today (never negative)."""
        return max(0, self.daily_units - units_used)

    def uploads_left(self, *, units_used: int, uploads_used: int = 0) -> int:
        """How many more uploads fit today under this model."""
        if self.model == "buckets":
            return max(0, self.daily_uploads - uploads_used)
        return self.remaining_units(units_used=units_used) // COSTS[UPLOAD_METHOD]

    def resets_at(self, now: dt.datetime | None = None) -> dt.datetime:
        """When the budget is full again: the next midnight America/Los_Angeles."""
        return next_reset(now)
