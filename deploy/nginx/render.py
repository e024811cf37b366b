"""Render the nginx template the way the official image's envsubst does, and a main config.

Used by ``scripts/production-check`` and the tests; docker-compose.yml needs neither (the
nginx image renders ``/etc/nginx/templates/*.template`` itself).
"""

from __future__ import annotations

import re
from pathlib import Path

HERE = Path(__file__).resolve().parent
TEMPLATE = HERE / "zusammen-mehr.conf.template"
VARIABLES = (
    "NGINX_LISTEN",
    "NGINX_TLS_SNIPPET",
    "APP_UPSTREAM",
    "NGINX_PROXY_BIND",
    "STATIC_ROOT",
    "MEDIA_ROOT",
    "UPLOAD_STREAMS",
    "TUS_MAX_BODY",
)


def render(values: dict[str, str], text: str | None = None) -> str:
    """``${NAME}`` replaced for every template variable; anything else is left alone."""
    missing = [name for name in VARIABLES if name not in values]
    if missing:
        raise KeyError(f"nginx template variables missing: {missing}")
    text = TEMPLATE.read_text() if text is None else text

    def sub(match: re.Match[str]) -> str:
        name = match.group(1)
        return values[name] if name in VARIABLES else match.group(0)

    return re.sub(r"\$\{([A-Z_]+)\}", sub, text)


def main_config(*, prefix: Path, site: Path) -> str:
    """A self-contained nginx.conf for a non-root, non-daemon nginx below ``prefix``."""
    return f"""# Generated for a throw-away nginx below {prefix}.
worker_processes 1;
daemon off;
pid {prefix}/nginx.pid;
error_log {prefix}/error.log warn;
events {{ worker_connections 1024; }}
http {{
    include /etc/nginx/mime.types;
    default_type application/octet-stream;
    access_log {prefix}/access.log;
    client_body_temp_path {prefix}/client_body;
    proxy_temp_path {prefix}/proxy;
    fastcgi_temp_path {prefix}/fastcgi;
    uwsgi_temp_path {prefix}/uwsgi;
    scgi_temp_path {prefix}/scgi;
    sendfile on;
    include {site};
}}
"""
