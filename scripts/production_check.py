"""make production-check: the production shape on loopback, from a release build, without Docker.

Starts, in a temporary folder: a release build (scripts/build-release), a throw-away
PostgreSQL cluster (Debian's), redis-server, moto's S3 server, the YouTube stand-in,
gunicorn with config.settings.production and config/gunicorn.py on 127.0.0.2, nginx (the
compose template, deploy/nginx/) on 127.0.0.1 connecting to gunicorn from 127.0.0.3 (the
only TRUSTED_PROXIES entry), one Celery worker per queue and beat. Secrets are generated
at start and live only in this process's memory and its children's environments.

Then, through nginx only, it checks (a) the whole journey in headless Chromium, (b) the
security headers, (c) /healthz under 20 slow upload connections, (d) the client address
behind the trusted proxy and from an untrusted peer. Each check prints ok or FAIL; the exit
status is non-zero on any failure. Every process it started is stopped on exit, on failure
and on Ctrl-C.

    .venv/bin/python scripts/production-check [--keep]
"""

from __future__ import annotations

import argparse
import base64
import contextlib
import email
import os
import re
import secrets
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
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
CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--disable-dev-shm-usage",
]
WAIT = 240  # seconds: the longest wait for any background job (transcode on 2 shared cores)

# Every selector and label the journey uses, in one place (adapt here when pages change).
SEL: dict[str, Any] = {
    "title": "#id_title",
    "text": "#id_text",
    "region": "#id_region_id",
    "topic": "#id_topic_id",
    "next": 'button[name="go"][value="next"]',
    "video": "#id_video",
    "upload_state": "[data-upload]",
    "video_language": "#id_video_language",
    "name": "#id_submitter_name",
    "email": "#id_submitter_email",
    "role_supporter": "#id_submitter_role_1",
    "credit_first_name": "#id_credit_1",
    "minor_no": "#id_has_minor_1",
    "consent": "#id_consent_{purpose}",
    "send": ("button", "Geschichte senden"),
    "login_user": "#id_username",
    "login_password": "#id_password",
    "login_submit": "input[type=submit]",
    "partner_login_submit": ("button", "Anmelden"),
    "otp_token": 'input[name="token"]',
    "otp_send_link": ("button", "Link zum Einrichten senden"),
    "otp_secret": ".ws-secret code",
    "otp_qr": ".ws-qr svg",
    "otp_codes": ".ws-codes code",
    "otp_continue": ("link", "Weiter"),
    "claim": ("button", "Bearbeiten (für andere sperren)"),
    "checklist": ".ws-checklist input[type=checkbox]",
    "approve": ("button", "Freigeben"),
    "publish": ("button", "Veröffentlichen"),
    "embed_load": ("button", "Video laden und abspielen"),
    "embed_frame": ".embed iframe",
    "withdraw_confirm": "#withdraw-confirm",
    "withdraw": ("button", "Einwilligung widerrufen"),
}
CONSENTS = ("publication", "usage_rights", "special_categories", "people_in_video")


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


# --- (b) security headers -------------------------------------------------------------------
def check_headers(shape: Shape) -> str:
    page = requests.get(f"{shape.base}/mitmachen/", timeout=10)
    h = page.headers
    problems = []
    expect = {
        "X-Content-Type-Options": "nosniff",
        "X-Frame-Options": "DENY",
        "Referrer-Policy": "strict-origin-when-cross-origin",
        "Cross-Origin-Opener-Policy": "same-origin",
    }
    for name, value in expect.items():
        if h.get(name) != value:
            problems.append(f"{name}={h.get(name)!r}")
    csp = h.get("Content-Security-Policy", "")
    for directive in ("default-src 'self'", "script-src 'self'", "frame-ancestors 'none'",
                      "object-src 'none'"):  # fmt: skip
        if directive not in csp:
            problems.append(f"CSP lacks {directive}")
    if h.get("Server", "") != "nginx":
        problems.append(f"Server={h.get('Server')!r} (version shown?)")
    cookies = page.raw.headers.getlist("Set-Cookie")
    for cookie in cookies:
        if "Secure" not in cookie or ("sessionid" in cookie and "HttpOnly" not in cookie):
            problems.append(f"cookie without Secure/HttpOnly: {cookie.split(';')[0]}")
    static = re.search(r'src="(/static/vendor/tus\.min\.[0-9a-f]+\.js)"', page.text)
    static_path = "/static/js/submit.js" if static is None else static.group(1)
    asset = requests.get(shape.base + static_path, timeout=10)
    if asset.status_code != 200 or asset.headers.get("X-Content-Type-Options") != "nosniff":
        problems.append(f"static {static_path}: {asset.status_code}")
    if "X-Request-ID" in asset.headers:
        problems.append("static file answered by Django, not nginx")
    if problems:
        raise AssertionError("; ".join(problems))
    return f"{len(expect) + 4} headers on /mitmachen/, static from nginx ({static_path})"


