"""The data subject's rights: erasure (Art. 17 GDPR) and access (Art. 15 GDPR).

``story_erase`` is the one documented exception to the append-only consent ledger and audit
log: it reduces them to the minimal proof that consent existed and was withdrawn, through
``_erase_personal_data`` below, which nothing else may call.

Rows of other apps that point at a story (moderation, publishing, …) are not imported here;
they are found through Django's relation registry. Rows that live and die with the story
(``on_delete=CASCADE``: reviews, claims, notes) are deleted; rows that must outlive it
(``PROTECT``/``SET_NULL``: the YouTube publication, needed to finish a takedown) keep their
identifiers and lose every free-text and JSON column.
"""

from __future__ import annotations

import json
import logging
import secrets
import shutil
import tempfile
import zipfile
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal
from pathlib import Path
from typing import Any

from django.conf import settings
from django.contrib.auth.models import AbstractBaseUser, AnonymousUser
from django.core.files.storage import default_storage
from django.db import models, transaction
from django.db.models import QuerySet
from django.utils import timezone

from kernel.queue import enqueue_on_commit

from .audit import audit_record
from .models import AuditEntry, ConsentRecord, Story, StoryMedia
from .signals import is_partner_code
from .tokens import token_hash
from .transitions import story_transition
from .uploads.models import Upload
from .uploads.selectors import upload_working_path

logger = logging.getLogger(__name__)

Actor = AbstractBaseUser | AnonymousUser | None
S = Story.Status

ERASED_TITLE = "[gelöscht]"
# The personal columns of a story; everything the person typed or chose about themselves.
PERSONAL_FIELDS: dict[str, Any] = {
    "title": ERASED_TITLE,
    "text": "",
    "region_other": "",
    "submitter_name": "",
    "submitter_email": "",
    "submitter_organisation": "",
    "submitter_role": "",
    "credit": Story.Credit.ANONYMOUS,
    "credit_pseudonym": "",
    "guardian_name": "",
    "guardian_email": "",
    "video_language": "",
    "decision_reason": "",
    "change_request": "",
    "region": None,
    "topic": None,
}
# What an audit entry may keep of its before/after after an erasure: the status trail.
AUDIT_KEEP_KEYS = ("status",)
STATUSES_WITH_VIDEO = (S.APPROVED, S.PUBLISHED, S.WITHDRAWN, S.TAKEN_DOWN)
# Columns of other apps' rows that hold identifiers a takedown still needs, not personal data.
KEEP_COLUMNS: dict[str, set[str]] = {"publishing.publication": {"playlists", "session_uri"}}


@dataclass
class ErasureReport:
    story_id: int
    files_deleted: list[str] = field(default_factory=list)
    working_files_deleted: list[str] = field(default_factory=list)
    related_rows_deleted: dict[str, int] = field(default_factory=dict)
    related_rows_scrubbed: dict[str, int] = field(default_factory=dict)
    audit_entries_reduced: int = 0


# --- The one internal path around the append-only guard -------------------------------------
def _erase_personal_data(queryset: QuerySet[Any], **values: Any) -> int:
    """UPDATE rows of an append-only table. Only ``story_erase`` may call this (Art. 17)."""
    return models.QuerySet.update(queryset, **values)


# --- Finding a person -----------------------------------------------------------------------
def stories_of_person(*, email: str) -> QuerySet[Story]:
    """Every story whose submitter or guardian used this e-mail address (case-insensitive)."""
    email = email.strip()
    if not email:
        return Story.objects.none()
    return (
        Story.objects.filter(
            models.Q(submitter_email__iexact=email) | models.Q(guardian_email__iexact=email)
        )
        .select_related("region", "topic")
        .order_by("created_at", "id")
    )


# --- Related rows in other apps -------------------------------------------------------------
def _foreign_relations() -> list[models.ForeignObjectRel]:
    """Relations from models outside ``stories`` to Story (hidden ones included)."""
    own = {Story, StoryMedia, ConsentRecord, AuditEntry}
    return [
        rel
        for rel in Story._meta.get_fields(include_hidden=True)
        if isinstance(rel, models.ForeignObjectRel) and rel.related_model not in own
    ]


