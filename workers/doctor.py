"""System checks with a clear message and a fix for each: ``manage.py doctor``."""

from __future__ import annotations

import re
import shutil
import subprocess
from collections.abc import Callable
from dataclasses import dataclass

from django.conf import settings

MIN_FFMPEG = (5, 0)


@dataclass(frozen=True)
class CheckResult:
    name: str
    ok: bool
    detail: str
    fix: str = ""


def _ffmpeg_version(binary: str) -> tuple[int, int] | None:
    path = shutil.which(binary)
    if not path:
        return None
    out = subprocess.run(
        [path, "-version"], capture_output=True, text=True, timeout=10, check=False
    ).stdout
    match = re.search(r"version n?(\d+)\.(\d+)", out)
    return (int(match.group(1)), int(match.group(2))) if match else (0, 0)


def check_ffmpeg() -> list[CheckResult]:
    results = []
    for binary in ("ffmpeg", "ffprobe"):
        version = _ffmpeg_version(binary)
        if version is None:
            results.append(
                CheckResult(
                    binary,
                    False,
                    "not installed",
                    "apt-get install ffmpeg (make run does it for you)",
                )
            )
        elif version < MIN_FFMPEG:
            results.append(
                CheckResult(
                    binary,
                    False,
                    f"version {version[0]}.{version[1]} is too old",
                    f"install ffmpeg {MIN_FFMPEG[0]}.{MIN_FFMPEG[1]} or newer",
                )
            )
        else:
            results.append(CheckResult(binary, True, f"version {version[0]}.{version[1]}"))
    return results


def check_text_shaping() -> list[CheckResult]:
    from PIL import features

    if features.check_feature("raqm"):
        return [
            CheckResult(
                "text shaping", True, f"libraqm {features.version_feature('raqm')} (Arabic, Farsi)"
            )
        ]
    return [
        CheckResult(
            "text shaping",
            False,
            "Pillow cannot shape right-to-left text (libraqm/fribidi missing)",
            "apt-get install libraqm0 libfribidi0 libharfbuzz0b",
        )
    ]


def check_redis() -> list[CheckResult]:
    import redis

    try:
        client = redis.Redis.from_url(settings.REDIS_URL, socket_connect_timeout=2)
        client.ping()
        client.close()
    except redis.RedisError as exc:
        return [
            CheckResult(
                "redis",
                False,
                f"{settings.REDIS_URL} is unreachable ({exc})",
                "start redis-server (make run starts one) or set REDIS_URL",
            )
        ]
    return [CheckResult("redis", True, f"{settings.REDIS_URL} answers")]


def check_storage() -> list[CheckResult]:
    from workers.health import check_storage as probe

    try:
        detail = probe()["detail"]
    except Exception as exc:  # noqa: BLE001 - every failure becomes a readable line
        return [
            CheckResult(
                "storage",
                False,
                f"cannot write media: {exc}",
                "check MEDIA_ROOT permissions or the S3_* settings",
            )
        ]
    return [CheckResult("storage", True, f"writable ({detail})")]


def check_database() -> list[CheckResult]:
    from workers.health import check_database as probe

    try:
        detail = probe()["detail"]
    except Exception as exc:  # noqa: BLE001
        return [CheckResult("database", False, f"unreachable: {exc}", "check DATABASE_URL")]
    return [CheckResult("database", True, f"{detail} answers")]


def check_email() -> list[CheckResult]:
    from django.core.mail import get_connection

    backend = settings.EMAIL_BACKEND.rsplit(".", 2)[-2]
    try:
        connection = (
            get_connection(timeout=5) if "smtp" in settings.EMAIL_BACKEND else (get_connection())
        )
        connection.open()
        connection.close()
    except Exception as exc:  # noqa: BLE001
        return [
            CheckResult(
                "e-mail",
                False,
                f"{backend} backend failed: {exc}",
                "check EMAIL_URL (e.g. smtp+tls://user:password@host:587)",
            )
        ]
    return [CheckResult("e-mail", True, f"{backend} backend works")]


CHECKS: list[Callable[[], list[CheckResult]]] = [
    check_ffmpeg,
    check_text_shaping,
    check_database,
    check_redis,
    check_storage,
    check_email,
]


def run_all() -> list[CheckResult]:
    results: list[CheckResult] = []
    for check in CHECKS:
        results.extend(check())
    return results
