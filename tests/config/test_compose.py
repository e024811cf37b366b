"""No Docker engine runs here, so the compose file is checked by reading it."""

from __future__ import annotations

import importlib
import importlib.util
import re
import shlex
import subprocess
from pathlib import Path
from typing import Any

import yaml

from kernel.queue import QUEUES
from tests.support.services import ROOT, free_port


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
    assert "gunicorn config.wsgi --config config/gunicorn.py" in web
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


def test_only_nginx_is_published_and_it_is_the_only_trusted_proxy() -> None:
    services = _services()
    published = {name for name, service in services.items() if service.get("ports")}
    assert published == {"nginx"}
    nginx = services["nginx"]
    address = nginx["networks"]["backend"]["ipv4_address"]  # type: ignore[index]
    for name in ("web", "worker-default", "beat"):
        env = services[name]["environment"]
        assert env["TRUSTED_PROXIES"] == address  # type: ignore[index]
    assert nginx["environment"]["APP_UPSTREAM"] == "web:8000"  # type: ignore[index]
    assert nginx["build"]["target"] == "proxy"  # type: ignore[index]
    assert services["web"]["build"]["target"] == "app"  # type: ignore[index]
    assert services["web"]["healthcheck"]


def _nginx_env() -> dict[str, str]:
    return dict(_services()["nginx"]["environment"])  # type: ignore[arg-type]


def test_the_nginx_template_is_valid_as_compose_renders_it(tmp_path: Path) -> None:
    """nginx -t on the template rendered with compose's values (TLS and static swapped for
    throw-away ones: no certificate exists here)."""
    render = _render_module()
    values = {
        **_nginx_env(),
        "NGINX_LISTEN": f"127.0.0.1:{free_port()}",
        "NGINX_TLS_SNIPPET": str(ROOT / "deploy/nginx/tls-off.conf"),
        "APP_UPSTREAM": "127.0.0.1:9",
        "STATIC_ROOT": str(tmp_path),
        "MEDIA_ROOT": str(tmp_path),
    }
    site = tmp_path / "site.conf"
    site.write_text(render.render(values))
    (tmp_path / "nginx.conf").write_text(render.main_config(prefix=tmp_path, site=site))
    result = subprocess.run(
        ["nginx", "-t", "-p", str(tmp_path), "-c", str(tmp_path / "nginx.conf")],
        capture_output=True,
        text=True,
        timeout=30,
    )
    assert result.returncode == 0, result.stderr
    text = site.read_text()
    assert not re.search(r"^[^#]*\$\{", text, re.M), "a template variable was not rendered"
    upload = re.search(r"location /api/v1/uploads/ \{(.*?)\}", text, re.S)
    assert upload is not None
    assert "proxy_request_buffering off;" in upload.group(1)
    assert f"client_max_body_size {values['TUS_MAX_BODY']};" in upload.group(1)
    assert "limit_conn zm_uploads_total" in upload.group(1)
    for directive in (
        "client_body_timeout",
        "client_header_timeout",
        "send_timeout",
        "keepalive_timeout",
        "limit_conn zm_per_client",
    ):
        assert directive in text
    assert re.search(r"location /protected-media/ \{\s*internal;", text)
    assert "X-Forwarded-For $proxy_add_x_forwarded_for" in text


def test_upload_streams_leave_every_gunicorn_worker_threads_free() -> None:
    """All of nginx's upload streams may land on one worker: it must keep threads free."""
    ns: dict[str, object] = {}
    exec((ROOT / "config/gunicorn.py").read_text(), ns)  # noqa: S102 - our own config file
    assert ns["worker_class"] == "gthread"
    assert int(_nginx_env()["UPLOAD_STREAMS"]) < int(ns["threads"])  # type: ignore[call-overload]
    assert ns["secure_scheme_headers"] == {}


def _render_module() -> Any:
    spec = importlib.util.spec_from_file_location("nginx_render", ROOT / "deploy/nginx/render.py")
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_dockerfile_installs_ffmpeg_and_fonts() -> None:
    dockerfile = (ROOT / "Dockerfile").read_text()
    for package in ("ffmpeg", "fonts-noto-core", "libraqm0"):
        assert package in dockerfile
