"""Production settings: refuse to start without secrets, harden transport and cookies."""

from django.core.exceptions import ImproperlyConfigured

from .base import *  # noqa: F403
from .base import DATABASES, env

_REQUIRED = ["DJANGO_SECRET_KEY", "DJANGO_ALLOWED_HOSTS", "DATABASE_URL", "REDIS_URL"]
_missing = [name for name in _REQUIRED if not env.str(name, default="")]
if _missing:
    raise ImproperlyConfigured(
        "Production settings need these environment variables: "
        + ", ".join(_missing)
        + ". Set them (see .env.example) or use DJANGO_SETTINGS_MODULE=config.settings.local "
        "for development."
    )
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    raise ImproperlyConfigured(
        "Production needs PostgreSQL: set DATABASE_URL=postgres://user:password@host/db."
    )

# Mails carry private links (status, confirmation, invitations): the console backend would
# print them into the logs. Refuse it unless explicitly allowed (a rehearsal, a demo).
EMAIL_ALLOW_CONSOLE = env.bool("EMAIL_ALLOW_CONSOLE", default=False)
if (
    globals().get("EMAIL_BACKEND") == "django.core.mail.backends.console.EmailBackend"
    and not EMAIL_ALLOW_CONSOLE
):
    raise ImproperlyConfigured(
        "Production would print e-mails (with private links) to the console: set EMAIL_URL "
        "(e.g. smtp+tls://user:password@mail.example.org:587), or EMAIL_ALLOW_CONSOLE=true "
        "to allow it knowingly."
    )

DEBUG = False
SECRET_KEY = env("DJANGO_SECRET_KEY")
# One JSON object per line, with request and task ids, for the log collector.
LOGGING = {
    **LOGGING,  # noqa: F405
    "handlers": {
        "console": {
            "class": "logging.StreamHandler",
            "formatter": env("LOG_FORMAT", default="json"),
            "filters": ["redact"],
        }
    },
}
ALLOWED_HOSTS = env.list("DJANGO_ALLOWED_HOSTS")

# No SECURE_PROXY_SSL_HEADER: it would believe X-Forwarded-Proto from every peer.
# config.proxy.TrustedProxyMiddleware sets the scheme from TRUSTED_PROXIES only.
SECURE_SSL_REDIRECT = env.bool("DJANGO_SECURE_SSL_REDIRECT", default=True)
SECURE_REDIRECT_EXEMPT = [r"^healthz$", r"^readyz$"]
SESSION_COOKIE_SECURE = True
CSRF_COOKIE_SECURE = True
SESSION_COOKIE_HTTPONLY = True
SECURE_HSTS_SECONDS = env.int("DJANGO_SECURE_HSTS_SECONDS", default=31536000)
SECURE_HSTS_INCLUDE_SUBDOMAINS = True
SECURE_HSTS_PRELOAD = env.bool("DJANGO_SECURE_HSTS_PRELOAD", default=False)
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "strict-origin-when-cross-origin"
X_FRAME_OPTIONS = "DENY"

STORAGES["staticfiles"] = {  # noqa: F405
    "BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"
}

# Moderators, publishers and campaign admins sign in with a TOTP second factor.
MODERATION_REQUIRE_2FA = env.bool("MODERATION_REQUIRE_2FA", default=True)
