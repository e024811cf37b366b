"""Media jobs as services: one upload → a clean original at once, then master, preview, poster.

What the Celery tasks in ``workers/tasks/media.py`` run, callable without Celery: the tasks
fetch by id, call one function here and own the retry policy. Both entry points strip the
original first, under one Redis lock per media job (redis-py's ``Lock``): never two remuxes of
one original at once, and the second finds it clean. Every state change goes through
``stories.media_lifecycle``; messages for the supporter come from gettext in their language.
"""

from __future__ import annotations

import dataclasses
import json
import logging
import os
import shutil
import uuid
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from django.conf import settings
from django.core.files import File
from django.core.files.storage import default_storage
from redis import Redis

from kernel.media_errors import TRANSCODE_REASONS, in_language
from stories import media_lifecycle as lifecycle
from stories.models import Story, StoryMedia, StorySubtitle
from workers import media as pipeline

logger = logging.getLogger(__name__)

OUTPUT_NAMES = {
    pipeline.MASTER: "master.mp4",
    pipeline.PREVIEW: "preview.mp4",
    pipeline.POSTER: "poster.jpg",
}


def output_key(*, story_public_id: str, media_id: int, output: str) -> str:
    """Deterministic storage keys: a re-run finds what an earlier attempt already stored."""
    return f"stories/{story_public_id}/media-{media_id}/{OUTPUT_NAMES[output]}"


def poster_variant_key(*, story_public_id: str, media_id: int, variant: str) -> str:
    """``stories/<id>/media-<n>/poster-640.webp`` etc.: responsive posters, deterministic."""
    return f"stories/{story_public_id}/media-{media_id}/poster-{variant}"


def _store(path: Path, key: str) -> None:
    with path.open("rb") as fh:
        stored = default_storage.save(key, File(fh, name=path.name))
    if stored != key:  # never two copies: keep the deterministic key
        default_storage.delete(stored)


def _fetch_original(storage_key: str, workdir: Path) -> Path:
    """A local path of the original: streamed from storage unless it is already local."""
    try:
        return Path(default_storage.path(storage_key))
    except NotImplementedError:
        target = workdir / "original"
        with default_storage.open(storage_key, "rb") as src, target.open("wb") as dst:
            shutil.copyfileobj(src, dst, length=1024 * 1024)
        return target


def _strip_original(media_id: int, storage_key: str, source: Path, workdir: Path) -> dict[str, Any]:
    """Replace the stored original with its metadata-free remux; first step of every job.

    The tagged bytes are gone when this returns: on local storage the clean copy is renamed
    over the original (atomic), elsewhere the object is overwritten. A job that runs again finds
    the original clean and does nothing. A file that cannot be remuxed is unusable anyway: it is
    deleted (it still carries the location) and ``MediaRejected`` propagates.
    """
    if pipeline.is_clean(source):
        return {"already_clean": True}
    local = _is_local(storage_key)
    # On local storage the copy must end up on the original's file system: a rename.
    tmp_dir = source.parent if local and not _same_device(workdir, source) else workdir
    clean = tmp_dir / f".clean-{uuid.uuid4().hex[:12]}.part"
    try:
        result = pipeline.strip_metadata(source, clean)
    except pipeline.MediaRejected:
        clean.unlink(missing_ok=True)
        default_storage.delete(storage_key)
        source.unlink(missing_ok=True)
        lifecycle.media_original_deleted(media_id=media_id)
        raise
    if local:
        os.replace(clean, source)
    else:
        default_storage.delete(storage_key)
        with clean.open("rb") as fh:
            stored = default_storage.save(storage_key, File(fh, name="original"))
        if stored != storage_key:  # pragma: no cover - only under a concurrent writer
            default_storage.delete(stored)
            raise pipeline.TranscodeFailed(
                TRANSCODE_REASONS["not_stored"], "Clean original not stored."
            )
        source.unlink(missing_ok=True)
        os.replace(clean, source)
    logger.info("media original %s: removed %s", storage_key, result.removed_tags)
    return {
        "container": result.container,
        "removed_tags": list(result.removed_tags),
        "removed_streams": list(result.removed_streams),
    }


def _is_local(storage_key: str) -> bool:
    try:
        default_storage.path(storage_key)
    except NotImplementedError:
        return False
    return True


