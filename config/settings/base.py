"""Settings shared by every environment.

Every value comes from the environment through the one ``env`` object below, with a
safe default for development where one exists. ``.env.example`` lists every variable.
"""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

import environ
from django.utils.translation import gettext_lazy as _

BASE_DIR = Path(__file__).resolve().parent.parent.parent

env = environ.Env()
_env_file = BASE_DIR / ".env"
if _env_file.is_file():
    env.read_env(str(_env_file))
# Everything the running product writes locally (SQLite, media, Redis data, logs).
VAR_DIR = Path(env("VAR_DIR", default=str(BASE_DIR / "var")))

# --- Core -------------------------------------------------------------------
DEBUG = env.bool("DJANGO_DEBUG", default=False)
SECRET_KEY = env("DJANGO_SECRET_KEY", default="")
ALLOWED_HOSTS: list[str] = env.list("DJANGO_ALLOWED_HOSTS", default=["localhost", "127.0.0.1"])
CSRF_TRUSTED_ORIGINS: list[str] = env.list("DJANGO_CSRF_TRUSTED_ORIGINS", default=[])
SITE_URL = env("SITE_URL", default="http://127.0.0.1:8000").rstrip("/")

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "rest_framework",
    "knox",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "stories",
    "stories.uploads",
    "moderation",
    "publishing.youtube",
    "publishing.partners",
    "publishing.gallery",
    "django.contrib.sitemaps",
    "workers",
]

MIDDLEWARE = [
    "config.proxy.TrustedProxyMiddleware",  # first: real client address and scheme
    "django.middleware.security.SecurityMiddleware",
    "django_permissions_policy.PermissionsPolicyMiddleware",
    "config.security.PrivateNoStoreMiddleware",
    "config.observability.RequestIdMiddleware",
    "config.cache.PublicPageCacheMiddleware",
    "csp.middleware.CSPMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
]

ROOT_URLCONF = "config.urls"
WSGI_APPLICATION = "config.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "stories.context_processors.campaign",
            ],
        },
    },
]

# --- Reverse proxy ----------------------------------------------------------
# Addresses/networks of the reverse proxies (nginx) in front of gunicorn. Only from these
# peers are X-Forwarded-For (the client address every rate limit and lockout reads) and
# X-Forwarded-Proto (request.is_secure()) believed; from anyone else they are removed.
# Empty: nobody is trusted. See config/proxy.py.
TRUSTED_PROXIES: list[str] = env.list("TRUSTED_PROXIES", default=[])

# --- Browser security -------------------------------------------------------
# No inline script anywhere: pages load their JavaScript from /static/ and pass data in
# data-* attributes or json_script. Video embeds come only from youtube-nocookie.com and
# only after a click (the gallery's two-click embed).
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": ["'self'"],
        "script-src": ["'self'"],
        "style-src": ["'self'"],
        "img-src": ["'self'", "data:", "blob:"],
        "media-src": ["'self'", "blob:"],
        "font-src": ["'self'"],
        "connect-src": ["'self'"],
        "frame-src": ["https://www.youtube-nocookie.com"],
        "object-src": ["'none'"],
        "base-uri": ["'self'"],
        "form-action": ["'self'"],
        "frame-ancestors": ["'none'"],
    }
}
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "strict-origin-when-cross-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
# Every browser feature the product does not use is denied. The form's video preview and the
# gallery's YouTube embed (two-click, youtube-nocookie.com) may go full screen; the embed may
# also autoplay after the click, play protected media and picture-in-picture.
_EMBED = "https://www.youtube-nocookie.com"  # the library quotes origins
PERMISSIONS_POLICY: dict[str, list[str]] = {
    **{
        feature: []
        for feature in (
            "accelerometer",
            "ambient-light-sensor",
            "bluetooth",
            "browsing-topics",
            "camera",
            "display-capture",
            "geolocation",
            "gyroscope",
            "hid",
            "idle-detection",
            "interest-cohort",
            "local-fonts",
            "magnetometer",
            "microphone",
            "midi",
            "payment",
            "publickey-credentials-get",
            "screen-wake-lock",
            "serial",
            "usb",
            "xr-spatial-tracking",
        )
    },
    "autoplay": ["self", _EMBED],
    "encrypted-media": ["self", _EMBED],
    "fullscreen": ["self", _EMBED],
    "picture-in-picture": ["self", _EMBED],
}
# Answers under these paths are never stored by browsers or proxies (config/security.py);
# neither is anything a signed-in user or a bearer of an Authorization header receives.
PRIVATE_PATH_PREFIXES = [
    "/admin/",
    "/moderation/",
    "/publishing/",
    "/betrieb/",
    "/api/v1/moderation/",
    "/api/v1/publishing/",
    "/api/v1/partners/",
    "/api/v1/stories/mine/",
    "/api/v1/me/",
    "/status/",
    "/bestaetigen/",
    "/einverstaendnis/",
    "/mitmachen/",
    "/partner/einladung/",
    "/partner/login/",
    "/metrics",
    "/readyz",
]
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
CSRF_COOKIE_SAMESITE = "Lax"

