"""The production shape for make production-check: processes, release, PostgreSQL, nginx.

``Shape.up()`` starts every part in a temporary folder (see production_check.py for the
list); ``Stack`` stops them all again, in reverse order, whatever happened.
"""

from __future__ import annotations

import contextlib
import os
import secrets
import shutil
import signal
import socket
import subprocess
import sys
import time
import traceback
from collections.abc import Callable
from pathlib import Path
from typing import Any

import requests

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "bench"))
import slow_clients  # noqa: E402  (bench/slow_clients.py: the slow PATCH clients)

NGINX_ADDR = "127.0.0.1"
APP_ADDR = "127.0.0.2"
PROXY_SOURCE = "127.0.0.3"  # nginx's proxy_bind: the one trusted proxy address
WAIT = 240  # seconds: the longest wait for any background job (transcode on 2 shared cores)


# --- Processes ------------------------------------------------------------------------------
def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


class Stack:
    """Every process this check starts, each in its own session, stopped in reverse order."""

    def __init__(self, work: Path) -> None:
        self.work = work
        self.processes: list[tuple[str, subprocess.Popen[bytes]]] = []
        self.cleanups: list[Callable[[], None]] = []

    def start(self, name: str, argv: list[str], **kwargs: Any) -> subprocess.Popen[bytes]:
        log = open(self.work / f"{name}.log", "ab")  # noqa: SIM115 - lives as long as the process
        process = subprocess.Popen(
            argv, stdout=log, stderr=subprocess.STDOUT, start_new_session=True, **kwargs
        )
        self.processes.append((name, process))
        return process

    def log_tail(self, name: str, lines: int = 30) -> str:
        path = self.work / f"{name}.log"
        if not path.exists():
            return ""
        return "\n".join(path.read_text(errors="replace").splitlines()[-lines:])

    def check_alive(self) -> None:
        for name, process in self.processes:
            if process.poll() is not None:
                raise RuntimeError(f"{name} exited ({process.returncode}):\n{self.log_tail(name)}")

    def stop(self) -> None:
        for _name, process in reversed(self.processes):
            if process.poll() is None:
                with contextlib.suppress(ProcessLookupError):
                    os.killpg(process.pid, signal.SIGTERM)
        deadline = time.monotonic() + 20
        for _name, process in reversed(self.processes):
            try:
                process.wait(max(0.1, deadline - time.monotonic()))
            except subprocess.TimeoutExpired:
                with contextlib.suppress(ProcessLookupError):
                    os.killpg(process.pid, signal.SIGKILL)
                process.wait(5)
        for cleanup in reversed(self.cleanups):
            try:
                cleanup()
            except Exception:  # noqa: BLE001 - cleaning up as much as possible
                traceback.print_exc()


def wait_for(check: Callable[[], Any], *, timeout: float, what: str, stack: Stack) -> Any:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            result = check()
        except Exception:  # noqa: BLE001 - not yet
            result = None
        if result:
            return result
        stack.check_alive()
        time.sleep(0.3)
    raise TimeoutError(f"timed out after {timeout:.0f}s waiting for {what}")


def http_up(url: str) -> Callable[[], bool]:
    return lambda: requests.get(url, timeout=2).status_code < 500


# --- Results --------------------------------------------------------------------------------
class Report:
    def __init__(self) -> None:
        self.failures = 0

    def check(self, name: str, ok: bool, detail: str = "") -> bool:
        print(
            f"  {'ok  ' if ok else 'FAIL'}  {name}{(' – ' + detail) if detail else ''}", flush=True
        )
        self.failures += 0 if ok else 1
        return ok

    def run(self, name: str, step: Callable[[], str | None]) -> bool:
        started = time.monotonic()
        try:
            detail = step() or ""
        except Exception as exc:  # noqa: BLE001 - reported as a failed check
            tb = traceback.format_exc(limit=4)
            return self.check(name, False, f"{type(exc).__name__}: {exc}\n{tb}")
        return self.check(name, True, f"{detail} ({time.monotonic() - started:.1f}s)".strip())