def _same_device(a: Path, b: Path) -> bool:
    return os.stat(a).st_dev == os.stat(b).st_dev


def _jsonable(value: Any) -> Any:
    return json.loads(json.dumps(value, default=str))


def _original_lock(media_id: int) -> Any:
    """One remux of an original at a time, across workers and hosts (shared Redis)."""
    client = Redis.from_url(settings.REDIS_URL, socket_timeout=30)
    return client.lock(f"zm:media:{media_id}:original", timeout=1500, blocking_timeout=1500)


def _media_failed(media_id: int) -> bool:
    return StoryMedia.objects.filter(pk=media_id, state=StoryMedia.State.FAILED).exists()


def media_fail_rejected(*, media_id: int, exc: pipeline.MediaRejected, language: str) -> None:
    """The file can never become a video: the media fails with the reason in ``language``."""
    lifecycle.media_fail(
        media_id=media_id,
        code=str(exc.code),
        message=exc.message(language),
        technical=exc.technical,
    )


def media_fail_timed_out(*, media_id: int) -> None:
    """The task's soft time limit struck: the media fails with a reason in words."""
    media = StoryMedia.objects.select_related("story").filter(pk=media_id).first()
    if media is None or media.state not in lifecycle.RUNNING:
        return
    lifecycle.media_fail(
        media_id=media_id,
        code="transcode_failed",
        message=in_language(TRANSCODE_REASONS["job_timed_out"], media.story.language),
    )


def media_job_process(*, media_id: int) -> None:
    """Probe, validate and transcode one upload in a single ffmpeg pass. Idempotent.

    A rejected file (not a video, too long, undecodable) or a failed transcode fails the media
    with a message in the submitter's language. Raises ``InsufficientDiskSpace`` after putting
    the job back to waiting (the caller retries later); anything raised into it (a soft time
    limit) propagates after the working folder is removed.
    """
    media = lifecycle.media_start(media_id=media_id)
    if media is None:
        logger.info("media %s: nothing to do", media_id)
        return
    story = media.story
    language = story.language
    keys = {
        name: output_key(story_public_id=str(story.public_id), media_id=media.pk, output=name)
        for name in OUTPUT_NAMES
    }
    missing = {name for name, key in keys.items() if not default_storage.exists(key)}
    # One working folder per media job: an attempt killed outright (SIGKILL, OOM) cannot
    # clean up after itself, so the next attempt starts by removing what it left.
    workdir = Path(settings.MEDIA_WORK_DIR) / f"media-{media_id}"
    shutil.rmtree(workdir, ignore_errors=True)
    workdir.mkdir(parents=True)
    try:
        with _original_lock(media_id):
            if _media_failed(media_id):  # strip_original found the file unusable meanwhile
                return
            source = _fetch_original(media.upload.storage_key, workdir)
            stripped = _strip_original(media_id, media.upload.storage_key, source, workdir)
            if stripped.get("already_clean"):  # strip_original did it: keep what it removed
                earlier = StoryMedia.objects.values_list("summary", flat=True).get(pk=media_id)
                stripped = (earlier or {}).get("original_stripped") or stripped
        probe = pipeline.probe_media(source)
        lifecycle.media_record_probe(media_id=media_id, probe=_jsonable(dataclasses.asdict(probe)))
        pipeline.validate_probe(probe, max_duration_s=settings.MEDIA_MAX_DURATION_SECONDS)
        soft, _hard = pipeline.time_limits_for(probe.duration_s or 0)
        lifecycle.media_transcoding(media_id=media_id)
        summary = _produce(media, source, workdir, keys, missing, soft)
        summary["original_stripped"] = stripped
        lifecycle.media_complete(media_id=media_id, keys=keys, summary=summary)
    except pipeline.MediaRejected as exc:
        media_fail_rejected(media_id=media_id, exc=exc, language=language)
    except pipeline.InsufficientDiskSpace:
        lifecycle.media_postpone(media_id=media_id)
        raise
    except pipeline.TranscodeFailed as exc:
        lifecycle.media_fail(
            media_id=media_id,
            code="transcode_failed",
            message=exc.message(language),
            technical=exc.stderr_tail,
        )
    finally:
        shutil.rmtree(workdir, ignore_errors=True)