# --- Database ---------------------------------------------------------------
DATABASES = {
    "default": env.db_url("DATABASE_URL", default=f"sqlite:///{VAR_DIR / 'db.sqlite3'}"),
}
DATABASES["default"]["ATOMIC_REQUESTS"] = False
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    _db_name = str(DATABASES["default"]["NAME"])
    if _db_name not in ("", ":memory:") and not _db_name.startswith("file:"):
        Path(_db_name).parent.mkdir(parents=True, exist_ok=True)
    # Web, worker and beat share one file: WAL lets readers run beside the writer, and
    # IMMEDIATE transactions queue writers instead of failing with "database is locked".
    DATABASES["default"]["OPTIONS"] = {
        "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
        "transaction_mode": "IMMEDIATE",
        "timeout": 30,
    }
else:
    DATABASES["default"]["CONN_MAX_AGE"] = env.int("DATABASE_CONN_MAX_AGE", default=60)
    DATABASES["default"]["CONN_HEALTH_CHECKS"] = True
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# --- Redis and Celery -------------------------------------------------------
REDIS_URL = env("REDIS_URL", default="redis://127.0.0.1:6380/0")

# The longest hard time limit of any task (a 5-minute clip transcoded at worst speed).
# Redis redelivers an unacknowledged task after the visibility timeout, so it must be
# longer than any task may run, or a long task would be started twice.
CELERY_LONGEST_HARD_LIMIT = env.int("CELERY_LONGEST_HARD_LIMIT", default=3 * 3600)
CELERY_BROKER_URL = env("CELERY_BROKER_URL", default=REDIS_URL)
CELERY_RESULT_BACKEND = None  # the database is the source of truth for job state
CELERY_TASK_IGNORE_RESULT = True
CELERY_ACCEPT_CONTENT = ["json"]
CELERY_TASK_SERIALIZER = "json"
CELERY_RESULT_SERIALIZER = "json"
CELERY_TIMEZONE = "Europe/Berlin"
CELERY_ENABLE_UTC = True
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_TASK_TIME_LIMIT = env.int("CELERY_TASK_TIME_LIMIT", default=600)
CELERY_TASK_SOFT_TIME_LIMIT = env.int("CELERY_TASK_SOFT_TIME_LIMIT", default=540)
CELERY_BROKER_TRANSPORT_OPTIONS = {
    "visibility_timeout": CELERY_LONGEST_HARD_LIMIT + 3600,
    "socket_connect_timeout": 5,
    "socket_timeout": 30,
}
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
# A web request must not hang on a dead broker: give up quickly, the reconciler re-sends.
CELERY_TASK_PUBLISH_RETRY_POLICY = {
    "max_retries": 2,
    "interval_start": 0,
    "interval_step": 0.5,
    "interval_max": 1,
}
CELERY_WORKER_SEND_TASK_EVENTS = True
# With JSON logs the workers log through Django's LOGGING, ids included.
CELERY_WORKER_HIJACK_ROOT_LOGGER = env("LOG_FORMAT", default="plain") != "json"
CELERY_TASK_SEND_SENT_EVENT = True
CELERY_RECONCILE_INTERVAL = env.int("CELERY_RECONCILE_INTERVAL", default=60)
CELERY_HEARTBEAT_INTERVAL = env.int("CELERY_HEARTBEAT_INTERVAL", default=30)
# A job counts as stuck when its row says "queued" or "running" for longer than this.
JOB_STUCK_AFTER = env.int("JOB_STUCK_AFTER", default=15 * 60)
# A failed partner kit says so on its page; a visit after this long asks for it again.
KIT_RETRY_AFTER = env.int("KIT_RETRY_AFTER", default=5 * 60)

# --- Cache ------------------------------------------------------------------
# Shared by every process through Redis; an unreachable Redis only costs speed.
CACHES = {
    "default": {
        "BACKEND": "config.cache.ResilientRedisCache",
        "LOCATION": env("CACHE_URL", default=REDIS_URL),
        "KEY_PREFIX": "zm",
        "TIMEOUT": 300,
        "OPTIONS": {"socket_connect_timeout": 1, "socket_timeout": 1},
    }
}
# Anonymous visits of these public pages are answered from the cache for this many seconds
# (0 turns it off); any change a visitor could see invalidates them at once.
PUBLIC_PAGE_CACHE_SECONDS = env.int("PUBLIC_PAGE_CACHE_SECONDS", default=60)
PUBLIC_PAGE_CACHE_PATHS = [
    "/geschichten/",
    "/impressum/",
    "/datenschutz/",
    "/barrierefreiheit/",
    "/leichte-sprache/",
    "/sitemap.xml",
]

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

