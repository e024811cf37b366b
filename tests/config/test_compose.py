"""No Docker engine runs here, so the compose file is checked by reading it."""

from __future__ import annotations

import importlib
import shlex

import yaml

from config.celery_app import QUEUES
from tests.support.services import ROOT


def _services() -> dict[str, dict[str, object]]:
    return yaml.safe_load((ROOT / "docker-compose.yml").read_text())["services"]


def _command(service: dict[str, object]) -> list[str]:
    command = service["command"]
    return shlex.split(command) if isinstance(command, str) else list(command)  # type: ignore[arg-type]


def _option(argv: list[str], name: str) -> str:
    return argv[argv.index(name) + 1]


def test_one_worker_service_per_queue_with_real_modules() -> None:
    services = _services()
    consumed: dict[str, str] = {}
    for name, service in services.items():
        argv = _command(service) if "command" in service else []
        if argv[:1] == ["celery"] and "worker" in argv:
            importlib.import_module(_option(argv, "-A"))
            for queue in _option(argv, "-Q").split(","):
                assert queue in QUEUES, f"{name} consumes unknown queue {queue}"
                assert queue not in consumed, (
                    f"{queue} consumed by {consumed.get(queue)} and {name}"
                )
                consumed[queue] = name
    assert set(consumed) == set(QUEUES)


def test_web_beat_and_backing_services() -> None:
    services = _services()
    web = " ".join(_command(services["web"]))
    assert "gunicorn config.wsgi" in web
    assert importlib.import_module("config.wsgi").application is not None
    beat = _command(services["beat"])
    assert beat[:4] == ["celery", "-A", "config", "beat"]
    for backing in ("redis", "postgres", "minio"):
        assert "healthcheck" in services[backing], f"{backing} has no health check"
    assert "--appendonly yes" in services["redis"]["command"]  # type: ignore[operator]
    assert "healthcheck" in services["web"]
    env = services["web"]["environment"]
    assert env["DJANGO_SETTINGS_MODULE"] == "config.settings.production"  # type: ignore[index]
    assert env["MEDIA_STORAGE"] == "s3"  # type: ignore[index]


def test_dockerfile_installs_ffmpeg_and_fonts() -> None:
    dockerfile = (ROOT / "Dockerfile").read_text()
    for package in ("ffmpeg", "fonts-noto-core", "libraqm0"):
        assert package in dockerfile
