"""Test settings: like development, with fast hashing and captured e-mail."""

import os

from .local import *  # noqa: F403
from .local import env

DEBUG = False
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
EMAIL_BACKEND = env("EMAIL_BACKEND", default="django.core.mail.backends.locmem.EmailBackend")
EMAIL_FILE_PATH = env("EMAIL_FILE_PATH", default=str(VAR_DIR / "test-mail"))  # noqa: F405
ALLOWED_HOSTS = ["*"]

# The test database is a file, so the real Celery worker process can share it.
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":  # noqa: F405
    DATABASES["default"]["TEST"] = {  # noqa: F405
        # One file per test run, so parallel runs in one checkout never share a database.
        "NAME": env(
            "TEST_SQLITE_PATH",
            default=str(VAR_DIR / f"test-db-{os.getpid()}.sqlite3"),  # noqa: F405
        ),
    }

# Each test process keeps its own cache; tests/conftest.py empties it before every test.
CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
# Axes warns about a per-process cache; the tests count sign-ins within one process.
SILENCED_SYSTEM_CHECKS = ["axes.W001"]
