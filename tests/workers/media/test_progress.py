"""Parsing ffmpeg's -progress output and rate-limiting the callback."""

from __future__ import annotations

import itertools

from workers.media import Progress, ProgressTracker
from workers.media.progress import parse_out_time_us, parse_speed


class FakeClock:
    def __init__(self) -> None:
        self.now = 0.0

    def __call__(self) -> float:
        return self.now


def _block(out_time_us: int, speed: str, state: str = "continue") -> list[str]:
    return [
        "frame=10",
        f"out_time_us={out_time_us}",
        "out_time=00:00:01.000000",
        f"speed={speed}",
        f"progress={state}",
    ]


def test_parsers_accept_ffmpeg_values_and_ignore_na():
    assert parse_speed("2.5x") == 2.5
    assert parse_speed(" 0.98x") == 0.98
    assert parse_speed("N/A") is None
    assert parse_out_time_us("1500000") == 1.5
    assert parse_out_time_us("N/A") is None
    assert parse_out_time_us("-9223372036854775807") is None


def test_tracker_computes_percent_eta_and_rate_limits():
    clock = FakeClock()
    reports: list[Progress] = []
    tracker = ProgressTracker(duration_s=10, callback=reports.append, clock=clock)

    for line in _block(2_000_000, "2x"):
        tracker.feed_line(line)
    assert reports == [Progress(percent=20.0, eta_seconds=4.0, speed=2.0, out_time_s=2.0)]

    clock.now = 0.5  # within a second of the last report: swallowed
    for line in _block(3_000_000, "2x"):
        tracker.feed_line(line)
    assert len(reports) == 1

    clock.now = 1.2
    for line in _block(2_500_000, "N/A"):  # out_time never goes backwards
        tracker.feed_line(line)
    assert reports[-1].percent == 30.0 and reports[-1].eta_seconds is None

    clock.now = 1.3
    for line in _block(10_000_000, "2x", state="end"):
        tracker.feed_line(line)
    assert tracker.ended
    assert reports[-1].percent == 30.0  # the 100 % report is up to finish()

    tracker.finish()
    tracker.finish()
    assert reports[-1] == Progress(
        percent=100.0, eta_seconds=0.0, speed=2.0, out_time_s=10.0, done=True
    )
    assert [r.done for r in reports].count(True) == 1


def test_tracker_stays_below_100_until_finished():
    clock = FakeClock()
    reports: list[Progress] = []
    tracker = ProgressTracker(duration_s=2, callback=reports.append, clock=clock)
    for line in _block(2_500_000, "1x"):
        tracker.feed_line(line)
    assert reports[-1].percent == 99.9
    assert not reports[-1].done


def test_tracker_without_callback_keeps_last_report():
    tracker = ProgressTracker(duration_s=4, callback=None)
    for line in [*_block(1_000_000, "1x"), "garbage line", "=", ""]:
        tracker.feed_line(line)
    assert tracker.last is not None and tracker.last.percent == 25.0


def test_job_progress_creeps_while_ffmpeg_reports_an_unchanged_position():
    """ffmpeg goes on reporting the same position while it waits for an output's header or
    moves the moov atom; the bar must still rise at least every second (2 × interval)."""
    from workers.media import JobProgress

    now = [0.0]
    seen: list[tuple[float, float]] = []
    job = JobProgress(
        {"encode": 1.0},
        callback=lambda p: seen.append((now[0], p.percent)),
        min_interval_s=0.5,
        clock=lambda: now[0],
    )
    job.start("encode")
    job.update(0.5)
    for _ in range(40):  # 10 s of reports every 0.25 s, all at the same position
        now[0] += 0.25
        job.update(0.5)
        job.tick()
    rises = [seen[0]] + [b for a, b in itertools.pairwise(seen) if b[1] > a[1]]
    gaps = [b[0] - a[0] for a, b in itertools.pairwise(rises)]
    assert len(rises) > 5 and max(gaps) <= 1.0, rises
    assert seen[-1][1] < 100
