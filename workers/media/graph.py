"""ffmpeg command lines: master and preview from one decode, the poster, responsive posters."""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any

import ffmpeg

from workers.media.plan import (
    MASTER,
    OG_SIZE,
    POSTER,
    POSTER_SAMPLE_FPS,
    POSTER_WIDTHS,
    PREVIEW,
    PREVIEW_AUDIO_KBPS,
    PREVIEW_VIDEO_KBPS,
    Branding,
    TranscodePlan,
)
from workers.media.probe import FFMPEG

FONT_DIRS = (Path("/usr/share/fonts/truetype/noto"), Path("/usr/share/fonts/truetype/dejavu"))
_ARABIC = re.compile("[\u0600-\u06ff\u0750-\u077f\ufb50-\ufdff\ufe70-\ufeff]")


def font_for(text: str, *, bold: bool = True) -> str:
    """A font that has the glyphs of ``text``: Noto Sans Arabic for Arabic script."""
    weight = "Bold" if bold else "Regular"
    names = [f"NotoSansArabic-{weight}.ttf"] if _ARABIC.search(text) else []
    names += [f"NotoSans-{weight}.ttf", f"DejaVuSans{'-Bold' if bold else ''}.ttf"]
    for name in names:
        for folder in FONT_DIRS:
            if (folder / name).is_file():
                return str(folder / name)
    raise FileNotFoundError("no usable font: install fonts-noto-core (make run does)")


def _privacy_options() -> dict[str, Any]:
    # Nothing from the phone survives: no global/stream/chapter metadata, no muxer "encoder"
    # tag; handler names are set to neutral values instead of being copied.
    return {
        "map_metadata": -1,
        "map_chapters": -1,
        "fflags": "+bitexact",
        "metadata:s:v": "handler_name=VideoHandler",
        "metadata:s:a": "handler_name=SoundHandler",
    }


def _text(stream: Any, text: str, **options: Any) -> Any:
    # expansion=none: a name with "%" is text, not a drawtext function call.
    return stream.filter(
        "drawtext", fontfile=font_for(text), text=text, expansion="none", **options
    )


