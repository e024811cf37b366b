"""Parsing ffmpeg's ``-progress pipe:1`` output into rate-limited progress reports.

ffmpeg writes blocks of ``key=value`` lines, each block ending with ``progress=continue`` or
``progress=end``. We turn ``out_time_us`` into a percentage of the known duration, estimate the
remaining time from ``speed`` and call the callback at most once per ``min_interval_s`` plus
exactly once with 100 % at the end.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class Progress:
    """One progress report. ``percent`` never decreases within a run."""

    percent: float
    eta_seconds: float | None
    speed: float | None
    out_time_s: float
    done: bool = False


ProgressCallback = Callable[[Progress], None]


def parse_speed(value: str) -> float | None:
    """``"2.5x"`` → 2.5; ``"N/A"`` or garbage → None."""
    value = value.strip().rstrip("x").strip()
    try:
        speed = float(value)
    except ValueError:
        return None
    return speed if speed > 0 else None


def parse_out_time_us(value: str) -> float | None:
    """Microseconds as written by ffmpeg → seconds; ``"N/A"`` or negative → None."""
    try:
        micros = int(value.strip())
    except ValueError:
        return None
    return micros / 1_000_000 if micros >= 0 else None


class ProgressTracker:
    """Feed it ffmpeg's progress lines; it calls ``callback`` at a bounded rate.

    Callback exceptions propagate to the caller of ``feed_line``/``finish``.
    """

    def __init__(
        self,
        *,
        duration_s: float,
        callback: ProgressCallback | None,
        min_interval_s: float = 1.0,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.duration_s = max(duration_s, 0.001)
        self.callback = callback
        self.min_interval_s = min_interval_s
        self.clock = clock
        self.last: Progress | None = None
        self._last_emit_at: float | None = None
        self._out_time_s = 0.0
        self._speed: float | None = None
        self._finished = False
        self.ended = False

    def feed_line(self, line: str) -> None:
        key, sep, value = line.strip().partition("=")
        if not sep:
            return
        if key == "out_time_us":
            seconds = parse_out_time_us(value)
            if seconds is not None:
                self._out_time_s = max(self._out_time_s, seconds)
        elif key == "speed":
            self._speed = parse_speed(value)
        elif key == "progress":
            # "end" only means ffmpeg stopped; the caller still verifies the outputs and then
            # calls ``finish`` for the 100 % report.
            self.ended = self.ended or value.strip() == "end"
            self._maybe_emit()

    def _current(self) -> Progress:
        # Stay below 100 until ffmpeg says "end": the muxer's faststart pass still runs.
        percent = min(self._out_time_s / self.duration_s * 100, 99.9)
        if self.last is not None:
            percent = max(percent, self.last.percent)
        eta = None
        if self._speed:
            eta = max(self.duration_s - self._out_time_s, 0.0) / self._speed
        return Progress(
            percent=round(percent, 1),
            eta_seconds=None if eta is None else round(eta, 1),
            speed=self._speed,
            out_time_s=self._out_time_s,
        )

    def _maybe_emit(self) -> None:
        if self._finished:
            return
        now = self.clock()
        if self._last_emit_at is not None and now - self._last_emit_at < self.min_interval_s:
            return
        progress = self._current()
        self.last = progress
        self._last_emit_at = now
        if self.callback is not None:
            self.callback(progress)

    def finish(self) -> None:
        """Emit the final 100 % report once; later calls do nothing."""
        if self._finished:
            return
        self._finished = True
        progress = Progress(
            percent=100.0,
            eta_seconds=0.0,
            speed=self._speed,
            out_time_s=max(self._out_time_s, self.duration_s),
            done=True,
        )
        self.last = progress
        if self.callback is not None:
            self.callback(progress)


class JobProgress:
    """One percentage and time estimate across the phases of a media job.

    Each phase has a weight (its expected share of the job's time); a phase reports its own
    fraction done and the job's percentage is the finished weights plus the running phase's
    share. The estimate is the elapsed time scaled by what is left. Reports go to ``callback``
    at most once per ``min_interval_s`` (the first one and each phase start at once), so the
    bar moves from the first second: probe, loudness pass, ffmpeg, poster, verification.
    """

    def __init__(
        self,
        weights: dict[str, float],
        *,
        callback: ProgressCallback | None,
        min_interval_s: float = 0.5,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        total = sum(weights.values()) or 1.0
        self.weights = {name: weight / total for name, weight in weights.items()}
        self.callback = callback
        self.min_interval_s = min_interval_s
        self.clock = clock
        self.started_at = clock()
        self.done_weight = 0.0
        self.phase: str | None = None
        self.fraction = 0.0
        self.last: Progress | None = None
        self._last_emit_at: float | None = None
        self._last_rise_at: float | None = None
        self.history: list[tuple[str, float]] = []

    def start(self, phase: str) -> None:
        """Finish the running phase and start ``phase`` (unknown phases weigh nothing)."""
        if self.phase is not None:
            self.done_weight += self.weights.get(self.phase, 0.0)
        self.phase, self.fraction = phase, 0.0
        self._emit(force=True)

    def update(self, fraction: float) -> None:
        """The running phase is ``fraction`` (0…1) done."""
        self.fraction = min(max(fraction, self.fraction), 1.0)
        self._emit()

    def tick(self) -> None:
        """Called while a phase runs without telling how far it is (ffmpeg's faststart pass
        after the last frame, a probe): after ``2 × min_interval_s`` without a report the
        phase creeps 3 % of what is left of its share, so the bar never stands still and
        never reaches the phase's end before the phase does."""
        now = self.clock()
        # Since the last rise, not the last report: ffmpeg goes on reporting an unchanged
        # position while it waits for an output's header or moves the moov atom.
        if self._last_rise_at is None or now - self._last_rise_at < 2 * self.min_interval_s:
            return
        self.fraction += (1.0 - self.fraction) * 0.03
        self._emit(force=True)

    def tracker(self, duration_s: float) -> ProgressTracker:
        """A ``ProgressTracker`` for an ffmpeg run that feeds this phase."""
        return ProgressTracker(
            duration_s=duration_s,
            callback=lambda p: self.update(p.percent / 100),
            min_interval_s=0,
        )

    @property
    def percent(self) -> float:
        share = self.weights.get(self.phase or "", 0.0) * self.fraction
        return min((self.done_weight + share) * 100, 99.9)

    def _emit(self, *, force: bool = False) -> None:
        now = self.clock()
        if (
            not force
            and self._last_emit_at is not None
            and now - self._last_emit_at < self.min_interval_s
        ):
            return
        percent = round(self.percent, 1)
        if self.last is not None:
            percent = max(percent, self.last.percent)
        elapsed = now - self.started_at
        eta = None
        if percent >= 1 and elapsed > 0:
            eta = round(elapsed * (100 - percent) / percent, 1)
        progress = Progress(percent=percent, eta_seconds=eta, speed=None, out_time_s=elapsed)
        if self.last is None or percent > self.last.percent:
            self._last_rise_at = now
        self.last, self._last_emit_at = progress, now
        self.history.append((self.phase or "", percent))
        if self.callback is not None:
            self.callback(progress)

    def finish(self) -> None:
        progress = Progress(percent=100.0, eta_seconds=0.0, speed=None, out_time_s=0.0, done=True)
        self.last = progress
        self.history.append(("done", 100.0))
        if self.callback is not None:
            self.callback(progress)
