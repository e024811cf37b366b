"""Bad configuration ends in one clear message, never a traceback."""

from __future__ import annotations

import os
import subprocess
import sys

from tests.support.services import ROOT


def _manage(*args: str, env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )


def _clean_env(**extra: str) -> dict[str, str]:
    keep = {k: v for k, v in os.environ.items() if k in {"PATH", "HOME", "LANG"}}
    return {**keep, **extra}


def test_production_refuses_to_start_without_secrets() -> None:
    result = _manage("check", env=_clean_env(DJANGO_SETTINGS_MODULE="config.settings.production"))
    assert result.returncode == 2
    assert "Traceback" not in result.stderr
    assert "DJANGO_SECRET_KEY" in result.stderr
    assert "DATABASE_URL" in result.stderr
    assert result.stderr.startswith("Configuration error:")


def test_production_refuses_sqlite() -> None:
    env = _clean_env(
        DJANGO_SETTINGS_MODULE="config.settings.production",
        DJANGO_SECRET_KEY="x" * 50,
        DJANGO_ALLOWED_HOSTS="example.org",
        DATABASE_URL="sqlite:////tmp/x.sqlite3",
        REDIS_URL="redis://127.0.0.1:6379/0",
    )
    result = _manage("check", env=env)
    assert result.returncode == 2
    assert "Production needs PostgreSQL" in result.stderr
    assert "Traceback" not in result.stderr


def test_doctor_names_unreachable_redis_and_the_fix() -> None:
    env = _clean_env(
        DJANGO_SETTINGS_MODULE="config.settings.test",
        REDIS_URL="redis://127.0.0.1:1/0",
        VAR_DIR=str(ROOT / "var"),
    )
    result = _manage("doctor", env=env)
    assert result.returncode == 1
    assert "FAIL redis" in result.stdout
    assert "fix: start redis-server" in result.stdout
    assert "OK   ffmpeg" in result.stdout
    assert "Traceback" not in result.stderr


def test_worker_without_ffmpeg_says_what_to_do(tmp_path: object) -> None:
    # A PATH without ffmpeg: only the venv's own programs and the basic system tools.
    env = _clean_env(
        DJANGO_SETTINGS_MODULE="config.settings.test",
        PATH=f"{os.path.dirname(sys.executable)}:/nonexistent",
        REDIS_URL="redis://127.0.0.1:1/0",
        VAR_DIR=str(ROOT / "var"),
    )
    result = subprocess.run(
        [
            os.path.join(os.path.dirname(sys.executable), "celery"),
            "-A",
            "config",
            "worker",
            "-Q",
            "transcode",
            "--loglevel",
            "INFO",
        ],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert result.returncode == 2
    assert "ffmpeg/ffprobe are not installed" in result.stderr
    assert "apt-get install ffmpeg" in result.stderr
