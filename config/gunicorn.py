"""gunicorn settings for production: compose, the Dockerfile and `make production-check`.

Worker class by measurement (bench/slow_clients.py, figures in the README): with 3 sync
workers, four tus PATCH connections trickling one byte every 2 s hold all three workers and
/healthz stops answering. nginx buffers every normal request body and every response, so a
slow client costs an application worker nothing there; only the tus PATCH is streamed
through unbuffered (``proxy_request_buffering off``), and each one occupies a worker for as
long as its body trickles in. ``gthread`` turns a worker into a pool of threads, so such
streams take a thread each, and nginx caps how many run at once (``limit_conn`` on the
upload location) below the number of threads. Django's views are synchronous and mostly
wait on PostgreSQL, Redis and S3, where threads release the GIL.

Every value can be overridden from the environment (``GUNICORN_*``).
"""

from __future__ import annotations

import os
import tempfile
from pathlib import Path
from typing import Any

# Web metrics from every worker process: prometheus_client's multiprocess mode keeps each
# process's figures in this directory and /metrics adds them up (workers.metrics). It must
# be set before any worker imports prometheus_client, so here, when gunicorn reads this file.
_MULTIPROC = "PROMETHEUS_MULTIPROC_DIR"
if not os.environ.get(_MULTIPROC):
    os.environ[_MULTIPROC] = tempfile.mkdtemp(prefix="zm-prometheus-")

bind = os.environ.get("GUNICORN_BIND", "0.0.0.0:8000")
worker_class = os.environ.get("GUNICORN_WORKER_CLASS", "gthread")
workers = int(os.environ.get("GUNICORN_WORKERS", "2"))
threads = int(os.environ.get("GUNICORN_THREADS", "32"))
# A sync request may take this long (the gallery's worst page, an API export); nginx's
# proxy_read_timeout is the same.
timeout = int(os.environ.get("GUNICORN_TIMEOUT", "120"))
graceful_timeout = 30
# Keep-alive connections from nginx (its upstream keepalive pool) stay open this long.
keepalive = int(os.environ.get("GUNICORN_KEEPALIVE", "75"))
# A worker is replaced after this many requests (plus jitter), bounding slow leaks.
max_requests = int(os.environ.get("GUNICORN_MAX_REQUESTS", "2000"))
max_requests_jitter = int(os.environ.get("GUNICORN_MAX_REQUESTS_JITTER", "200"))
accesslog = os.environ.get("GUNICORN_ACCESS_LOG", "-")
errorlog = "-"
# Which peer may speak for the client is decided in one place, config.proxy with
# TRUSTED_PROXIES; gunicorn itself believes no forwarding header from anyone.
secure_scheme_headers: dict[str, str] = {}
forwarder_headers = ""
# No runtime control socket: nothing uses it, and its default path in $HOME is shared by
# every gunicorn of the same user (the production check runs beside other instances).
control_socket_disable = True


def on_starting(server: Any) -> None:
    """Start from zero: figures an earlier run left in the directory would be added up."""
    directory = Path(os.environ[_MULTIPROC])
    directory.mkdir(parents=True, exist_ok=True)
    for stale in directory.glob("*.db"):
        stale.unlink()


def child_exit(server: Any, worker: Any) -> None:
    """A replaced worker's live gauges go; its counters stay in the sum, as Prometheus expects."""
    from prometheus_client import multiprocess

    multiprocess.mark_process_dead(worker.pid)
