"""Writes for uploads: create, append a chunk, finish, terminate, expire.

Bytes go to a working file under ``UPLOAD_TEMP_DIR`` named by the upload's UUID. The
stored offset only ever advances after the bytes it covers are flushed to disk, so a
dropped connection or a killed worker loses nothing the server has confirmed. While a
PATCH runs it holds an exclusive ``flock`` on the working file: a second writer for the
same upload is refused with 423 instead of interleaving bytes.

Authorisation is by the upload token alone (deny by default): creation hands the token to
the owner app's ``owner_for_token`` (registered in ``hooks``), which answers with the owner it
proves (or None); the upload keeps the token's hash, and every later write or read must
present the same token. Nothing the client names (the ``draft`` metadata of older clients, a
public id) decides ownership.
"""

from __future__ import annotations

import errno
import fcntl
import hashlib
import logging
import os
import uuid
from dataclasses import dataclass
from datetime import datetime, timedelta
from functools import partial
from pathlib import Path
from typing import IO, NoReturn

import filetype
from django.conf import settings
from django.core.files import File
from django.core.files.storage import FileSystemStorage, default_storage, storages
from django.db import transaction
from django.utils import timezone

from . import tus
from .hooks import hooks
from .models import Upload
from .ratelimit import rate_limit_hit
from .selectors import (
    upload_get_owned,
    upload_is_expired,
    upload_token_hash,
    upload_working_path,
)

logger = logging.getLogger(__name__)

BLOCK_SIZE = 1024 * 1024
SNIFF_BYTES = 8192
# What filetype may call a phone video. AVI is accepted as a courtesy to old cameras.
VIDEO_TYPES = frozenset(
    {
        "video/mp4",
        "video/x-m4v",
        "video/quicktime",
        "video/webm",
        "video/x-matroska",
        "video/3gpp",
        "video/x-msvideo",
    }
)
_DISK_FULL = (errno.ENOSPC, errno.EDQUOT)


@dataclass(frozen=True)
class ExpireReport:
    count: int
    bytes_freed: int


class _WorkingFile(File):
    """Lets FileSystemStorage move the finished file instead of copying it.

    Django's FileSystemStorage moves any content that has ``temporary_file_path``;
    other storages (S3) ignore it and stream the open file.
    """

    def __init__(self, file: IO[bytes], path: Path) -> None:
        super().__init__(file, name=path.name)
        self._path = path

    def temporary_file_path(self) -> str:
        return str(self._path)


def client_ip_hash(*, ip: str) -> str:
    """A stable pseudonym for a client address; the raw IP is never stored (GDPR)."""
    return hashlib.sha256(f"{ip}|{settings.SECRET_KEY}".encode()).hexdigest()


def upload_create(
    *,
    length: int,
    metadata: dict[str, str],
    token: str | None,
    client_ip: str,
    now: datetime | None = None,
) -> Upload:
    """Register a new upload of ``length`` bytes for the owner ``token`` proves.

    Raises TooLarge (413), TokenMissing/OwnerRefused (403) and RateLimited (429). Without
    a configured owner validator every creation is refused.
    """
    if length > settings.UPLOAD_MAX_BYTES:
        raise tus.TooLarge(
            f"The file is larger than the limit of {settings.UPLOAD_MAX_BYTES} bytes.",
            extra={"max_size": settings.UPLOAD_MAX_BYTES},
        )
    token = (token or "").strip()
    if not token or len(token) > 256:
        raise tus.TokenMissing(f"Send the draft's upload token in the {tus.TOKEN_HEADER} header.")

    # Counted before the token is checked: guessing tokens costs the same as uploading.
    ip_hash = client_ip_hash(ip=client_ip)
    retry_after = rate_limit_hit(
        scope="upload-create", key=ip_hash, rate=settings.UPLOAD_CREATE_RATE
    )
    if retry_after is not None:
        raise tus.RateLimited(
            "Too many uploads started from this address; please try again later.",
            extra={"retry_after": retry_after},
            headers={"Retry-After": str(retry_after)},
        )

    validator = hooks.owner_for_token
    owner_key = validator(token) if validator is not None else None
    if not owner_key or len(owner_key) > 128:
        raise tus.OwnerRefused("The upload token is unknown, or its draft is closed.")
    metadata = {key: value for key, value in metadata.items() if key != "draft"}

    now = now or timezone.now()
    upload = Upload(
        owner_key=owner_key,
        token_hash=upload_token_hash(token),
        length=length,
        metadata=metadata,
        client_ip_hash=ip_hash,
        created_at=now,
        expires_at=now + timedelta(hours=settings.UPLOAD_EXPIRY_HOURS),
    )
    path = upload_working_path(upload_id=upload.id)
    path.parent.mkdir(parents=True, exist_ok=True)
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    os.close(fd)
    try:
        upload.save(force_insert=True)
    except BaseException:
        path.unlink(missing_ok=True)
        raise
    if length == 0:
        _upload_reject(upload_id=upload.id, code="empty", sniffed_type="")
        upload.refresh_from_db()
    return upload