# --- E-mail -----------------------------------------------------------------
vars().update(env.email_url("EMAIL_URL", default="consolemail://"))
DEFAULT_FROM_EMAIL = env("DEFAULT_FROM_EMAIL", default="ZUSAMMEN. MEHR. <noreply@localhost>")
SERVER_EMAIL = DEFAULT_FROM_EMAIL

# --- Internationalisation ---------------------------------------------------
LANGUAGE_CODE = "de"
LANGUAGE_COOKIE_AGE = 365 * 24 * 3600
LANGUAGES = [
    ("de", _("Deutsch")),
    ("en", _("English")),
    ("ar", _("العربية")),
    ("fa", _("فارسی")),
    ("uk", _("Українська")),
    ("tr", _("Türkçe")),
]
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = "Europe/Berlin"
USE_I18N = True
USE_TZ = True

# --- Auth -------------------------------------------------------------------
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "/admin/login/"
# Sign-in lockout (django-axes, config/auth.py): failures are counted per (username, client
# address) and per address, in the shared cache; never per username alone.
INSTALLED_APPS += ["axes"]
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]
MIDDLEWARE += ["axes.middleware.AxesMiddleware"]
# Failed sign-ins for one name from one address before that pair is locked.
LOGIN_MAX_FAILURES = env.int("LOGIN_MAX_FAILURES", default=5)
# Failed sign-ins from one address (any names) before the address is locked.
LOGIN_ADDRESS_MAX_FAILURES = env.int("LOGIN_ADDRESS_MAX_FAILURES", default=30)
# The first lock lasts this long; each further lock of the same pair or address within a day
# doubles it, up to LOGIN_LOCKOUT_MAX_SECONDS.
LOGIN_LOCKOUT_SECONDS = env.int("LOGIN_LOCKOUT_SECONDS", default=300)
LOGIN_LOCKOUT_MAX_SECONDS = env.int("LOGIN_LOCKOUT_MAX_SECONDS", default=4 * 3600)
AXES_HANDLER = "config.auth.PairAndAddressCacheHandler"
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"], "ip_address"]
AXES_FAILURE_LIMIT = LOGIN_MAX_FAILURES
AXES_COOLOFF_TIME = "config.auth.cool_off"
AXES_CLIENT_IP_CALLABLE = "config.auth.client_ip"
AXES_LOCKOUT_CALLABLE = "config.auth.lockout_response"
AXES_RESET_COOL_OFF_ON_FAILURE_DURING_LOCKOUT = False
AXES_RESET_ON_SUCCESS = False  # the handler forgets the pair's failures itself
AXES_ENABLE_ADMIN = False  # the cache handler keeps no rows to show
AXES_DISABLE_ACCESS_LOG = True
AXES_VERBOSE = False  # no banner on every process start

# --- API --------------------------------------------------------------------
REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "rest_framework.authentication.SessionAuthentication",
        "moderation.tokens.ScopedTokenAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticated"],
    "DEFAULT_SCHEMA_CLASS": "config.schema.AutoSchema",
    "EXCEPTION_HANDLER": "config.api.exception_handler",
    "DEFAULT_PAGINATION_CLASS": "rest_framework.pagination.LimitOffsetPagination",
    "PAGE_SIZE": 50,
}
SPECTACULAR_SETTINGS = {
    "TITLE": "ZUSAMMEN. MEHR. API",
    "DESCRIPTION": "Submit integration success stories, moderate them and publish them.",
    "VERSION": "1.0.0",
    "SERVE_INCLUDE_SCHEMA": False,
    "COMPONENT_SPLIT_REQUEST": True,
    # Swagger UI is served from this server, never from a CDN.
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
}

# --- Campaign ---------------------------------------------------------------
CAMPAIGN_NAME = env("CAMPAIGN_NAME", default="ZUSAMMEN. MEHR.")
CAMPAIGN_ALLIANCE = env("CAMPAIGN_ALLIANCE", default="Niedersachsen packt an")

