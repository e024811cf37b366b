"""Media storage, static files, uploads and the submission form."""

from __future__ import annotations

from pathlib import Path

from .environment import BASE_DIR, VAR_DIR, env

# --- Media storage ----------------------------------------------------------
MEDIA_ROOT = Path(env("MEDIA_ROOT", default=str(VAR_DIR / "media")))
MEDIA_URL = "/media/"
MEDIA_WORK_DIR = Path(env("MEDIA_WORK_DIR", default=str(VAR_DIR / "work")))
# Behind nginx: the prefix of an ``internal`` location that serves MEDIA_ROOT, so permission-
# checked views answer with X-Accel-Redirect instead of streaming the file through Django.
MEDIA_X_ACCEL_PREFIX = env("MEDIA_X_ACCEL_PREFIX", default="")
# On S3 storage, permission-checked views redirect to a short-lived signed URL.
MEDIA_S3_SIGNED_REDIRECT = env.bool("MEDIA_S3_SIGNED_REDIRECT", default=True)
MEDIA_STORAGE = env("MEDIA_STORAGE", default="local")  # "local" or "s3"
MEDIA_MAX_DURATION_SECONDS = env.int("MEDIA_MAX_DURATION_SECONDS", default=300)
MEDIA_X264_PRESET = env("MEDIA_X264_PRESET", default="medium")
# Campaign branding on the YouTube master (the moderators' preview stays plain): intro and
# outro cards in the campaign colour with the claim and logo, a corner mark, the chosen
# credit as a lower third; subtitles stay a separate YouTube track unless burnt in.
MEDIA_BRANDING = env.bool("MEDIA_BRANDING", default=False)
MEDIA_BRANDING_COLOUR = env("MEDIA_BRANDING_COLOUR", default="#0b4f8a")
MEDIA_BRANDING_LOGO = env("MEDIA_BRANDING_LOGO", default="")
MEDIA_BRANDING_LOWER_THIRD = env.bool("MEDIA_BRANDING_LOWER_THIRD", default=True)
MEDIA_BRANDING_OUTRO_TEXT = env("MEDIA_BRANDING_OUTRO_TEXT", default="")
MEDIA_BURN_SUBTITLES = env.bool("MEDIA_BURN_SUBTITLES", default=False)
STATIC_URL = "/static/"
STATIC_ROOT = VAR_DIR / "staticfiles"
STATICFILES_DIRS = [BASE_DIR / "static"]

if MEDIA_STORAGE == "s3":
    _media_backend = {
        "BACKEND": "storages.backends.s3.S3Storage",
        "OPTIONS": {
            "bucket_name": env("S3_BUCKET", default="zusammen-mehr"),
            "endpoint_url": env("S3_ENDPOINT_URL", default=None),
            "access_key": env("S3_ACCESS_KEY_ID", default=None),
            "secret_key": env("S3_SECRET_ACCESS_KEY", default=None),
            "region_name": env("S3_REGION", default="eu-central-1"),
            "default_acl": None,
            "file_overwrite": False,
            "querystring_auth": True,
            # Unpublished media is only ever reached through short-lived signed URLs.
            "querystring_expire": env.int("S3_SIGNED_URL_SECONDS", default=300),
            "addressing_style": "path",
        },
    }
else:
    _media_backend = {
        "BACKEND": "django.core.files.storage.FileSystemStorage",
        "OPTIONS": {"location": str(MEDIA_ROOT), "base_url": MEDIA_URL},
    }
STORAGES = {
    "default": _media_backend,
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedStaticFilesStorage"},
}

# --- Uploads ----------------------------------------------------------------
# Unfinished tus uploads are written here, one file per upload named by its UUID.
UPLOAD_TEMP_DIR = Path(env("UPLOAD_TEMP_DIR", default=str(VAR_DIR / "uploads")))
UPLOAD_MAX_BYTES = env.int("UPLOAD_MAX_BYTES", default=2 * 1024**3)
# An unfinished upload expires this long after it was created (not after the last chunk).
UPLOAD_EXPIRY_HOURS = env.int("UPLOAD_EXPIRY_HOURS", default=24)
# Upload creations per client address, counted in Redis; fails open when Redis is down.
UPLOAD_CREATE_RATE = env("UPLOAD_CREATE_RATE", default="30/hour")
# A long PATCH confirms its progress every this many bytes (0: only at the end).
UPLOAD_CHECKPOINT_BYTES = env.int("UPLOAD_CHECKPOINT_BYTES", default=16 * 1024**2)

# --- Submission form ---
# Drafts started and stories sent per client address, counted in Redis; fails open.
FORM_DRAFT_RATE = env("FORM_DRAFT_RATE", default="30/hour")
FORM_SUBMIT_RATE = env("FORM_SUBMIT_RATE", default="20/hour")
# Requests for a fresh status link (/status/link-anfordern/) per client address.
STATUS_LINK_REQUEST_RATE = env("STATUS_LINK_REQUEST_RATE", default="5/hour")
# Bytes per tus PATCH from the form: small enough that a dropped mobile connection loses little.
FORM_UPLOAD_CHUNK_BYTES = env.int("FORM_UPLOAD_CHUNK_BYTES", default=2 * 1024**2)
