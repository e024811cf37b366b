"""Settings shared by every environment.

Every value comes from the environment through the one ``env`` object (``environment.py``),
with a safe default for development where one exists. ``.env.example`` lists every variable.
Topic modules hold the long lists: ``security`` (headers, sign-in, staff authentication),
``media`` (storage, uploads, the form) and ``publishing`` (YouTube, partner kit, gallery).
"""

from __future__ import annotations

from pathlib import Path

from django.utils.translation import gettext_lazy as _

from .environment import BASE_DIR, VAR_DIR, env
from .media import *  # noqa: F403
from .publishing import *  # noqa: F403
from .security import *  # noqa: F403

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
        # django-redis: an unreachable Redis is a cache miss (IGNORE_EXCEPTIONS), logged.
        "BACKEND": "django_redis.cache.RedisCache",
        "LOCATION": env("CACHE_URL", default=REDIS_URL),
        "KEY_PREFIX": "zm",
        "TIMEOUT": 300,
        "OPTIONS": {
            "IGNORE_EXCEPTIONS": True,
            "SOCKET_CONNECT_TIMEOUT": 1,
            "SOCKET_TIMEOUT": 1,
        },
    }
}
DJANGO_REDIS_LOG_IGNORED_EXCEPTIONS = True
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
# Every date and time people read is in this zone (the campaign's), whatever the server's.
TIME_ZONE = env("TIME_ZONE", default="Europe/Berlin")
USE_I18N = True
USE_TZ = True

# --- Apps and middleware of the topic modules ------------------------------
# Sign-in lockout (django-axes, config/auth.py): failures are counted per (username, client
# address) and per address, in the shared cache; never per username alone.
INSTALLED_APPS += ["axes"]
MIDDLEWARE += ["axes.middleware.AxesMiddleware"]

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

# drf-spectacular leaves HEAD out of the schema; the tus endpoint needs it documented.
SPECTACULAR_SETTINGS["PREPROCESSING_HOOKS"] = [
    *list(SPECTACULAR_SETTINGS.get("PREPROCESSING_HOOKS", [])),  # type: ignore[call-overload]
    "stories.uploads.views.spectacular_add_head_endpoints",
]

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
# Counts visits of the form that arrive through a partner's link or QR code.
MIDDLEWARE += ["publishing.partners.middleware.RefVisitMiddleware"]
