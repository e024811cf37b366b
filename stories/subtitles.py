"""Subtitle files from submitters: SRT or WebVTT in, clean WebVTT out.

Browsers (the review page's ``<track>``) need WebVTT and YouTube accepts it, so every file is
normalised to WebVTT: cues re-timed in one format, markup removed, nothing executable kept.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

MAX_BYTES = 512 * 1024
MAX_CUES = 5000
_TIME = r"(?:(\d{1,2}):)?(\d{1,2}):(\d{2})[,.](\d{3})"
_TIMING = re.compile(rf"^\s*{_TIME}\s*-->\s*{_TIME}")
_TAG = re.compile(r"<[^>]*>")


class SubtitleError(ValueError):
    """The file is not a usable SRT or WebVTT file; ``code`` names why."""

    def __init__(self, code: str) -> None:
        super().__init__(code)
        self.code = code


@dataclass(frozen=True)
class Cue:
    start_ms: int
    end_ms: int
    text: str


def _ms(groups: tuple[str | None, ...]) -> int:
    hours, minutes, seconds, millis = (int(g or 0) for g in groups)
    return ((hours * 60 + minutes) * 60 + seconds) * 1000 + millis


def _stamp(ms: int) -> str:
    hours, rest = divmod(ms, 3_600_000)
    minutes, rest = divmod(rest, 60_000)
    seconds, millis = divmod(rest, 1000)
    return f"{hours:02d}:{minutes:02d}:{seconds:02d}.{millis:03d}"


def decode(raw: bytes) -> str:
    if len(raw) > MAX_BYTES:
        raise SubtitleError("too_large")
    if b"\x00" in raw:
        raise SubtitleError("not_subtitles")
    for encoding in ("utf-8-sig", "cp1252"):
        try:
            return raw.decode(encoding)
        except UnicodeDecodeError:
            continue
    raise SubtitleError("not_subtitles")  # pragma: no cover - cp1252 decodes almost anything


def parse(raw: bytes) -> list[Cue]:
    """Cues of an SRT or WebVTT file; raises ``SubtitleError`` for anything else."""
    text = decode(raw).replace("\r\n", "\n").replace("\r", "\n")
    cues: list[Cue] = []
    for block in re.split(r"\n\s*\n", text.strip()):
        lines = block.split("\n")
        timing_at = next((i for i, line in enumerate(lines[:3]) if _TIMING.match(line)), None)
        if timing_at is None:
            continue  # the WEBVTT header, NOTE and STYLE blocks, SRT noise
        match = _TIMING.match(lines[timing_at])
        assert match is not None
        start, end = _ms(match.groups()[:4]), _ms(match.groups()[4:])
        body = "\n".join(_TAG.sub("", line).strip() for line in lines[timing_at + 1 :]).strip()
        if end <= start or not body:
            continue
        cues.append(Cue(start, end, body))
        if len(cues) > MAX_CUES:
            raise SubtitleError("too_large")
    if not cues:
        raise SubtitleError("not_subtitles")
    return sorted(cues, key=lambda cue: cue.start_ms)


def to_webvtt(cues: list[Cue]) -> str:
    blocks = ["WEBVTT"]
    for cue in cues:
        # "-->" inside a cue would end it early in some players.
        body = cue.text.replace("-->", "→")
        blocks.append(f"{_stamp(cue.start_ms)} --> {_stamp(cue.end_ms)}\n{body}")
    return "\n\n".join(blocks) + "\n"