# --- (c) slow uploads -----------------------------------------------------------------------
def check_slow_uploads(shape: Shape) -> str:
    upload_token = shape.manage(
        code=slow_clients.DRAFT_PY
    ).strip()  # the draft's secret, as its form has it
    length = 1_000_000
    urls = []
    for n in range(20):
        source = f"127.0.{10 + n // 250}.{1 + n % 250}"
        session = requests.Session()
        session.mount("http://", _SourceAdapter(source))
        response = session.post(
            f"{shape.base}/api/v1/uploads/",
            headers={"Tus-Resumable": "1.0.0", "Upload-Length": str(length),
                     "Upload-Token": upload_token},
            timeout=30,
        )  # fmt: skip
        response.raise_for_status()
        urls.append(requests.compat.urljoin(shape.base + "/", response.headers["Location"]))
    result = slow_clients.hold_slow_clients(
        front=f"{NGINX_ADDR}:{shape.base.rsplit(':', 1)[1]}",
        upload_urls=urls,
        seconds=45,  # plus 3 s to settle: within the 60 s bound
        length=length,
        distinct_sources=True,
        probe_url=f"{shape.base}/healthz",
        probe_timeout=5,
        upload_token=upload_token,
    )
    detail = (
        f"{result['held_open']}/20 slow PATCHes held open, /healthz median "
        f"{result['healthz_median_ms']} ms, max {result['healthz_max_ms']} ms over "
        f"{result['probes']} probes"
    )
    if result["held_open"] != 20 or result["probe_failures"] or result["healthz_max_ms"] > 1000:
        raise AssertionError(detail + f", failures {result['probe_failures']}, {result}")
    return detail


class _SourceAdapter(requests.adapters.HTTPAdapter):
    """Connections from a chosen loopback source address: another client, as nginx sees it."""

    def __init__(self, source: str) -> None:
        self.source = source
        super().__init__()

    def init_poolmanager(self, *args: Any, **kwargs: Any) -> None:
        kwargs["source_address"] = (self.source, 0)
        super().init_poolmanager(*args, **kwargs)


# --- (d) client addresses -------------------------------------------------------------------
def _draft_post(base: str, *, source: str, forwarded_for: str | None = None) -> int:
    session = requests.Session()
    session.mount("http://", _SourceAdapter(source))
    form = session.get(f"{base}/mitmachen/", timeout=10)
    token = form.cookies.get("csrftoken") or ""
    csrf = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', form.text)
    region = re.search(r'<select[^>]*id="id_region_id".*?<option value="(\d+)"', form.text, re.S)
    topic = re.search(r'<select[^>]*id="id_topic_id".*?<option value="(\d+)"', form.text, re.S)
    assert csrf and region and topic, "the form has no token, region or topic"
    headers = {"Cookie": f"csrftoken={token}", "Referer": f"{base}/mitmachen/"}
    if forwarded_for:
        headers["X-Forwarded-For"] = forwarded_for
    session.cookies.clear()  # the Secure cookie is sent by hand (plain HTTP on loopback)
    response = session.post(
        f"{base}/mitmachen/",
        data={
            "csrfmiddlewaretoken": csrf.group(1),
            "title": "Zwei Menschen hinter einem Proxy",
            "text": "Eine Geschichte, die nur den Grenzwert der Entwürfe prüft.",
            "region_id": region.group(1),
            "topic_id": topic.group(1),
        },
        headers=headers,
        allow_redirects=False,
        timeout=10,
    )
    return response.status_code


def check_rate_limits_behind_proxy(shape: Shape) -> str:
    # FORM_DRAFT_RATE=3/hour. Two clients through nginx, each from its own address.
    a = [_draft_post(shape.base, source="127.0.1.21") for _ in range(4)]
    b = _draft_post(shape.base, source="127.0.1.22")
    assert a == [302, 302, 302, 429], f"client A through nginx: {a}"
    assert b == 302, f"client B through nginx was limited with A: {b}"
    return f"A {a}, B [{b}]: separate windows"