def _check_writable(upload: Upload, *, offset: int, content_length: int) -> None:
    if upload.state == Upload.State.TERMINATED:
        raise tus.UploadNotFound("There is no such upload.")
    if upload_is_expired(upload=upload):
        raise tus.UploadGone("The upload has expired; please start again.")
    if offset != upload.offset:
        raise tus.OffsetConflict(
            f"Upload-Offset {offset} does not match the server's offset {upload.offset}.",
            extra={"offset": upload.offset},
        )
    if offset + content_length > upload.length:
        raise tus.TooLarge(
            "The request carries more bytes than the upload declared.",
            extra={"length": upload.length, "offset": upload.offset},
        )


def _write_all(fh: IO[bytes], block: bytes) -> int:
    """Write ``block`` with unbuffered writes; returns bytes written before any error.

    On an error the count written so far is attached to the exception as ``written``.
    """
    view = memoryview(block)
    written = 0
    while written < len(block):
        try:
            count = fh.write(view[written:])
        except OSError as exc:
            exc.written = written  # type: ignore[attr-defined]
            raise
        written += count or 0
    return written


def _advance(upload_id: uuid.UUID, *, old: int, new: int) -> None:
    Upload.objects.filter(pk=upload_id, offset=old, state=Upload.State.RECEIVING).update(
        offset=new, updated_at=timezone.now()
    )


