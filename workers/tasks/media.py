"""Media processing: one upload → a clean original at once, then master, preview, poster.

``strip_original`` runs on the ``default`` queue as soon as an upload becomes a story's video,
so that a backlog of transcodes never keeps a file with location or device tags in storage.
``process_media`` (``transcode`` queue) strips first too, so a job the reconciler re-enqueues
on its own is just as clean. Both strip under one Redis lock per media job (redis-py's
``Lock``): never two remuxes of one original at once, and the second finds it clean.
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

from celery import shared_task
from celery.exceptions import SoftTimeLimitExceeded
from django.conf import settings
from django.core.files import File
from django.core.files.storage import default_storage
from redis import Redis

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
        with _original_lock(media_id):
            if _media_failed(media_id):  # strip_original found the file unusable meanwhile
                return
            source = _fetch_original(media.upload.storage_key, workdir)
            stripped = _strip_original(media_id, media.upload.storage_key, source, workdir)
            if stripped.get("already_clean"):  # strip_original did it: keep what it removed
                earlier = StoryMedia.objects.values_list("summary", flat=True).get(pk=media_id)
                stripped = (earlier or {}).get("original_stripped") or stripped
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
        _fail_rejected(media_id, exc, language)
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


def _original_lock(media_id: int) -> Any:
    """One remux of an original at a time, across workers and hosts (shared Redis)."""
    client = Redis.from_url(settings.REDIS_URL, socket_timeout=30)
    return client.lock(f"zm:media:{media_id}:original", timeout=1500, blocking_timeout=1500)


def _media_failed(media_id: int) -> bool:
    from stories.models import StoryMedia

    return StoryMedia.objects.filter(pk=media_id, state=StoryMedia.State.FAILED).exists()


def _fail_rejected(media_id: int, exc: pipeline.MediaRejected, language: str) -> None:
    from stories import services

    services.media_fail(
        media_id=media_id,
        code=str(exc.code),
        message=pipeline.rejection_message(exc.code, language),
        technical=exc.technical,
    )


@shared_task(
    name="workers.tasks.media.strip_original",
    acks_late=True,
    reject_on_worker_lost=True,
    soft_time_limit=1200,
    time_limit=1260,
)
def strip_original(media_id: int) -> None:
    """Remove location and device tags from a new upload now, before its turn to transcode.

    Idempotent: a clean original, a job the transcode worker already has, or an original this
    worker cannot see is left alone (``process_media`` strips first anyway). A file that
    cannot be remuxed is deleted (it still carries the location) and the media fails with the
    usual readable message.
    """
    from stories import services
    from stories.models import StoryMedia

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
                services.media_original_stripped(media_id=media_id, result=result)
        except pipeline.MediaRejected as exc:
            _fail_rejected(media_id, exc, media.story.language)
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