def check_untrusted_forwarded_for(shape: Shape) -> str:
    # Straight to gunicorn from an address that is not TRUSTED_PROXIES, with a new made-up
    # X-Forwarded-For each time: all in the peer's own window.
    app = f"http://{shape.app}"
    codes = [
        _draft_post(app, source="127.0.1.31", forwarded_for=f"198.51.100.{n}") for n in range(4)
    ]
    assert codes == [302, 302, 302, 429], f"spoofed X-Forwarded-For bought new windows: {codes}"
    return f"direct to gunicorn with spoofed X-Forwarded-For: {codes}"


# --- (a) the journey ------------------------------------------------------------------------
def _clip(work: Path) -> Path:
    path = work / "clip.mp4"
    subprocess.run(
        ["ffmpeg", "-loglevel", "error", "-y", "-f", "lavfi", "-i",
         "testsrc=size=320x240:rate=25:duration=3", "-f", "lavfi", "-i",
         "sine=frequency=440:duration=3", "-c:v", "libx264", "-preset", "ultrafast",
         "-pix_fmt", "yuv420p", "-c:a", "aac", "-shortest", str(path)],
        check=True,
    )  # fmt: skip
    return path


def _role(page: Any, key: str) -> Any:
    role, name = SEL[key]
    return page.get_by_role(role, name=name, exact=True)


def _mail_links(shape: Shape, to: str) -> list[str]:
    links = []
    for path in sorted((shape.work / "mail").glob("*.log")):
        for part in path.read_text(errors="replace").split("\n" + "-" * 79 + "\n"):
            message = email.message_from_string(part.strip())
            if to not in (message.get("To") or ""):
                continue
            payload = message.get_payload(decode=True)
            body = payload.decode(errors="replace") if isinstance(payload, bytes) else part
            links += re.findall(r"https?://\S+", body)
    return links


def _standin_state(shape: Shape) -> dict[str, Any]:
    return requests.get(shape.standin + "_standin/state", timeout=5).json()