# --- Logging ----------------------------------------------------------------
LOG_LEVEL = env("LOG_LEVEL", default="INFO")
LOG_FORMAT = env("LOG_FORMAT", default="plain")  # "json" in production: one object per line
# Bearer token for /metrics and for the details of /readyz; empty: /metrics answers 404.
METRICS_TOKEN = env("METRICS_TOKEN", default="")
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {
        "plain": {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"},
        "json": {"()": "config.observability.JsonFormatter"},
    },
    # Private tokens never reach a log line (config.observability.RedactingFilter).
    "filters": {"redact": {"()": "config.observability.RedactingFilter"}},
    "handlers": {
        "console": {
            "class": "logging.StreamHandler",
            "formatter": LOG_FORMAT,
            "filters": ["redact"],
        }
    },
    "root": {"handlers": ["console"], "level": LOG_LEVEL},
    "loggers": {
        "django.db.backends": {"level": "WARNING"},
        # Django's own handlers (runserver's access log, DEBUG console) bypass the filter:
        # route its loggers through ours.
        "django": {"handlers": ["console"], "level": LOG_LEVEL, "propagate": False},
        "django.server": {"handlers": ["console"], "level": "INFO", "propagate": False},
    },
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
# drf-spectacular leaves HEAD out of the schema; the tus endpoint needs it documented.
SPECTACULAR_SETTINGS["PREPROCESSING_HOOKS"] = [
    *list(SPECTACULAR_SETTINGS.get("PREPROCESSING_HOOKS", [])),  # type: ignore[call-overload]
    "stories.uploads.views.spectacular_add_head_endpoints",
]

# --- Submission form ---
# Drafts started and stories sent per client address, counted in Redis; fails open.
FORM_DRAFT_RATE = env("FORM_DRAFT_RATE", default="30/hour")
FORM_SUBMIT_RATE = env("FORM_SUBMIT_RATE", default="20/hour")
# Requests for a fresh status link (/status/link-anfordern/) per client address.
STATUS_LINK_REQUEST_RATE = env("STATUS_LINK_REQUEST_RATE", default="5/hour")
# Bytes per tus PATCH from the form: small enough that a dropped mobile connection loses little.
FORM_UPLOAD_CHUNK_BYTES = env.int("FORM_UPLOAD_CHUNK_BYTES", default=2 * 1024**2)

# --- Moderation ---
INSTALLED_APPS += [
    "django_otp",
    "django_otp.plugins.otp_totp",
    "django_otp.plugins.otp_static",  # recovery codes
]
# django-otp marks a session verified; our middleware then sends staff without a verified
# device to the TOTP set-up/verify page when the second factor is required.
MIDDLEWARE.insert(
    MIDDLEWARE.index("django.contrib.auth.middleware.AuthenticationMiddleware") + 1,
    "django_otp.middleware.OTPMiddleware",
)
MIDDLEWARE.insert(
    MIDDLEWARE.index("django_otp.middleware.OTPMiddleware") + 1,
    "moderation.middleware.TwoFactorMiddleware",
)
OTP_TOTP_ISSUER = CAMPAIGN_NAME
# --- Staff authentication: API tokens, second-factor enrolment, session lifetime ---
# Integration tokens (django-rest-knox): "Authorization: Token <key>", read-only unless
# granted write, issued only from a session with a verified second factor.
KNOX_TOKEN_MODEL = "moderation.IntegrationToken"  # noqa: S105 - a model, not a secret
# knox's own migrations create its default token table even when the model is swapped (and
# that table's foreign key to auth_user blocks PostgreSQL's flush): our model has its own.
MIGRATION_MODULES = {"knox": None}
API_TOKEN_TTL_DAYS = env.int("API_TOKEN_TTL_DAYS", default=90)
REST_KNOX = {
    "TOKEN_TTL": timedelta(days=API_TOKEN_TTL_DAYS),
    "AUTH_HEADER_PREFIX": "Token",
    "TOKEN_PREFIX": "zm_",
    "AUTO_REFRESH": False,
}
# A first second-factor device is enrolled only through a link mailed to the staff member;
# it expires after this many minutes (and once any device is confirmed).
MODERATION_ENROLMENT_LINK_MINUTES = env.int("MODERATION_ENROLMENT_LINK_MINUTES", default=60)
# Staff sessions end this many hours after sign-in; visitors' sessions are unaffected.
STAFF_SESSION_HOURS = env.int("STAFF_SESSION_HOURS", default=12)
MODERATION_REQUIRE_2FA = env.bool("MODERATION_REQUIRE_2FA", default=False)
# A claim on a story lapses after this many minutes without activity by its holder.
MODERATION_CLAIM_MINUTES = env.int("MODERATION_CLAIM_MINUTES", default=30)
# The digest names stories waiting longer than this many days; it goes out this often.
MODERATION_WAITING_DAYS = env.int("MODERATION_WAITING_DAYS", default=3)
MODERATION_DIGEST_HOURS = env.float("MODERATION_DIGEST_HOURS", default=24.0)
MODERATION_QUEUE_PAGE_SIZE = env.int("MODERATION_QUEUE_PAGE_SIZE", default=25)

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
MIDDLEWARE += ["publishing.partners.middleware.RefVisitMiddleware"]

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