def upload_append(
    *,
    upload_id: uuid.UUID,
    token: str | None,
    offset: int,
    content_length: int,
    stream: IO[bytes],
    checksum: tus.Checksum | None = None,
) -> Upload:
    """Append up to ``content_length`` bytes from ``stream`` at ``offset`` (a tus PATCH).

    Reads in 1 MiB blocks. A body that ends early keeps what arrived (unless a checksum
    was sent: an incomplete chunk cannot be verified and is discarded). The upload is
    finished when the last byte arrives.

    Raises UploadNotFound (404, also for a token that is not the upload's), UploadGone
    (410), OffsetConflict (409), TooLarge (413), ChecksumMismatch (460), UploadLocked (423)
    and InsufficientStorage (507).
    """
    upload = upload_get_owned(upload_id=upload_id, token=token)
    if upload is None:
        raise tus.UploadNotFound("There is no such upload.")
    _check_writable(upload, offset=offset, content_length=content_length)
    if upload.state != Upload.State.RECEIVING:
        return upload  # finished: an empty PATCH at the final offset is a harmless repeat

    path = upload_working_path(upload_id=upload_id)
    try:
        fh = open(path, "r+b", buffering=0)  # noqa: SIM115 - closed below; holds the lock
    except FileNotFoundError:
        return _recover_lost_file(upload_id)
    with fh:
        try:
            fcntl.flock(fh.fileno(), fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError as exc:
            raise tus.UploadLocked("Another request is writing to this upload.") from exc
        upload.refresh_from_db()  # the row may have moved on while we waited for the lock
        _check_writable(upload, offset=offset, content_length=content_length)
        if upload.state != Upload.State.RECEIVING:
            return upload
        if os.fstat(fh.fileno()).st_size < upload.offset:
            return _recover_lost_file(upload_id, size=os.fstat(fh.fileno()).st_size)
        _receive(fh, upload, stream=stream, content_length=content_length, checksum=checksum)
        upload.refresh_from_db()
        if upload.offset == upload.length and upload.state == Upload.State.RECEIVING:
            _upload_finish(upload=upload, fh=fh, path=path)
            upload.refresh_from_db()
    return upload


def _recover_lost_file(upload_id: uuid.UUID, *, size: int = 0) -> Upload:
    """The working file is missing or shorter than the stored offset (temp dir wiped):
    fall back to what is really on disk and let the client resume from there."""
    path = upload_working_path(upload_id=upload_id)
    path.parent.mkdir(parents=True, exist_ok=True)
    with open(path, "ab"):
        pass
    Upload.objects.filter(pk=upload_id, state=Upload.State.RECEIVING).update(offset=size)
    logger.error("upload %s: working file lost, offset reset to %d", upload_id, size)
    raise tus.OffsetConflict(
        "The server lost part of this upload; please resume from the current offset.",
        extra={"offset": size},
    )


def _receive(
    fh: IO[bytes],
    upload: Upload,
    *,
    stream: IO[bytes],
    content_length: int,
    checksum: tus.Checksum | None,
) -> None:
    start = upload.offset
    fh.truncate(start)  # drop bytes a crashed request wrote beyond the confirmed offset
    fh.seek(start)
    hasher = checksum.new_hasher() if checksum else None
    checkpoint_every = settings.UPLOAD_CHECKPOINT_BYTES
    position = checkpoint = start
    remaining = content_length
    while remaining:
        try:
            block = stream.read(min(BLOCK_SIZE, remaining))
        except OSError as exc:  # the client went away (reset, timeout, short body)
            logger.info("upload %s: body ended early: %s", upload.id, exc)
            break
        if not block:
            break
        try:
            _write_all(fh, block)
        except OSError as exc:
            position += getattr(exc, "written", 0)
            if exc.errno not in _DISK_FULL:
                raise
            _disk_full(
                fh, upload, confirmed=checkpoint, position=position, discard=hasher is not None
            )
        position += len(block)
        remaining -= len(block)
        if hasher is not None:
            hasher.update(block)
        elif checkpoint_every and position - checkpoint >= checkpoint_every and remaining:
            # Long PATCHes confirm progress as they go, so a killed worker loses little.
            os.fsync(fh.fileno())
            _advance(upload.id, old=checkpoint, new=position)
            checkpoint = position

    if (
        hasher is not None
        and checksum is not None
        and (remaining or hasher.digest() != checksum.digest)
    ):
        fh.truncate(start)
        raise tus.ChecksumMismatch(
            "The chunk does not match its checksum and was discarded.",
            extra={"offset": start},
        )
    if remaining:
        logger.info(
            "upload %s: kept %d of %d bytes of a short PATCH",
            upload.id,
            position - start,
            content_length,
        )
    os.fsync(fh.fileno())
    _advance(upload.id, old=checkpoint, new=position)


def _disk_full(
    fh: IO[bytes], upload: Upload, *, confirmed: int, position: int, discard: bool
) -> NoReturn:
    """Keep what reached the disk, confirm it, and tell the client to come back later."""
    keep = confirmed if discard else position
    try:
        fh.truncate(keep)
        os.fsync(fh.fileno())
        _advance(upload.id, old=confirmed, new=keep)
    except OSError:
        logger.exception("upload %s: could not confirm bytes after disk full", upload.id)
        keep = confirmed
    logger.error("upload %s: disk full at offset %d", upload.id, keep)
    raise tus.InsufficientStorage(
        "The server is out of disk space. Your upload is kept; please try again later.",
        extra={"offset": keep},
    )


def _sniff(fh: IO[bytes]) -> str:
    head = os.pread(fh.fileno(), SNIFF_BYTES, 0)
    kind = filetype.guess(head)
    return kind.mime if kind else ""


def _upload_finish(*, upload: Upload, fh: IO[bytes], path: Path) -> None:
    """All bytes arrived: check the real type, then store the file or reject it."""
    sniffed = _sniff(fh)
    if sniffed not in VIDEO_TYPES:
        _upload_reject(upload_id=upload.id, code="not_a_video", sniffed_type=sniffed)
        return

    digest = hashlib.sha256()
    fh.seek(0)
    while block := fh.read(BLOCK_SIZE):
        digest.update(block)
    fh.seek(0)
    key = f"uploads/{upload.id}/original"
    storage = storages["default"]
    if isinstance(storage, FileSystemStorage):
        stored = storage.save(key, _WorkingFile(fh, path))  # a rename when on one disk
    else:
        stored = storage.save(key, File(fh, name=path.name))  # streamed, e.g. to S3
    path.unlink(missing_ok=True)

    with transaction.atomic():
        row = Upload.objects.select_for_update().get(pk=upload.id)
        if row.state != Upload.State.RECEIVING:  # terminated meanwhile
            default_storage.delete(stored)
            return
        row.state = Upload.State.COMPLETED
        row.storage_key = stored
        row.sha256 = digest.hexdigest()
        row.sniffed_type = sniffed
        row.completed_at = timezone.now()
        row.save(
            update_fields=[
                "state",
                "storage_key",
                "sha256",
                "sniffed_type",
                "completed_at",
                "updated_at",
            ]
        )
        on_complete = hooks.on_complete
        if on_complete is not None:
            transaction.on_commit(partial(on_complete, row.id))


def _upload_reject(*, upload_id: uuid.UUID, code: str, sniffed_type: str) -> None:
    with transaction.atomic():
        row = Upload.objects.select_for_update().get(pk=upload_id)
        if row.state != Upload.State.RECEIVING:
            return
        row.state = Upload.State.REJECTED
        row.rejection_reason = code
        row.sniffed_type = sniffed_type
        row.save(update_fields=["state", "rejection_reason", "sniffed_type", "updated_at"])
    upload_working_path(upload_id=upload_id).unlink(missing_ok=True)
    logger.info("upload %s rejected: %s (%s)", upload_id, code, sniffed_type or "unknown type")


def _try_lock(path: Path) -> IO[bytes] | None:
    """Open and lock the working file; None if it does not exist. Raises UploadLocked."""
    try:
        fh = open(path, "rb")  # noqa: SIM115 - the caller closes it
    except FileNotFoundError:
        return None
    try:
        fcntl.flock(fh.fileno(), fcntl.LOCK_EX | fcntl.LOCK_NB)
    except BlockingIOError as exc:
        fh.close()
        raise tus.UploadLocked("Another request is writing to this upload.") from exc
    return fh


def upload_terminate(*, upload_id: uuid.UUID, token: str | None) -> None:
    """Cancel an upload (tus DELETE): remove its bytes wherever they are.

    Raises UploadNotFound (404, also for a token that is not the upload's), UploadGone
    (410), UploadInUse (409: a story's video now, only the story's own services may drop
    it) and UploadLocked (423).
    """
    upload = upload_get_owned(upload_id=upload_id, token=token)
    if upload is None or upload.state == Upload.State.TERMINATED:
        raise tus.UploadNotFound("There is no such upload.")
    in_use = hooks.in_use
    if in_use is not None and in_use(upload_id):
        raise tus.UploadInUse("This upload is a story's video now and cannot be deleted.")
    if upload_is_expired(upload=upload):
        raise tus.UploadGone("The upload has expired.")
    path = upload_working_path(upload_id=upload_id)
    lock = _try_lock(path)
    try:
        with transaction.atomic():
            row = Upload.objects.select_for_update().get(pk=upload_id)
            if row.state == Upload.State.TERMINATED:
                raise tus.UploadNotFound("There is no such upload.")
            stored = row.storage_key
            row.state = Upload.State.TERMINATED
            row.storage_key = ""
            row.save(update_fields=["state", "storage_key", "updated_at"])
        path.unlink(missing_ok=True)
        if stored:
            default_storage.delete(stored)
    finally:
        if lock is not None:
            lock.close()


def uploads_expire(*, now: datetime | None = None) -> ExpireReport:
    """Mark unfinished uploads past their expiry as expired and delete their working files.

    An upload that is being written to right now is left for the next run.
    """
    now = now or timezone.now()
    count = freed = 0
    due = Upload.objects.filter(state=Upload.State.RECEIVING, expires_at__lte=now)
    for upload_id in due.values_list("pk", flat=True):
        path = upload_working_path(upload_id=upload_id)
        try:
            lock = _try_lock(path)
        except tus.UploadLocked:
            continue
        try:
            with transaction.atomic():
                row = Upload.objects.select_for_update().get(pk=upload_id)
                if row.state != Upload.State.RECEIVING or row.expires_at > now:
                    continue
                row.state = Upload.State.EXPIRED
                row.save(update_fields=["state", "updated_at"])
            if lock is not None:
                freed += os.fstat(lock.fileno()).st_size
            path.unlink(missing_ok=True)
            count += 1
        finally:
            if lock is not None:
                lock.close()
    if count:
        logger.info("expired %d uploads, freed %d bytes", count, freed)
    return ExpireReport(count=count, bytes_freed=freed)