class Journey:
    def __init__(self, shape: Shape, report: Report) -> None:
        self.shape = shape
        self.report = report
        self.base = shape.base
        self.title = f"Gemeinsam im Chor {secrets.token_hex(2)}"
        self.email = f"amina-{secrets.token_hex(2)}@example.org"
        self.status_url = ""
        self.video_id = ""

    def run(self) -> None:
        from playwright.sync_api import sync_playwright

        with sync_playwright() as playwright:
            browser = playwright.chromium.launch(
                executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS
            )
            try:
                self.browser = browser
                steps = [
                    ("journey: the form with a real tus upload through nginx", self.form),
                    ("journey: the confirmation link from the e-mail", self.confirm),
                    ("journey: moderation with a TOTP second factor, approval", self.moderate),
                    ("journey: publishing to the stand-in", self.publish),
                    ("journey: the gallery's two-click embed", self.embed),
                    ("journey: a partner downloads the kit", self.kit),
                    ("journey: withdrawal reaches the stand-in", self.withdraw),
                ]
                for name, step in steps:
                    if not self.report.run(name, step):
                        self._screenshots()
                        for later, _ in steps[steps.index((name, step)) + 1 :]:
                            self.report.check(later, False, "not reached")
                        break
            finally:
                browser.close()

    def _screenshots(self) -> None:
        for n, context in enumerate(self.browser.contexts):
            for m, page in enumerate(context.pages):
                path = self.shape.work / f"journey-{n}-{m}.png"
                try:
                    page.screenshot(path=str(path), full_page=True)
                    print(f"        screenshot: {path} ({page.url})")
                except Exception:  # noqa: BLE001, S110 - a screenshot is a bonus
                    pass

    def _page(self) -> Any:
        context = self.browser.new_context(locale="de-DE", viewport={"width": 1280, "height": 900})
        context.set_default_timeout(30_000)
        return context.new_page()

    def form(self) -> str:
        page = self.page = self._page()
        uploads: list[str] = []
        page.on(
            "request", lambda r: uploads.append(r.method) if "/api/v1/uploads/" in r.url else None
        )
        page.goto(f"{self.base}/mitmachen/")
        page.locator(SEL["title"]).fill(self.title)
        page.locator(SEL["text"]).fill("Wir singen seit drei Jahren zusammen, in fünf Sprachen.")
        page.locator(SEL["region"]).select_option(index=1)
        page.locator(SEL["topic"]).select_option(index=1)
        page.locator(SEL["next"]).click()
        page.wait_for_url("**/mitmachen/video/")
        page.locator(SEL["video"]).set_input_files(str(_clip(self.shape.work)))
        page.wait_for_function(
            f"() => document.querySelector('{SEL['upload_state']}').dataset.uploadState"
            " === 'ready'",
            timeout=WAIT * 1000,
        )
        page.locator(SEL["video_language"]).select_option("de")
        page.locator(SEL["next"]).click()
        page.wait_for_url("**/mitmachen/personen/")
        page.locator(SEL["name"]).fill("Amina Beispiel")
        page.locator(SEL["email"]).fill(self.email)
        page.locator(SEL["role_supporter"]).check()
        page.locator(SEL["credit_first_name"]).check()
        page.locator(SEL["minor_no"]).check()
        for purpose in CONSENTS:
            page.locator(SEL["consent"].format(purpose=purpose)).check()
        page.locator(SEL["next"]).click()
        page.wait_for_url("**/mitmachen/pruefen/")
        _role(page, "send").click()
        page.wait_for_url("**/mitmachen/danke/")
        assert "PATCH" in uploads and "POST" in uploads, f"tus requests seen: {uploads}"
        return f"tus requests: {uploads.count('POST')} POST, {uploads.count('PATCH')} PATCH"

    def confirm(self) -> str:
        links = wait_for(
            lambda: _mail_links(self.shape, self.email), timeout=60, what="the e-mail",
            stack=self.shape.stack,
        )  # fmt: skip
        confirm = next(link for link in links if "/bestaetigen/" in link)
        self.status_url = next(link for link in links if "/status/" in link)
        assert confirm.startswith(self.base), f"link not through the proxy: {confirm}"
        self.page.goto(confirm)
        self.page.wait_for_load_state()
        return "confirmed"

    def moderate(self) -> str:
        page = self.staff = self._page()
        page.goto(f"{self.base}/admin/login/?next=/moderation/")
        page.locator(SEL["login_user"]).fill("chefin")
        page.locator(SEL["login_password"]).fill(self.shape.password)
        page.locator(SEL["login_submit"]).click()
        page.wait_for_url("**/moderation/2fa/**")
        # Enrolment as a new staff member does it: the password alone opens nothing, the link
        # in the e-mail opens the QR code, the authenticator's code confirms, codes follow.
        _role(page, "otp_send_link").click()
        page.wait_for_load_state()
        links = wait_for(
            lambda: [u for u in _mail_links(self.shape, "chefin@example.org") if "/2fa/" in u],
            timeout=60, what="the enrolment e-mail", stack=self.shape.stack,
        )  # fmt: skip
        assert links[-1].startswith(self.base), f"link not through the proxy: {links[-1]}"
        page.goto(links[-1])
        assert page.locator(SEL["otp_qr"]).count() == 1, "no QR code on the enrolment page"
        from django_otp.oath import TOTP

        secret = (page.locator(SEL["otp_secret"]).text_content() or "").replace(" ", "").strip()
        key = base64.b32decode(secret + "=" * (-len(secret) % 8))
        page.locator(SEL["otp_token"]).fill(f"{TOTP(key).token():06d}")
        page.locator(SEL["otp_token"]).press("Enter")
        page.wait_for_load_state()
        codes = page.locator(SEL["otp_codes"]).count()
        assert codes >= 5, f"{codes} recovery codes shown"
        _role(page, "otp_continue").click()
        page.wait_for_url(f"{self.base}/moderation/")
        page.get_by_role("link", name=self.title).click()
        page.wait_for_load_state()
        if _role(page, "claim").count():
            _role(page, "claim").click()
            page.wait_for_load_state()
        for box in page.locator(SEL["checklist"]).all():
            box.check()
        _role(page, "approve").click()
        page.wait_for_url(f"{self.base}/moderation/")
        return f"second factor enrolled by e-mail link and QR ({codes} recovery codes), approved"

    def publish(self) -> str:
        page = self.staff
        page.get_by_role("link", name=self.title).first.click() if page.get_by_role(
            "link", name=self.title
        ).count() else None
        if _role(page, "publish").count() == 0:
            page.goto(f"{self.base}/moderation/?status=approved")
            page.get_by_role("link", name=self.title).click()
        _role(page, "publish").click()
        page.wait_for_load_state()

        def published() -> str:
            for video_id, video in _standin_state(self.shape)["videos"].items():
                # Public before the withdrawal (YOUTUBE_PRIVACY=public), so that "private"
                # afterwards is the takedown's doing.
                if video.get("title", "").startswith(self.title[:20]) and (
                    video.get("privacyStatus") == "public"
                ):
                    return str(video_id)
            return ""

        self.video_id = wait_for(published, timeout=WAIT, what="the video on the stand-in",
                                 stack=self.shape.stack)  # fmt: skip
        return f"video {self.video_id} is public on the stand-in"

    def embed(self) -> str:
        page = self._page()
        google: list[str] = []
        page.route(re.compile(r"youtube-nocookie\.com"), lambda route: route.fulfill(
            status=200, content_type="text/html", body="<p>player</p>"))  # fmt: skip
        page.on("request", lambda r: google.append(r.url) if "youtube" in r.url else None)

        def listed() -> bool:
            page.goto(f"{self.base}/geschichten/")
            return page.get_by_role("link", name=self.title).count() > 0

        wait_for(listed, timeout=WAIT, what="the story in the gallery", stack=self.shape.stack)
        page.get_by_role("link", name=self.title).first.click()
        page.wait_for_load_state("networkidle")
        assert not google, f"YouTube contacted before the click: {google}"
        _role(page, "embed_load").click()
        page.locator(SEL["embed_frame"]).wait_for()
        src = page.locator(SEL["embed_frame"]).get_attribute("src") or ""
        assert self.video_id in src, f"embed {src} is not video {self.video_id}"
        return f"iframe only after the click: {src.split('?')[0]}"

    def kit(self) -> str:
        page = self._page()
        page.goto(f"{self.base}/partner/login/?next=/partner/kit/")
        page.locator(SEL["login_user"]).fill("verein")
        page.locator(SEL["login_password"]).fill(self.shape.password)
        _role(page, "partner_login_submit").click()
        page.wait_for_url(re.compile(r"/partner/(kit/)?$"))

        def zipped() -> Any:
            response = page.request.get(f"{self.base}/partner/kit/zip/")
            return response if response.status == 200 and response.body()[:2] == b"PK" else None

        response = wait_for(zipped, timeout=WAIT, what="the partner kit", stack=self.shape.stack)
        return f"kit ZIP {len(response.body())} bytes"

    def withdraw(self) -> str:
        page = self.page
        page.goto(self.status_url)
        page.locator(SEL["withdraw_confirm"]).check()
        _role(page, "withdraw").click()
        page.wait_for_load_state()

        def taken_down() -> str:
            video = _standin_state(self.shape)["videos"].get(self.video_id)
            if video is None:
                return "deleted"
            status = video.get("privacyStatus") or video.get("status", {}).get("privacyStatus")
            return str(status) if status == "private" else ""

        state = wait_for(taken_down, timeout=WAIT, what="the takedown on the stand-in",
                         stack=self.shape.stack)  # fmt: skip
        return f"video {self.video_id} is {state} on the stand-in"