def _scrub_values(model: type[models.Model]) -> dict[str, Any]:
    """Empty values for every free-text and JSON column of ``model``; identifiers stay."""
    values: dict[str, Any] = {}
    keep = KEEP_COLUMNS.get(model._meta.label_lower, set())
    for column in model._meta.concrete_fields:
        if column.primary_key or column.is_relation or column.choices or column.name in keep:
            continue
        if column.name.endswith("_id") or getattr(column, "unique", False):
            continue  # external identifiers (a YouTube video id) are needed to finish a takedown
        if isinstance(column, models.JSONField):
            default = column.get_default()
            values[column.name] = type(default)() if isinstance(default, list | dict) else {}
        elif isinstance(column, models.TextField | models.CharField) and column.blank:
            values[column.name] = ""
    return values


def _related_rows(story: Story) -> Iterator[tuple[models.ForeignObjectRel, QuerySet[Any]]]:
    for rel in _foreign_relations():
        model = rel.related_model
        assert isinstance(model, type)
        yield rel, model._default_manager.filter(**{rel.field.name: story})


# --- Erasure --------------------------------------------------------------------------------
def _storage_keys(story: Story, uploads: Iterable[Upload]) -> set[str]:
    keys: set[str] = set()
    for media in story.media.all():
        keys.update(k for k in (media.master_key, media.preview_key, media.poster_key) if k)
    keys.update(upload.storage_key for upload in uploads if upload.storage_key)
    return keys


def _storage_tree(prefix: str) -> list[str]:
    """Every file under ``prefix`` in media storage (renditions, photos, subtitles)."""
    found: list[str] = []
    try:
        folders, files = default_storage.listdir(prefix)
    except (FileNotFoundError, NotADirectoryError):
        return found
    found.extend(f"{prefix}/{name}" for name in files)
    for folder in folders:
        found.extend(_storage_tree(f"{prefix}/{folder}"))
    return found


def _delete_files(
    story: Story, keys: set[str], uploads: list[Upload], media_ids: list[int]
) -> tuple[list[str], list[str]]:
    deleted: list[str] = []
    keys |= set(_storage_tree(f"stories/{story.public_id}"))
    for upload in uploads:
        keys |= set(_storage_tree(f"uploads/{upload.pk}"))
    for key in sorted(keys):
        if default_storage.exists(key):
            default_storage.delete(key)
            deleted.append(key)
    working: list[str] = []
    for upload in uploads:
        part = upload_working_path(upload_id=upload.pk)
        if part.exists():
            part.unlink(missing_ok=True)
            working.append(str(part))
    for media_id in media_ids:
        workdir = Path(settings.MEDIA_WORK_DIR) / f"media-{media_id}"
        if workdir.exists():
            shutil.rmtree(workdir, ignore_errors=True)
            working.append(str(workdir))
    # Empty folders left behind by FileSystemStorage would still name the story.
    media_root = getattr(default_storage, "location", None)
    if media_root:
        for folder in [Path(media_root) / "stories" / str(story.public_id)] + [
            Path(media_root) / "uploads" / str(u.pk) for u in uploads
        ]:
            shutil.rmtree(folder, ignore_errors=True)
    return deleted, working


