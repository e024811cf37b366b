"""Media processing on the ``transcode`` queue: one upload → master, preview, poster."""

from __future__ import annotations

import dataclasses
import json
import logging
import os
import shutil
import uuid
from pathlib import Path
from typing import Any

from celery import shared_task
from celery.exceptions import SoftTimeLimitExceeded
from django.conf import settings
from django.core.files import File
from django.core.files.storage import default_storage

from workers import media as pipeline
from workers.reconcile import JobKind, register

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
        from stories import services

        clean.unlink(missing_ok=True)
        default_storage.delete(storage_key)
        source.unlink(missing_ok=True)
        services.media_original_deleted(media_id=media_id)
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
                "Die Datei konnte nicht gespeichert werden.", "Clean original not stored."
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


@shared_task(
    name="workers.tasks.media.process_media",
    bind=True,
    acks_late=True,
    reject_on_worker_lost=True,
    soft_time_limit=settings.CELERY_LONGEST_HARD_LIMIT - 120,
    time_limit=settings.CELERY_LONGEST_HARD_LIMIT,
    max_retries=5,
)
def process_media(self: Any, media_id: int) -> None:
    """Probe, validate and transcode one upload in a single ffmpeg pass. Idempotent.

    A rejected file (not a video, too long, undecodable) fails the media with a message in
    the submitter's language and is not retried; a full disk is retried later; a worker
    killed mid-run gets the job again and produces only what is still missing.
    """
    from stories import services
    from stories.models import StoryMedia

    media = services.media_start(media_id=media_id)
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
        source = _fetch_original(media.upload.storage_key, workdir)
        stripped = _strip_original(media_id, media.upload.storage_key, source, workdir)
        probe = pipeline.probe_media(source)
        services.media_set_state(
            media_id=media_id,
            state=StoryMedia.State.PROBING,
            probe=_jsonable(dataclasses.asdict(probe)),
        )
        pipeline.validate_probe(probe, max_duration_s=settings.MEDIA_MAX_DURATION_SECONDS)
        soft, _hard = pipeline.time_limits_for(probe.duration_s or 0)
        services.media_set_state(media_id=media_id, state=StoryMedia.State.TRANSCODING)
        result = None
        posters: dict[str, str] = dict((media.summary or {}).get("posters") or {})
        if missing:
            result = pipeline.process_video(
                source,
                workdir,
                branding=_branding(story, workdir),
                outputs=missing,
                max_duration_s=settings.MEDIA_MAX_DURATION_SECONDS,
                preset=settings.MEDIA_X264_PRESET,
                on_progress=lambda p: services.media_progress(
                    media_id=media_id, percent=p.percent, eta_seconds=p.eta_seconds
                ),
                timeout_s=soft,
                progress_interval_s=0.5,
            )
            for name, path in result.paths.items():
                _store(path, keys[name])
            for variant, path in result.poster_variants.items():
                key = poster_variant_key(
                    story_public_id=str(story.public_id), media_id=media.pk, variant=variant
                )
                _store(path, key)
                posters[variant] = key
        summary = {
            "outputs": _jsonable({k: dataclasses.asdict(v) for k, v in result.summaries.items()})
            if result
            else {},
            "wall_time_s": result.wall_time_s if result else 0,
            "speed_x": result.speed_x if result else 0,
            "original_stripped": stripped,
            "master_mode": result.master_mode if result else "",
            "posters": posters,
        }
        services.media_complete(media_id=media_id, keys=keys, summary=summary)
    except pipeline.MediaRejected as exc:
        services.media_fail(
            media_id=media_id,
            code=str(exc.code),
            message=pipeline.rejection_message(exc.code, language),
            technical=exc.technical,
        )
    except pipeline.InsufficientDiskSpace as exc:
        services.media_set_state(media_id=media_id, state=StoryMedia.State.WAITING)
        raise self.retry(exc=exc, countdown=300) from exc
    except (pipeline.TranscodeFailed, SoftTimeLimitExceeded) as exc:
        reason = getattr(
            exc,
            "reason_de" if language == "de" else "reason_en",
            "Die Verarbeitung hat zu lange gedauert.",
        )
        services.media_fail(
            media_id=media_id,
            code="transcode_failed",
            message=str(reason),
            technical=getattr(exc, "stderr_tail", ""),
        )
    finally:
        shutil.rmtree(workdir, ignore_errors=True)


def _branding(story: Any, workdir: Path) -> pipeline.Branding | None:
    """The campaign's look for this story's master, when the campaign switched it on."""
    from urllib.parse import urlsplit

    from stories.models import Story, StorySubtitle

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


def _enqueue(media_id: int) -> None:
    process_media.delay(media_id)


def _find_stuck(now: Any) -> list[int]:
    from stories.services import media_find_stuck

    return media_find_stuck(now)


register(JobKind(name="media", find_stuck=_find_stuck, enqueue=_enqueue))