# --- Set-up ---------------------------------------------------------------------------------
def release_tree(work: Path) -> Path:
    """The working tree (tracked and untracked, not ignored) minus what .dockerignore drops."""
    target = work / "release"
    files = (
        subprocess.run(
            ["git", "ls-files", "-co", "--exclude-standard", "-z"],
            cwd=ROOT,
            capture_output=True,
            check=True,
        )
        .stdout.decode()
        .split("\0")
    )
    ignored = [
        line.strip().rstrip("/")
        for line in (ROOT / ".dockerignore").read_text().splitlines()
        if line.strip() and not line.startswith("#") and "*" not in line
    ]
    for name in files:
        if not name or any(name == i or name.startswith(i + "/") for i in ignored):
            continue
        if not (ROOT / name).is_file():
            continue
        (target / name).parent.mkdir(parents=True, exist_ok=True)
        shutil.copy2(ROOT / name, target / name)
    return target


def start_postgres(stack: Stack, port: int) -> str:
    pg_bin = sorted(Path("/usr/lib/postgresql").glob("*/bin"), key=lambda p: int(p.parent.name))[-1]
    data = stack.work / "pg"
    data.mkdir()
    run_as: list[str] = []
    if os.geteuid() == 0:  # initdb refuses root: the cluster belongs to the postgres user
        if subprocess.run(["id", "postgres"], capture_output=True).returncode != 0:
            subprocess.run(["useradd", "--system", "--no-create-home", "postgres"], check=True)
        shutil.chown(data, "postgres")
        run_as = ["runuser", "-u", "postgres", "--"]
    subprocess.run(
        [*run_as, str(pg_bin / "initdb"), "-D", str(data / "db"), "-U", "zusammen",
         "--auth=trust", "-E", "UTF8"],
        check=True, stdout=subprocess.DEVNULL,
    )  # fmt: skip
    stack.start(
        "postgres",
        [*run_as, str(pg_bin / "postgres"), "-D", str(data / "db"), "-h", "127.0.0.1",
         "-p", str(port), "-k", str(data), "-c", "fsync=off", "-c", "max_connections=200"],
    )  # fmt: skip
    wait_for(
        lambda: (
            subprocess.run(
                [str(pg_bin / "pg_isready"), "-h", "127.0.0.1", "-p", str(port)],
                capture_output=True,
            ).returncode
            == 0
        ),
        timeout=60,
        what="PostgreSQL",
        stack=stack,
    )
    subprocess.run(
        [str(pg_bin / "createdb"), "-h", "127.0.0.1", "-p", str(port), "-U", "zusammen",
         "zusammen"],
        check=True,
    )  # fmt: skip
    return f"postgres://zusammen@127.0.0.1:{port}/zusammen"


def render_nginx(work: Path, release: Path, *, port: int, app: str) -> Path:
    render = slow_clients.load_render()
    prefix = work / "nginx"
    prefix.mkdir()
    site = prefix / "site.conf"
    site.write_text(
        render.render(
            {
                "NGINX_LISTEN": f"{NGINX_ADDR}:{port}",
                "NGINX_TLS_SNIPPET": str(release / "deploy/nginx/tls-off.conf"),
                "APP_UPSTREAM": app,
                "NGINX_PROXY_BIND": PROXY_SOURCE,
                "STATIC_ROOT": str(work / "var" / "staticfiles"),
                "MEDIA_ROOT": str(work / "var" / "media"),
                "UPLOAD_STREAMS": "24",
                "TUS_MAX_BODY": "20m",
            },
            text=(release / "deploy/nginx/zusammen-mehr.conf.template").read_text(),
        )
    )
    conf = prefix / "nginx.conf"
    conf.write_text(render.main_config(prefix=prefix, site=site))
    return conf