# --- Main -----------------------------------------------------------------------------------
def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--keep", action="store_true", help="keep the temporary folder")
    args = parser.parse_args()
    started = time.monotonic()
    work = Path(tempfile.mkdtemp(prefix="zm-production-check-"))
    # PostgreSQL (its own user) and nginx's workers (nobody, when run by root) need to enter.
    os.chmod(work, 0o755)  # noqa: S103
    stack = Stack(work)
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))
    report = Report()
    try:
        shape = Shape(stack)
        shape.up()
        print("Checks, through nginx only:", flush=True)
        report.run("(b) security headers as served through nginx", lambda: check_headers(shape))
        report.run(
            "(d) two clients behind the trusted proxy are limited separately",
            lambda: check_rate_limits_behind_proxy(shape),
        )
        report.run(
            "(d) X-Forwarded-For from an untrusted address is ignored",
            lambda: check_untrusted_forwarded_for(shape),
        )
        Journey(shape, report).run()
        report.run(
            "(c) /healthz within 1 s while 20 slow uploads are held open",
            lambda: check_slow_uploads(shape),
        )
        stack.check_alive()
    except KeyboardInterrupt:
        print("\nInterrupted.", flush=True)
        report.failures += 1
    except Exception:  # noqa: BLE001 - the set-up failed: say where
        traceback.print_exc()
        for name, _process in stack.processes:
            tail = stack.log_tail(name, 15)
            if tail:
                print(f"--- {name} (last lines) ---\n{tail}")
        report.failures += 1
    finally:
        stack.stop()
        if args.keep:
            print("Kept", work)
        else:
            shutil.rmtree(work, ignore_errors=True)
    elapsed = time.monotonic() - started
    verdict = "FAILED" if report.failures else "passed"
    print(f"\nproduction-check {verdict} ({report.failures} failures) in {elapsed:.0f} s")
    return 1 if report.failures else 0


if __name__ == "__main__":
    sys.exit(main())