def _produce(
    media: StoryMedia,
    source: Path,
    workdir: Path,
    keys: dict[str, str],
    missing: set[str],
    timeout_s: float,
) -> dict[str, Any]:
    """Write what is still missing and store it; the job summary."""
    story = media.story
    posters: dict[str, str] = dict((media.summary or {}).get("posters") or {})
    if not missing:
        return {
            "outputs": {},
            "wall_time_s": 0,
            "speed_x": 0,
            "master_mode": "",
            "posters": posters,
        }
    result = pipeline.process_video(
        source,
        workdir,
        branding=media_branding(story, workdir),
        outputs=missing,
        max_duration_s=settings.MEDIA_MAX_DURATION_SECONDS,
        preset=settings.MEDIA_X264_PRESET,
        on_progress=lambda p: lifecycle.media_progress(
            media_id=media.pk, percent=p.percent, eta_seconds=p.eta_seconds
        ),
        timeout_s=timeout_s,
        progress_interval_s=0.25,  # a short clip still shows a moving bar
    )
    for name, path in result.paths.items():
        _store(path, keys[name])
    for variant, path in result.poster_variants.items():
        key = poster_variant_key(
            story_public_id=str(story.public_id), media_id=media.pk, variant=variant
        )
        _store(path, key)
        posters[variant] = key
    return {
        "outputs": _jsonable({k: dataclasses.asdict(v) for k, v in result.summaries.items()}),
        "wall_time_s": result.wall_time_s,
        "speed_x": result.speed_x,
        "master_mode": result.master_mode,
        "posters": posters,
    }


def media_job_strip_original(*, media_id: int) -> None:
    """Remove location and device tags from a new upload now, before its turn to transcode.

    Idempotent: a clean original, a job the transcode worker already has, or an original this
    worker cannot see is left alone (``media_job_process`` strips first anyway). A file that
    cannot be remuxed is deleted (it still carries the location) and the media fails with the
    usual readable message.
    """
    workdir = Path(settings.MEDIA_WORK_DIR) / f"strip-{media_id}"
    with _original_lock(media_id):
        media = StoryMedia.objects.select_related("upload", "story").filter(pk=media_id).first()
        if media is None or media.state != StoryMedia.State.WAITING or media.upload is None:
            return
        key = media.upload.storage_key
        if not default_storage.exists(key):
            logger.info("media %s: original %s not in this worker's storage", media_id, key)
            return
        shutil.rmtree(workdir, ignore_errors=True)
        workdir.mkdir(parents=True)
        try:
            result = _strip_original(media_id, key, _fetch_original(key, workdir), workdir)
            if not result.get("already_clean"):
                lifecycle.media_original_stripped(media_id=media_id, result=result)
        except pipeline.MediaRejected as exc:
            media_fail_rejected(media_id=media_id, exc=exc, language=media.story.language)
        finally:
            shutil.rmtree(workdir, ignore_errors=True)


def media_branding(story: Story, workdir: Path) -> pipeline.Branding | None:
    """The campaign's look for this story's master, when the campaign switched it on.

    Burnt-in subtitles are copied into ``workdir``; nothing can go wrong but storage errors.
    """
    subtitles_path = None
    subtitle = StorySubtitle.objects.filter(story=story).first()
    if settings.MEDIA_BURN_SUBTITLES and subtitle and default_storage.exists(subtitle.storage_key):
        subtitles_path = workdir / "subtitles.vtt"
        with default_storage.open(subtitle.storage_key, "rb") as src:
            subtitles_path.write_bytes(src.read())
    if not settings.MEDIA_BRANDING:
        return (
            pipeline.Branding(
                intro_s=0, outro_s=0, corner_mark=False, subtitles_path=str(subtitles_path)
            )
            if subtitles_path
            else None
        )
    credit = ""
    if settings.MEDIA_BRANDING_LOWER_THIRD and story.credit != Story.Credit.ANONYMOUS:
        credit = story.credit_line
    outro = settings.MEDIA_BRANDING_OUTRO_TEXT or (
        f"{urlsplit(settings.SITE_URL).netloc}/mitmachen/"
    )
    return pipeline.Branding(
        claim=settings.CAMPAIGN_NAME,
        colour=settings.MEDIA_BRANDING_COLOUR,
        outro_text=outro,
        lower_third=credit,
        logo_path=settings.MEDIA_BRANDING_LOGO or None,
        subtitles_path=str(subtitles_path) if subtitles_path else None,
    )