SETUP_PY = """
from django.contrib.auth.models import Group, User
from kernel.roles import Role
from publishing.youtube import services as publishing
from publishing.partners import services as partners
import io, sys
from PIL import Image
password = sys.argv[1]
for username, role, staff in (("chefin", Role.CAMPAIGN_ADMIN, True),
                              ("verein", Role.PARTNER, False)):
    user = User.objects.create_user(username=username, password=password, is_staff=staff,
                                    is_superuser=staff, email=username + "@example.org",
                                    first_name=username.title(), last_name="Check")
    user.groups.add(Group.objects.get_or_create(name=role.value)[0])
publishing.channel_connect(refresh_token="1//standin-check", actor=None,
                           title="ZUSAMMEN. MEHR. (stand-in)")
buffer = io.BytesIO()
Image.new("RGB", (480, 160), "#1f6f43").save(buffer, "PNG")
partner = partners.partner_register(name="Check-Verein e.V.", contact_name="Vera Verein",
    email="verein@example.org", website="https://example.org", logo=buffer.getvalue(),
    languages=["de"])
partner.user = User.objects.get(username="verein")
partner.save(update_fields=["user"])
partners.partner_approve(partner=partner, actor=None)
print("setup done")
"""


class Shape:
    """The running production shape and what the checks need to reach it."""

    def __init__(self, stack: Stack) -> None:
        self.stack = stack
        self.work = stack.work
        self.base = ""
        self.app = ""
        self.standin = ""
        self.env: dict[str, str] = {}
        self.release = Path()
        self.password = secrets.token_urlsafe(16)

    def manage(self, *args: str, code: str | None = None, timeout: int = 300) -> str:
        argv = [str(self.work / "venv/bin/python"), "manage.py", *args]
        if code is not None:
            runner = "import django, sys; django.setup(); exec(sys.stdin.read())"
            argv = [str(self.work / "venv/bin/python"), "-c", runner, *args]
        result = subprocess.run(
            argv, cwd=self.release, env=self.env, input=code, capture_output=True, text=True,
            timeout=timeout,
        )  # fmt: skip
        if result.returncode != 0:
            raise RuntimeError(f"{' '.join(args)} failed:\n{result.stderr[-3000:]}")
        return result.stdout

    def up(self) -> None:
        work, stack = self.work, self.stack
        print("Release build (scripts/build-release) in", work, flush=True)
        self.release = release_tree(work)
        build_env = {
            **os.environ,
            "UV": str(ROOT / ".tools/bin/uv"),
            "UV_PYTHON": "python3.11",
            "UV_PROJECT_ENVIRONMENT": str(work / "venv"),
            "VAR_DIR": str(work / "var"),
        }
        subprocess.run(
            [str(self.release / "scripts/build-release")], cwd=self.release, env=build_env,
            check=True, timeout=600,
        )  # fmt: skip

        ports = {name: free_port() for name in ("pg", "redis", "s3", "standin", "app", "nginx")}
        self.base = f"http://{NGINX_ADDR}:{ports['nginx']}"
        self.app = f"{APP_ADDR}:{ports['app']}"
        self.standin = f"http://127.0.0.1:{ports['standin']}/"
        print("Starting PostgreSQL, Redis, S3 (moto), the YouTube stand-in", flush=True)
        database_url = start_postgres(stack, ports["pg"])
        (work / "redis").mkdir()
        stack.start(
            "redis",
            ["redis-server", "--bind", "127.0.0.1", "--port", str(ports["redis"]), "--dir",
             str(work / "redis"), "--save", "", "--appendonly", "yes"],
        )  # fmt: skip
        s3_env = {**os.environ, "AWS_ACCESS_KEY_ID": "check", "AWS_SECRET_ACCESS_KEY": "check"}
        stack.start(
            "s3", [str(ROOT / ".venv/bin/moto_server"), "-H", "127.0.0.1", "-p", str(ports["s3"])],
            env=s3_env,
        )  # fmt: skip
        # The stand-in is a test double, not part of the image: it runs from the source tree.
        (work / "youtube").mkdir()
        stack.start(
            "youtube-standin",
            [str(ROOT / ".venv/bin/python"), "-m", "devtools.youtube_standin", "--host",
             "127.0.0.1", "--port", str(ports["standin"]), "--data-dir", str(work / "youtube")],
            cwd=ROOT,
        )  # fmt: skip
        s3 = f"http://127.0.0.1:{ports['s3']}"
        wait_for(http_up(s3), timeout=60, what="moto S3", stack=stack)
        wait_for(http_up(self.standin + "_standin/state"), timeout=60, what="stand-in", stack=stack)
        import boto3

        boto3.client(
            "s3", endpoint_url=s3, aws_access_key_id="check", aws_secret_access_key="check",  # noqa: S106
            region_name="eu-central-1",
        ).create_bucket(
            Bucket="zusammen-mehr",
            CreateBucketConfiguration={"LocationConstraint": "eu-central-1"},
        )  # fmt: skip

        from cryptography.fernet import Fernet

        (work / "mail").mkdir()
        self.env = {
            "PATH": os.environ["PATH"],
            "HOME": str(work),
            "LANG": "C.UTF-8",
            "PYTHONUNBUFFERED": "1",
            "DJANGO_SETTINGS_MODULE": "config.settings.production",
            # Generated now, never written to a file.
            "DJANGO_SECRET_KEY": secrets.token_urlsafe(50),
            "YOUTUBE_CREDENTIALS_KEY": Fernet.generate_key().decode(),
            "DJANGO_ALLOWED_HOSTS": f"{NGINX_ADDR},{APP_ADDR}",
            "DJANGO_SECURE_SSL_REDIRECT": "false",  # plain HTTP on loopback only
            "DATABASE_URL": database_url,
            "REDIS_URL": f"redis://127.0.0.1:{ports['redis']}/0",
            "VAR_DIR": str(work / "var"),
            "MEDIA_STORAGE": "s3",
            "S3_ENDPOINT_URL": s3,
            "S3_BUCKET": "zusammen-mehr",
            "S3_ACCESS_KEY_ID": "check",
            "S3_SECRET_ACCESS_KEY": "check",
            "SITE_URL": self.base,
            "TRUSTED_PROXIES": PROXY_SOURCE,
            "EMAIL_URL": f"filemail:///{work / 'mail'}",  # django-environ drops one slash
            "YOUTUBE_API_URL": self.standin,
            "YOUTUBE_TOKEN_URI": self.standin + "token",
            "YOUTUBE_PRIVACY": "public",
            "YOUTUBE_CHUNK_MB": "0.25",
            "MEDIA_X264_PRESET": "ultrafast",
            "OTP_TOTP_THROTTLE_FACTOR": "0",
            "FORM_DRAFT_RATE": "3/hour",
            "GUNICORN_BIND": self.app,
            "GUNICORN_ACCESS_LOG": str(work / "gunicorn-access.log"),
            "LOG_FORMAT": "json",
        }
        print("Migrating and creating the check's accounts, channel and partner", flush=True)
        self.manage("migrate", "--no-input", "-v0")
        self.manage(self.password, code=SETUP_PY)
        venv = work / "venv/bin"
        print(
            "Starting gunicorn, nginx, workers (default, transcode, publish) and beat", flush=True
        )
        stack.start(
            "gunicorn", [str(venv / "gunicorn"), "config.wsgi", "--config", "config/gunicorn.py"],
            cwd=self.release, env=self.env,
        )  # fmt: skip
        for queue in ("default", "transcode", "publish"):
            stack.start(
                f"worker-{queue}",
                [str(venv / "celery"), "-A", "config", "worker", "-Q", queue, "--concurrency",
                 "1", "--loglevel", "INFO", "--hostname", f"{queue}-check-{os.getpid()}@%h",
                 "--without-mingle", "--without-gossip"],
                cwd=self.release, env=self.env,
            )  # fmt: skip
        stack.start(
            "beat",
            [str(venv / "celery"), "-A", "config", "beat", "--loglevel", "INFO", "--schedule",
             str(work / "celerybeat-schedule")],
            cwd=self.release, env=self.env,
        )  # fmt: skip
        conf = render_nginx(work, self.release, port=ports["nginx"], app=self.app)
        stack.start("nginx", ["nginx", "-p", str(conf.parent), "-c", str(conf)])
        wait_for(http_up(f"http://{self.app}/healthz"), timeout=90, what="gunicorn", stack=stack)
        wait_for(http_up(f"{self.base}/healthz"), timeout=30, what="nginx", stack=stack)
        print(f"Production shape is up: {self.base}/ (gunicorn on {self.app})\n", flush=True)
