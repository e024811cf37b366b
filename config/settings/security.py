"""Browser security headers, sign-in and lockout, staff authentication and the workspace."""

from __future__ import annotations

from datetime import timedelta

from .environment import env

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

# --- Auth -------------------------------------------------------------------
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "moderation:login"
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]
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
