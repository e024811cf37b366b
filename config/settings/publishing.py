"""YouTube publishing, the partner kit, the gallery and retention."""

from __future__ import annotations

from .environment import env

# --- YouTube publishing ---
# The defaults talk to Google; `make run` points the API and token URLs at the local stand-in.
YOUTUBE_API_URL = env("YOUTUBE_API_URL", default="https://www.googleapis.com/")
YOUTUBE_TOKEN_URI = env("YOUTUBE_TOKEN_URI", default="https://oauth2.googleapis.com/token")
# The stand-in serves its consent page beside its API; Google's lives on accounts.google.com.
YOUTUBE_AUTH_URI = env(
    "YOUTUBE_AUTH_URI",
    default="https://accounts.google.com/o/oauth2/auth"
    if "googleapis.com" in YOUTUBE_API_URL
    else YOUTUBE_API_URL.rstrip("/") + "/o/oauth2/auth",
)
YOUTUBE_CLIENT_ID = env("YOUTUBE_CLIENT_ID", default="zusammen-mehr-local")
YOUTUBE_CLIENT_SECRET = env("YOUTUBE_CLIENT_SECRET", default="zusammen-mehr-local-secret")
# Fernet key(s) for the stored channel credentials, comma-separated (first encrypts).
# Development derives one from SECRET_KEY; production refuses to work without it.
YOUTUBE_CREDENTIALS_KEY = env("YOUTUBE_CREDENTIALS_KEY", default="")
YOUTUBE_QUOTA_MODEL = env("YOUTUBE_QUOTA_MODEL", default="legacy")  # legacy | buckets
YOUTUBE_DAILY_UNITS = env.int("YOUTUBE_DAILY_UNITS", default=10_000)
YOUTUBE_DAILY_UPLOADS = env.int("YOUTUBE_DAILY_UPLOADS", default=100)
# "Published" means public: a campaign channel exists to be seen. "unlisted" suits a soft
# launch (playable by link and in the gallery); "private" only for a rehearsal nobody watches.
YOUTUBE_PRIVACY = env("YOUTUBE_PRIVACY", default="public")  # public | unlisted | private
# How often the videos' state is read back from YouTube (videos.list, 1 unit per 50 videos).
YOUTUBE_RECONCILE_MINUTES = env.int("YOUTUBE_RECONCILE_MINUTES", default=30)
YOUTUBE_TAKEDOWN_MODE = env("YOUTUBE_TAKEDOWN_MODE", default="private")  # private | delete
# Upload chunk size in MiB (rounded down to YouTube's 256 KiB granularity; 0.25 is the least).
YOUTUBE_CHUNK_MB = env.float("YOUTUBE_CHUNK_MB", default=16)

# --- Partner kit ---
# Logos: file size and the largest width/height accepted (Pillow's bomb guard applies too).
PARTNER_LOGO_MAX_BYTES = env.int("PARTNER_LOGO_MAX_BYTES", default=2 * 1024**2)
PARTNER_LOGO_MAX_SIDE = env.int("PARTNER_LOGO_MAX_SIDE", default=4000)
# An SVG logo is drawn in a child process with this much CPU time (seconds) and memory (MiB);
# registrations per client address, counted in Redis like the form's limits (fails open).
PARTNER_LOGO_RENDER_SECONDS = env.int("PARTNER_LOGO_RENDER_SECONDS", default=10)
PARTNER_LOGO_RENDER_MEMORY_MB = env.int("PARTNER_LOGO_RENDER_MEMORY_MB", default=512)
PARTNER_REGISTER_RATE = env("PARTNER_REGISTER_RATE", default="5/hour")
# A banner gets a QR code only if its QR zone is at least this wide at 1x; print PDFs warn
# when the code (without quiet zone) would print smaller than this many millimetres.
PARTNER_QR_MIN_PX = env.int("PARTNER_QR_MIN_PX", default=60)
PARTNER_QR_MIN_PRINT_MM = env.float("PARTNER_QR_MIN_PRINT_MM", default=20.0)
# Languages of the un-branded material at /partner/material/.
PARTNER_KIT_PUBLIC_LANGUAGES = env.list(
    "PARTNER_KIT_PUBLIC_LANGUAGES", default=["de", "en", "ar", "fa", "uk", "tr"]
)
# Threads rendering one kit inside the worker process (Pillow encodes without the GIL).
PARTNER_KIT_THREADS = env.int("PARTNER_KIT_THREADS", default=2)
PARTNER_INVITATION_DAYS = env.int("PARTNER_INVITATION_DAYS", default=14)

# --- Gallery and privacy ---
# Stories per page of the public gallery at /geschichten/.
GALLERY_PAGE_SIZE = env.int("GALLERY_PAGE_SIZE", default=24)
# The gallery's state (count, last change) is cached under the public version number, which
# every public change bumps; this bounds how late an edit made elsewhere shows (0: no cache).
GALLERY_STATE_SECONDS = env.int("GALLERY_STATE_SECONDS", default=10)
# How long browsers and proxies may keep a poster; a withdrawn story's poster is gone after it.
GALLERY_POSTER_MAX_AGE = env.int("GALLERY_POSTER_MAX_AGE", default=300)
# Newest stories in the RSS/Atom feeds.
GALLERY_FEED_ITEMS = env.int("GALLERY_FEED_ITEMS", default=30)
# Accessibility feedback per client address (Redis, fails open); kept this many days.
GALLERY_FEEDBACK_RATE = env("GALLERY_FEEDBACK_RATE", default="5/hour")
GALLERY_FEEDBACK_RETENTION_DAYS = env.int("GALLERY_FEEDBACK_RETENTION_DAYS", default=365)
# Seconds between sweeps that tell partners about withdrawn stories (and catch up on them).
GALLERY_WITHDRAWAL_SWEEP_SECONDS = env.int("GALLERY_WITHDRAWAL_SWEEP_SECONDS", default=60)
# Retention: unconfirmed drafts and rejected stories are erased after these many days.
RETENTION_UNCONFIRMED_DAYS = env.int("RETENTION_UNCONFIRMED_DAYS", default=7)
RETENTION_REJECTED_DAYS = env.int("RETENTION_REJECTED_DAYS", default=30)
# Originals go once the transcode is verified and the story is published; with this on,
# right after a verified transcode (moderators then review the master instead).
RETENTION_DELETE_ORIGINAL_AFTER_TRANSCODE = env.bool(
    "RETENTION_DELETE_ORIGINAL_AFTER_TRANSCODE", default=False
)
RETENTION_INTERVAL_MINUTES = env.int("RETENTION_INTERVAL_MINUTES", default=60)