def story_erase(*, story: Story, actor: Actor, reason: str = "") -> ErasureReport:
    """Erase a person's data in one story (Art. 17 GDPR); the story becomes ``erased``.

    Personal columns are emptied, media files (renditions, original upload, working files)
    deleted, related rows deleted or scrubbed, and the consent ledger and audit log reduced
    to a minimal proof: purposes, text versions, granted/withdrawn, times and the status
    trail. A video still on YouTube is taken down (by task, after commit). Idempotent: an
    erased story is erased again (files that reappeared are removed).
    """
    report = ErasureReport(story_id=story.pk)
    with transaction.atomic():
        locked = Story.objects.select_for_update().get(pk=story.pk)
        previous = locked.status
        uploads = list(Upload.objects.filter(owner_key=str(locked.public_id)))
        if locked.video_upload_id and all(u.pk != locked.video_upload_id for u in uploads):
            uploads += list(Upload.objects.filter(pk=locked.video_upload_id))
        media_ids = list(locked.media.values_list("pk", flat=True))
        keys = _storage_keys(locked, uploads)

        partner_ref = locked.partner_ref if is_partner_code(locked.partner_ref) else ""
        changes = {**PERSONAL_FIELDS, "partner_ref": partner_ref}
        changes["access_token_hash"] = token_hash(secrets.token_urlsafe(32))  # link stops working
        if previous != S.ERASED:
            story_transition(
                story_id=locked.pk,
                to=S.ERASED,
                action="stories.story.erase",
                actor=actor,
                actor_fallback="system",
                changes=changes,
            )
        else:
            Story.objects.filter(pk=locked.pk).update(**changes)

        StoryMedia.objects.filter(story_id=locked.pk).update(
            master_key="",
            preview_key="",
            poster_key="",
            probe={},
            summary={},
            failure_message="",
            technical_detail="",
            original_deleted_at=timezone.now(),
        )
        for upload in uploads:
            Upload.objects.filter(pk=upload.pk).update(
                state=Upload.State.TERMINATED,
                storage_key="",
                metadata={},
                sha256="",
                sniffed_type="",
                client_ip_hash="",
            )

        for rel, rows in _related_rows(locked):
            label = rel.related_model._meta.label
            if rel.on_delete is models.CASCADE:
                count, _per_model = rows.delete()
                if count:
                    report.related_rows_deleted[label] = count
            else:
                values = _scrub_values(rel.related_model)
                count = rows.update(**values) if values else 0
                if count:
                    report.related_rows_scrubbed[label] = count

        for entry in AuditEntry.objects.filter(story_id=locked.pk).only("pk", "before", "after"):
            _erase_personal_data(
                AuditEntry.objects.filter(pk=entry.pk),
                comment="",
                before={k: v for k, v in entry.before.items() if k in AUDIT_KEEP_KEYS},
                after={k: v for k, v in entry.after.items() if k in AUDIT_KEEP_KEYS},
            )
            report.audit_entries_reduced += 1
        # The consent ledger holds no personal columns (purpose, text version and language,
        # subject, granted, time): it stays whole as the proof of consent and withdrawal.
        audit_record(
            action="stories.privacy.erase",
            story=locked,
            actor=actor,
            actor_fallback="system",
            comment=reason[:200],
            before={"status": previous},
            after={"status": S.ERASED},
        )
        if previous in STATUSES_WITH_VIDEO:
            enqueue_on_commit("workers.tasks.publish.takedown_story", locked.pk)

    # Files go after the rows: a failed transaction must not leave rows pointing at nothing.
    report.files_deleted, report.working_files_deleted = _delete_files(
        locked, keys, uploads, media_ids
    )
    logger.info(
        "story %s erased: %d files, %d working files, related deleted %s, scrubbed %s",
        locked.pk,
        len(report.files_deleted),
        len(report.working_files_deleted),
        report.related_rows_deleted,
        report.related_rows_scrubbed,
    )
    return report


# --- Access (export) ------------------------------------------------------------------------
def _jsonable(value: Any) -> Any:
    if isinstance(value, datetime | date):
        return value.isoformat()
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, dict):
        return {str(k): _jsonable(v) for k, v in value.items()}
    if isinstance(value, list | tuple | set):
        return [_jsonable(v) for v in value]
    if isinstance(value, str | int | float | bool) or value is None:
        return value
    return str(value)


