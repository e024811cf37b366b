"""Verification of the outputs before they are renamed into place."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

from kernel.media_errors import TRANSCODE_REASONS
from workers.media.errors import (
    MediaRejected,
    TranscodeFailed,
)
from workers.media.plan import MASTER, POSTER, PREVIEW, OutputSummary, TranscodePlan
from workers.media.probe import ProbeResult, run_ffprobe, summarise_probe


def _summary(path: Path, probe: ProbeResult) -> OutputSummary:
    return OutputSummary(
        width=probe.width,
        height=probe.height,
        duration_s=probe.duration_s,
        fps=probe.avg_fps,
        bit_rate=probe.bit_rate,
        size_bytes=path.stat().st_size,
    )


def verify_outputs(
    plan: TranscodePlan,
    temps: Mapping[str, Path],
    *,
    source: ProbeResult | None = None,
    on_fraction: Callable[[float], None] | None = None,
) -> dict[str, OutputSummary]:
    """Probe every output; raise ``TranscodeFailed`` when one is missing or looks wrong.

    A copied master is held to the same rules as an encoded one (size, duration) and more:
    exactly the source's video codec and an AAC track, no data stream, no private tag, the
    source's rotation. Its decodability from start to end is proven by the preview, decoded
    from the same stream in the same run: the preview must hold nearly every frame.
    """
    from workers.media.strip import extra_streams, private_tags

    summaries: dict[str, OutputSummary] = {}
    expected_sizes = {
        MASTER: plan.master_size,
        PREVIEW: plan.preview_size,
        POSTER: plan.poster_size,
    }
    present = [
        name for name in plan.outputs if temps[name].is_file() and temps[name].stat().st_size
    ]
    # One ffprobe per output serves every check (chapters only for a copy); they run at once.
    with ThreadPoolExecutor(max_workers=max(1, len(present))) as pool:
        probes = {
            name: pool.submit(
                run_ffprobe, temps[name], show_chapters=name == MASTER and plan.copy_video
            )
            for name in present
        }
    for done, name in enumerate(sorted(plan.outputs)):
        if on_fraction is not None:
            on_fraction(done / len(plan.outputs))
        problem = ""
        if name not in probes:
            problem = "missing or empty"
        else:
            try:
                info = probes[name].result()
                probe = summarise_probe(info, path=temps[name])
                summary = _summary(temps[name], probe)
            except MediaRejected as exc:
                problem = f"unreadable: {exc.technical}"
            else:
                summaries[name] = summary
                if (summary.width, summary.height) != expected_sizes[name]:
                    problem = f"size {summary.width}x{summary.height}"
                elif name != POSTER:
                    expected = plan.duration_s
                    if name == MASTER and plan.branding is not None:
                        expected += plan.branding.extra_s
                    tolerance = max(1.0, expected * 0.05)
                    if plan.copy_video and name == MASTER:
                        tolerance = max(0.25, expected * 0.01)
                    if abs(summary.duration_s - expected) > tolerance:
                        problem = f"duration {summary.duration_s:.2f}s vs {expected:.2f}s"
                if not problem and name == MASTER and plan.copy_video:
                    problem = _copy_problem(info, probe, source, private_tags, extra_streams)
                if not problem and name == PREVIEW and plan.copy_video:
                    frames = probe.nb_frames or 0
                    wanted = plan.duration_s * float(plan.fps)
                    if frames < wanted * 0.95:
                        problem = f"{frames} frames decoded of {wanted:.0f}"
        if problem:
            raise TranscodeFailed(
                TRANSCODE_REASONS["bad_output"],
                f"Output {name} did not verify: {problem}.",
            )
    return summaries


def _copy_problem(
    info: dict[str, object],
    probe: ProbeResult,
    source: ProbeResult | None,
    private_tags: Callable[[dict[str, object]], list[str]],
    extra_streams: Callable[[dict[str, object]], list[str]],
) -> str:
    streams = [s for s in info.get("streams") or [] if isinstance(s, dict)]  # type: ignore[attr-defined]
    kinds = sorted((str(s.get("codec_type")), str(s.get("codec_name"))) for s in streams)
    codec = source.video_codec if source else next((k[1] for k in kinds if k[0] == "video"), "")
    if kinds != [("audio", "aac"), ("video", codec)]:
        return f"streams {kinds}"
    leaked = private_tags(info) + extra_streams(info)
    if leaked:
        return f"carries {leaked}"
    if source is not None and probe.rotation != source.rotation:
        return "rotation lost"
    return ""
