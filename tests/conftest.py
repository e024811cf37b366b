"""Shared fixtures: real redis-server, real Celery worker, real Chromium, temp media."""

from __future__ import annotations

import os
import shutil
import tempfile
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from django.conf import settings as django_settings

from tests.support.services import ROOT, CeleryWorker, RedisServer

# Shared fixtures: one YouTube stand-in and publish worker; an S3 server (moto).
pytest_plugins = ["tests.support.publishing_fixtures", "tests.support.s3"]

# Playwright's sync API keeps an event loop in the test thread; the ORM calls the tests
# make beside it are still synchronous, so Django's async guard does not apply here.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
ARTIFACTS = ROOT / "var" / "test-artifacts"


@pytest.fixture(scope="session")
def session_dir() -> Iterator[Path]:
    path = Path(tempfile.mkdtemp(prefix="zm-test-"))
    yield path
    shutil.rmtree(path, ignore_errors=True)


@pytest.fixture(scope="session")
def media_root(session_dir: Path) -> Path:
    path = session_dir / "media"
    path.mkdir()
    return path


@pytest.fixture(scope="session")
def mail_dir(session_dir: Path) -> Path:
    path = session_dir / "mail"
    path.mkdir()
    return path


@pytest.fixture(scope="session", autouse=True)
def redis_server() -> Iterator[RedisServer]:
    """Every test session has its own redis-server; the app and Celery point at it."""
    from config.celery_app import app

    server = RedisServer()
    server.start()
    previous = django_settings.REDIS_URL
    django_settings.REDIS_URL = server.url
    app.conf.broker_url = server.url
    yield server
    django_settings.REDIS_URL = previous
    server.cleanup()


@pytest.fixture(autouse=True)
def _empty_cache() -> None:
    """Cached pages and facets never leak from one test into the next."""
    from django.core.cache import cache

    cache.clear()


@pytest.fixture(autouse=True)
def _generous_rate_limits(settings: Any) -> None:
    """Every test comes from 127.0.0.1: limits are for the tests that test them."""
    settings.UPLOAD_CREATE_RATE = "100000/hour"
    settings.FORM_DRAFT_RATE = "100000/hour"
    settings.FORM_SUBMIT_RATE = "100000/hour"
    settings.GALLERY_FEEDBACK_RATE = "100000/hour"
    settings.PARTNER_REGISTER_RATE = "100000/hour"


@pytest.fixture(autouse=True)
def _media_storage(settings: Any, media_root: Path) -> None:
    """Media go to a temp folder that the worker process shares."""
    settings.MEDIA_ROOT = media_root
    settings.STORAGES = {
        **settings.STORAGES,
        "default": {
            "BACKEND": "django.core.files.storage.FileSystemStorage",
            "OPTIONS": {"location": str(media_root), "base_url": "/media/"},
        },
    }


def database_url() -> str:
    """The URL of the database the tests use, for processes started by the tests."""
    from django.db import connection

    conf = connection.settings_dict
    if conf["ENGINE"] == "django.db.backends.sqlite3":
        return f"sqlite:///{Path(conf['NAME']).resolve()}"
    user = conf.get("USER") or ""
    password = f":{conf['PASSWORD']}" if conf.get("PASSWORD") else ""
    auth = f"{user}{password}@" if user else ""
    port = f":{conf['PORT']}" if conf.get("PORT") else ""
    return f"postgres://{auth}{conf.get('HOST') or '127.0.0.1'}{port}/{conf['NAME']}"


@pytest.fixture(scope="session")
def process_env(
    django_db_setup: None,
    django_db_blocker: Any,
    redis_server: RedisServer,
    media_root: Path,
    mail_dir: Path,
) -> dict[str, str]:
    """Environment for product processes started by tests (workers, servers)."""
    with django_db_blocker.unblock():
        url = database_url()
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "config.settings.test",
        "DATABASE_URL": url,
        "REDIS_URL": redis_server.url,
        "MEDIA_ROOT": str(media_root),
        "EMAIL_BACKEND": "django.core.mail.backends.filebased.EmailBackend",
        "EMAIL_FILE_PATH": str(mail_dir),
        "CELERY_EXTRA_IMPORTS": "tests.support.tasks",
        # Encoding quality is tested in tests/workers/media; flows only need it quick.
        "MEDIA_X264_PRESET": "veryfast",
        "PYTHONUNBUFFERED": "1",
    }
    return env


@pytest.fixture(scope="session")
def celery_worker_process(process_env: dict[str, str], session_dir: Path) -> Iterator[CeleryWorker]:
    worker = CeleryWorker(env=process_env, log_path=session_dir / "worker.log")
    worker.start()
    yield worker
    worker.stop()


@pytest.fixture
def celery_worker(
    celery_worker_process: CeleryWorker, redis_server: RedisServer, transactional_db: None
) -> Iterator[CeleryWorker]:
    """A running worker for one test; restarted if a previous test killed it."""
    if celery_worker_process.process is None or celery_worker_process.process.poll() is not None:
        celery_worker_process.stop()
        celery_worker_process.start()
    yield celery_worker_process


# --- Browser ------------------------------------------------------------------
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


@pytest.fixture(scope="session")
def browser() -> Iterator[Any]:
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS
        )
        yield browser
        browser.close()


@pytest.fixture
def page(browser: Any, request: pytest.FixtureRequest) -> Iterator[Any]:
    context = browser.new_context(locale="de-DE", viewport={"width": 1280, "height": 900})
    context.set_default_timeout(15_000)
    page = context.new_page()
    yield page
    if getattr(request.node, "rep_call", None) is not None and request.node.rep_call.failed:
        ARTIFACTS.mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(ARTIFACTS / f"{request.node.name}.png"), full_page=True)
    context.close()


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item: pytest.Item, call: pytest.CallInfo[None]) -> Iterator[None]:
    outcome = yield
    report = outcome.get_result()  # type: ignore[attr-defined]
    setattr(item, f"rep_{report.when}", report)


AXE_JS = ROOT / "node_modules" / "axe-core" / "axe.min.js"


def axe_violations(page: Any) -> list[dict[str, Any]]:
    """Run axe-core in the page against WCAG 2.1 A/AA rules; returns the violations.

    axe is evaluated through the DevTools protocol rather than added as a <script> tag: the
    product's Content-Security-Policy (rightly) refuses inline scripts in its pages.
    """
    if not page.evaluate("() => typeof window.axe !== 'undefined'"):
        page.evaluate(f"() => {{ {AXE_JS.read_text()}\n}}")
    result = page.evaluate(
        """async () => await axe.run(document, {
            runOnly: {type: 'tag', values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa']}
        })"""
    )
    return [
        {"id": v["id"], "help": v["help"], "nodes": [n["target"] for n in v["nodes"]][:5]}
        for v in result["violations"]
    ]