def _row(instance: models.Model) -> dict[str, Any]:
    data: dict[str, Any] = {}
    for column in instance._meta.concrete_fields:
        if column.name == "access_token_hash":
            continue  # a secret of the status link, not information about the person
        data[column.attname] = _jsonable(getattr(instance, column.attname))
    return data


def _zip_file(archive: zipfile.ZipFile, key: str, name: str) -> bool:
    """Stream one stored file into the archive (videos are not recompressed)."""
    if not key or not default_storage.exists(key):
        return False
    info = zipfile.ZipInfo(name, date_time=timezone.localtime().timetuple()[:6])
    info.compress_type = zipfile.ZIP_STORED
    with default_storage.open(key, "rb") as src, archive.open(info, "w", force_zip64=True) as dst:
        shutil.copyfileobj(src, dst, length=1024 * 1024)
    return True


def _export_story(archive: zipfile.ZipFile, story: Story, folder: str) -> None:
    def write(name: str, data: Any) -> None:
        archive.writestr(
            f"{folder}/{name}", json.dumps(data, ensure_ascii=False, indent=2, sort_keys=True)
        )

    story_data = _row(story)
    story_data["status_display"] = str(story.get_status_display())
    story_data["region_name"] = story.region.name if story.region else ""
    story_data["topic_name"] = story.topic.name if story.topic else ""
    story_data["credit_line"] = story.credit_line
    write("story.json", story_data)
    write("consents.json", [_row(c) for c in story.consents.all()])
    write("audit.json", [_row(a) for a in story.audit_entries.all()])
    media = list(story.media.all())
    write("media.json", [_row(m) for m in media])
    uploads = list(Upload.objects.filter(owner_key=str(story.public_id)))
    write("uploads.json", [_row(u) for u in uploads])
    for rel, rows in _related_rows(story):
        label = rel.related_model._meta.label_lower
        found = [_row(r) for r in rows]
        if found:
            write(f"related/{label}.json", found)
    files: list[str] = []
    for item in media:
        for kind, key in (
            ("master", item.master_key),
            ("preview", item.preview_key),
            ("poster", item.poster_key),
        ):
            suffix = Path(key).suffix if key else ""
            name = f"{folder}/files/media-{item.pk}-{kind}{suffix}"
            if _zip_file(archive, key, name):
                files.append(name)
    for upload in uploads:
        name = f"{folder}/files/upload-{upload.pk}-original"
        if _zip_file(archive, upload.storage_key, name):
            files.append(name)
    write("files.json", files)


def person_export(*, email: str, stories: Iterable[Story] | None = None) -> Path:
    """A ZIP of everything stored about the person with this e-mail (Art. 15 GDPR).

    One folder per story: JSON of the story, its consents, audit entries, media, uploads and
    related rows, and the files themselves. Returns the path of a temporary file; the caller
    deletes it. Raises ``LookupError`` when nothing is stored under the address.
    """
    found = list(stories if stories is not None else stories_of_person(email=email))
    if not found:
        raise LookupError(email)
    handle = tempfile.NamedTemporaryFile(prefix="zm-export-", suffix=".zip", delete=False)  # noqa: SIM115
    handle.close()
    path = Path(handle.name)
    with zipfile.ZipFile(path, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        archive.writestr(
            "README.txt",
            f"{settings.CAMPAIGN_NAME}: Auskunft nach Art. 15 DSGVO / access under Art. 15 GDPR\n"
            f"E-Mail: {email}\nErstellt / created: {timezone.now().isoformat()}\n"
            f"Geschichten / stories: {len(found)}\n",
        )
        for story in found:
            _export_story(archive, story, f"story-{story.public_id}")
    return path


def story_export(*, story: Story) -> Path:
    """A ZIP of everything stored about one story's person; see ``person_export``."""
    return person_export(email=story.submitter_email, stories=[story])


def privacy_export_record(*, stories: Iterable[Story], actor: Actor) -> None:
    """Audit that an admin exported the data of these stories."""
    with transaction.atomic():
        for story in stories:
            audit_record(action="stories.privacy.export", story=story, actor=actor)