def _brand(plan: TranscodePlan, brand: Branding, video: Any, audio: Any) -> tuple[Any, Any]:
    """Corner mark, lower third and burnt-in subtitles on the clip; cards before and after."""
    width, height = plan.master_size
    if brand.subtitles_path:
        video = video.filter(
            "subtitles",
            brand.subtitles_path,
            # ASS sizes are relative to a 288-line script, so this scales with the video.
            force_style="FontName=Noto Sans,FontSize=18,Outline=2",
        )
    if brand.corner_mark:
        video = _text(
            video,
            brand.claim,
            fontsize=max(12, height // 30),
            fontcolor="white@0.9",
            x="w-tw-w*0.03",
            y="h*0.03",
            box=1,
            boxcolor="black@0.35",
            boxborderw=max(4, height // 100),
        )
    if brand.lower_third:
        start, end = brand.lower_third_start_s, brand.lower_third_end_s
        video = _text(
            video,
            brand.lower_third,
            fontsize=max(14, height // 20),
            fontcolor="white",
            x="w*0.05",
            y="h*0.80",
            box=1,
            boxcolor=f"{brand.colour}@0.9",
            boxborderw=max(6, height // 60),
            enable=f"between(t,{start:.2f},{end:.2f})",
        )

    if brand.extra_s <= 0:
        return video, audio  # subtitles or marks only: no cards
    # One background, logo and silence source each, split for the two cards: ffmpeg-python
    # would merge two identical source nodes into one with two outputs, which ffmpeg refuses.
    count = (brand.intro_s > 0) + (brand.outro_s > 0)
    longest = max(brand.intro_s, brand.outro_s)
    backgrounds = ffmpeg.input(
        f"color=c={brand.colour}:s={width}x{height}:r={plan.fps}:d={longest:.3f}", f="lavfi"
    ).video.filter_multi_output("split", count)
    quiet = (
        ffmpeg.input("anullsrc=r=48000:cl=stereo", f="lavfi", t=f"{longest:.3f}")
        .audio.filter("aformat", sample_rates=48000, channel_layouts="stereo")
        .filter_multi_output("asplit", count)
    )
    logos = None
    if brand.logo_path:
        logos = (
            ffmpeg.input(brand.logo_path, loop=1, t=f"{longest:.3f}")
            .video.filter("scale", w=-2, h=max(2, height // 6 // 2 * 2))
            .filter_multi_output("split", count)
        )

    def card(index: int, seconds: float, subline: str) -> tuple[Any, Any]:
        frame = backgrounds.stream(index).filter("trim", duration=f"{seconds:.3f}")
        if logos is not None:
            logo = logos.stream(index).filter("trim", duration=f"{seconds:.3f}")
            frame = ffmpeg.overlay(frame, logo, x="(W-w)/2", y="H*0.14", shortest=1)
        frame = _text(
            frame,
            brand.claim,
            fontsize=max(16, height // 9),
            fontcolor="white",
            x="(w-tw)/2",
            y="(h-th)/2",
        )
        if subline:
            frame = _text(
                frame,
                subline,
                fontsize=max(12, height // 24),
                fontcolor="white",
                x="(w-tw)/2",
                y="h*0.70",
            )
        frame = frame.filter("setpts", "PTS-STARTPTS").filter("setsar", "1")
        sound = quiet.stream(index).filter("atrim", duration=f"{seconds:.3f}")
        return frame.filter("format", "yuv420p"), sound.filter("asetpts", "PTS-STARTPTS")

    audio = audio.filter("aformat", sample_rates=48000, channel_layouts="stereo")
    pieces: list[Any] = []
    if brand.intro_s > 0:
        pieces += card(0, brand.intro_s, "")
    pieces += [video, audio]
    if brand.outro_s > 0:
        pieces += card(count - 1, brand.outro_s, brand.outro_text)
    joined = ffmpeg.concat(*pieces, v=1, a=1).node
    return joined[0], joined[1]


def build_command(
    plan: TranscodePlan, *, src: str | Path, targets: Mapping[str, Path]
) -> list[str]:
    """The ffmpeg argument list writing master and/or preview; ``targets``: name → path.

    One decode feeds both: the master's encode and the preview's scale split from it, or, when
    the master is a copy, the master takes the compressed stream and the decode feeds only the
    preview, and the poster's candidate frames when ``poster_in_main_run``; otherwise the poster
    is a separate short run (``build_poster_command``): with ``thumbnail`` in this graph it
    would hold back ffmpeg's progress reports until its frame was chosen.
    Raises ``ValueError`` if ``targets`` does not cover the plan's master/preview outputs or
    the plan has neither.
    """
    wanted = [name for name in (MASTER, PREVIEW) if name in plan.outputs]
    missing = set(wanted) - set(targets)
    if missing:
        raise ValueError(f"no target path for {sorted(missing)}")
    if not wanted:
        raise ValueError("the plan has neither master nor preview")

    source = ffmpeg.input(str(src))
    video_in = source[str(plan.video_stream_index)]
    mw, mh = plan.master_size
    pw, ph = plan.preview_size
    branches: dict[str, Any] = {}
    poster_frames: Any = None
    if poster_in_main_run(plan) and POSTER in targets:
        decoded = video_in.filter_multi_output("split", 2)
        poster_frames = _poster_candidates(plan, decoded.stream(1))
        preview_in = decoded.stream(0)
    else:
        preview_in = video_in
    if plan.copy_video and PREVIEW in plan.outputs:
        # The preview shows what YouTube gets: the source's colours, not converted (the
        # encoder takes the source's colour tags from the frames). Saves a third of the CPU.
        branches[PREVIEW] = (
            preview_in.filter("fps", fps=str(plan.fps))
            .filter("scale", w=pw, h=ph)
            .filter("setsar", "1")
            .filter("format", "yuv420p")
        )
    elif MASTER not in plan.outputs:
        if PREVIEW in plan.outputs:
            branches[PREVIEW] = (
                video_in.filter("fps", fps=str(plan.fps))
                .filter("scale", w=pw, h=ph, out_color_matrix="bt709", out_range="tv")
                .filter("setsar", "1")
                .filter("format", "yuv420p")
            )
    else:
        video = (
            video_in.filter("fps", fps=str(plan.fps))
            .filter("scale", w=mw, h=mh, out_color_matrix="bt709", out_range="tv")
            .filter("setsar", "1")
            .filter("format", "yuv420p")
        )
        if PREVIEW in plan.outputs:
            split = video.filter_multi_output("split", 2)
            branches[MASTER] = split.stream(0)
            preview = split.stream(1)
            if (pw, ph) != plan.master_size:
                preview = preview.filter("scale", w=pw, h=ph)
            branches[PREVIEW] = preview
        else:
            branches[MASTER] = video

    audio_branches: dict[str, Any] = {}
    if plan.audio_stream_index is not None and plan.audio_filters is not None:
        audio = source[str(plan.audio_stream_index)]
        for filter_name, options in plan.audio_filters:
            audio = audio.filter(filter_name, **dict(options))
    else:
        audio = ffmpeg.input(
            "anullsrc=r=48000:cl=stereo", f="lavfi", t=f"{plan.duration_s:.3f}"
        ).audio
    if len(wanted) == 2:
        audio_split = audio.filter_multi_output("asplit", 2)
        audio_branches = {name: audio_split.stream(i) for i, name in enumerate(wanted)}
    else:
        audio_branches = {wanted[0]: audio}

    color = {"color_primaries": "bt709", "color_trc": "bt709", "colorspace": "bt709"}
    master_audio_args = {
        "c:a": "aac",
        "profile:a": "aac_low",
        "b:a": f"{plan.audio_kbps}k",
        "ar": 48000,
        "ac": 2,
        "flags:a": "+bitexact",
        "movflags": "+faststart",
    }
    streams = []
    if MASTER in plan.outputs and plan.copy_video:
        streams.append(
            ffmpeg.output(
                video_in,
                audio_branches[MASTER],
                str(targets[MASTER]),
                format="mp4",
                **{
                    "c:v": "copy",
                    "tag:v": plan.copy_tag,
                    **master_audio_args,
                    **_privacy_options(),
                },
            )
        )
    elif MASTER in plan.outputs:
        kbps = plan.video_kbps
        master_video, master_audio = branches[MASTER], audio_branches[MASTER]
        if plan.branding is not None:
            master_video, master_audio = _brand(plan, plan.branding, master_video, master_audio)
        streams.append(
            ffmpeg.output(
                master_video,
                master_audio,
                str(targets[MASTER]),
                format="mp4",
                **{
                    "c:v": "libx264",
                    "profile:v": "high",
                    "preset:v": plan.preset,
                    "pix_fmt": "yuv420p",
                    # YouTube asks for variable bitrate without a cap at the target: the
                    # target is the average, peaks may reach twice that.
                    "b:v": f"{kbps}k",
                    "maxrate:v": f"{kbps * 2}k",
                    "bufsize:v": f"{kbps * 4}k",
                    "g:v": plan.gop,
                    "bf:v": 2,
                    "flags:v": "+cgop+bitexact",
                    "fps_mode:v": "cfr",
                    **master_audio_args,
                    **color,
                    **_privacy_options(),
                },
            )
        )
    if PREVIEW in plan.outputs:
        streams.append(
            ffmpeg.output(
                branches[PREVIEW],
                audio_branches[PREVIEW],
                str(targets[PREVIEW]),
                format="mp4",
                **{
                    "c:v": "libx264",
                    "profile:v": "main",
                    "preset:v": plan.preview_preset,
                    "pix_fmt": "yuv420p",
                    "b:v": f"{PREVIEW_VIDEO_KBPS}k",
                    "maxrate:v": f"{PREVIEW_VIDEO_KBPS * 5 // 4}k",
                    "bufsize:v": f"{PREVIEW_VIDEO_KBPS * 2}k",
                    "g:v": plan.gop * 4,
                    "flags:v": "+bitexact",
                    "fps_mode:v": "cfr",
                    "c:a": "aac",
                    "b:a": f"{PREVIEW_AUDIO_KBPS}k",
                    "ar": 48000,
                    "ac": 2,
                    "flags:a": "+bitexact",
                    "movflags": "+faststart",
                    **({} if plan.copy_video else color),
                    **_privacy_options(),
                },
            )
        )
    if poster_frames is not None:
        streams.append(
            ffmpeg.output(
                poster_frames,
                str(poster_candidates_pattern(targets[POSTER])),
                format="image2",
                **{
                    "frames:v": plan.poster_frames,
                    "c:v": "mjpeg",
                    "q:v": 3,
                    "flags:v": "+bitexact",
                    "fps_mode:v": "passthrough",
                    "map_metadata": -1,
                    "map_chapters": -1,
                    "fflags": "+bitexact",
                },
            )
        )
    graph = ffmpeg.merge_outputs(*streams).global_args(*_GLOBAL_ARGS)
    return [str(arg) for arg in ffmpeg.compile(graph, cmd=FFMPEG, overwrite_output=True)]


def poster_in_main_run(plan: TranscodePlan) -> bool:
    """Does the main run write the poster's candidate frames (a copy with its preview)?

    The copy's one decode is the preview's; the poster's candidates split from it instead of
    a second run decoding the window again. They reach ffmpeg's image2 muxer from the
    window's first frame (no ``thumbnail`` holding them back), so progress reports start
    within a second of source; ``pick_poster`` chooses among them afterwards.
    """
    return plan.copy_video and POSTER in plan.outputs and PREVIEW in plan.outputs


def poster_candidates_pattern(poster_target: Path) -> Path:
    """Where the main run writes the poster's candidate frames (``<poster>.cand-01.jpg`` …)."""
    return poster_target.with_name(f"{poster_target.name}.cand-%02d.jpg")


def _poster_candidates(plan: TranscodePlan, decoded: Any) -> Any:
    window = plan.poster_frames / POSTER_SAMPLE_FPS
    return (
        decoded.filter("setpts", "PTS-STARTPTS")
        .filter("trim", start=f"{plan.poster_start_s:.3f}", duration=f"{window + 0.5:.3f}")
        .filter("fps", fps=POSTER_SAMPLE_FPS)
        .filter("scale", w=plan.poster_size[0], h=plan.poster_size[1])
        .filter("setsar", "1")
    )


def pick_poster(candidates: list[Path], target: Path) -> bool:
    """Move the candidate closest to the candidates' average histogram to ``target``.

    The rule of ffmpeg's ``thumbnail`` filter: a black, blurred or flash frame loses against
    the content around it. Returns False (and leaves ``target`` alone) without candidates;
    the other candidates are removed.
    """
    from PIL import Image

    histograms = []
    for path in candidates:
        with Image.open(path) as image:
            histograms.append(image.convert("RGB").histogram())
    if not histograms:
        return False
    average = [sum(column) / len(histograms) for column in zip(*histograms, strict=True)]
    errors = [
        sum((value - mean) ** 2 for value, mean in zip(histogram, average, strict=True))
        for histogram in histograms
    ]
    best = candidates[errors.index(min(errors))]
    best.replace(target)
    for path in candidates:
        path.unlink(missing_ok=True)
    return True


_GLOBAL_ARGS = (
    "-nostdin", "-hide_banner", "-loglevel", "warning", "-progress", "pipe:1", "-nostats",
    "-stats_period", "0.25",
)  # fmt: skip


def build_poster_command(plan: TranscodePlan, *, src: str | Path, target: Path) -> list[str]:
    """A short run that picks the poster from a few seconds after the start.

    Seeks to ``poster_start_s`` and decodes only the poster window at 2 fps; ``thumbnail``
    picks the frame closest to the window's average histogram, so a black or blurred frame
    loses against the content around it.
    """
    window = plan.poster_frames / POSTER_SAMPLE_FPS + 0.5
    source = ffmpeg.input(str(src), ss=f"{plan.poster_start_s:.3f}", t=f"{window:.3f}")
    poster = (
        source[str(plan.video_stream_index)]
        .filter("fps", fps=POSTER_SAMPLE_FPS)
        .filter("scale", w=plan.poster_size[0], h=plan.poster_size[1])
        .filter("setsar", "1")
        .filter("thumbnail", n=plan.poster_frames)
    )
    out = ffmpeg.output(
        poster,
        str(target),
        format="image2",
        update=1,
        **{
            "frames:v": 1,
            "c:v": "mjpeg",
            "q:v": 3,
            "flags:v": "+bitexact",
            "map_metadata": -1,
            "map_chapters": -1,
            "fflags": "+bitexact",
        },
    ).global_args(*_GLOBAL_ARGS)
    return [str(arg) for arg in ffmpeg.compile(out, cmd=FFMPEG, overwrite_output=True)]


def make_poster_variants(
    poster: Path, workdir: Path, *, on_step: Callable[[], None] | None = None
) -> dict[str, Path]:
    """Responsive posters from the poster (cheap: a 1280-wide JPEG, not the video).

    ``<width>.jpg`` and ``<width>.webp`` for each width in ``POSTER_WIDTHS`` up to the
    poster's own width (at least one), and ``og.jpg``, the 1200×630 OpenGraph crop. Pillow
    writes only pixels: no EXIF or other metadata.
    """
    from PIL import Image, ImageOps

    variants: dict[str, Path] = {}
    with Image.open(poster) as opened:
        image = opened.convert("RGB")
    widths = [w for w in POSTER_WIDTHS if w <= image.width] or [image.width]
    for width in widths:
        height = max(2, round(image.height * width / image.width))
        scaled = (
            image
            if width == image.width
            else image.resize((width, height), Image.Resampling.LANCZOS)
        )
        for fmt, ext, options in (
            ("JPEG", "jpg", {"quality": 82, "optimize": True, "progressive": True}),
            ("WEBP", "webp", {"quality": 78, "method": 4}),
        ):
            path = workdir / f".poster-{width}.{ext}.part"
            scaled.save(path, format=fmt, **options)
            variants[f"{width}.{ext}"] = path
            if on_step is not None:
                on_step()
    og = ImageOps.fit(image, OG_SIZE, Image.Resampling.LANCZOS, centering=(0.5, 0.4))
    og_path = workdir / ".poster-og.jpg.part"
    og.save(og_path, format="JPEG", quality=82, optimize=True, progressive=True)
    variants["og.jpg"] = og_path
    return variants
