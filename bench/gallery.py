"""Benchmark the public gallery: constant query count and latency under 50 clients.

Migrates a temporary SQLite database, creates published stories in bulk (each with a ready
video row carrying a poster key and a published YouTube publication, so every subquery of
the gallery is exercised) and reports:

- the query count of the gallery page and of a story page at 10 and at ``--stories``
  published stories (must be equal),
- median and 95th-percentile latency and the request rate of ``/geschichten/`` and of a
  story page with ``--clients`` concurrent wrk connections for ``--seconds`` (a bounded
  Python thread pool when wrk is missing), against gunicorn on loopback, once with the
  public page cache off in the server (``PUBLIC_PAGE_CACHE_SECONDS=0``) and once with it.

Target: gallery median ≤ 100 ms with the page cache off.
``--json`` prints the figures as JSON on the last line.

    .venv/bin/python bench/gallery.py [--stories 10000] [--clients 50] [--requests 10]
        [--workers 4] [--json]
"""

from __future__ import annotations

import argparse
import json
import shutil
import subprocess
import tempfile
import time
from datetime import timedelta
from pathlib import Path

import requests
from common import (
    LANGUAGES,
    bulk_stories,
    environment,
    free_port,
    have_wrk,
    load_threads,
    load_wrk,
    query_count,
    setup_django,
    start_gunicorn,
    stop_server,
)

# With the page cache off (issue 18): the page must be fast in itself.
TARGET_MEDIAN_MS = 100.0


def add_stories(count: int, *, offset: int) -> None:
    """Bulk-create ``count`` published stories with media rows and publications."""
    from django.utils import timezone

    from publishing.youtube.models import Publication
    from stories.models import Story

    created = bulk_stories(
        count,
        offset=offset,
        status=Story.Status.PUBLISHED,
        title=lambda n: f"Geschichte {n}: gemeinsam geschafft",
        video_language=lambda n: LANGUAGES[n % len(LANGUAGES)],
        credit=Story.Credit.FIRST_NAME,
        submitted_at=lambda n: timezone.now() - timedelta(minutes=n, days=2),
        media=lambda s: {"poster_key": f"stories/{s.public_id}/media-1/poster.jpg"},
    )
    now = timezone.now()
    Publication.objects.bulk_create(
        [
            Publication(
                story=s,
                status=Publication.Status.PUBLISHED,
                video_id=f"v{s.pk:010d}",
                published_at=now,
            )
            for s in created
        ],
        batch_size=1000,
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--stories", type=int, default=10_000)
    parser.add_argument("--clients", type=int, default=50)
    parser.add_argument("--requests", type=int, default=10)
    parser.add_argument("--workers", type=int, default=4)
    parser.add_argument("--seconds", type=int, default=10, help="wrk run length per page")
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args()

    var_dir = Path(tempfile.mkdtemp(prefix="zm-bench-gallery-"))
    env = environment(var_dir)
    server: subprocess.Popen[bytes] | None = None
    # The product's shared cache lives in Redis, as in production.
    redis_port = free_port()
    redis_server = subprocess.Popen(
        [
            "redis-server",
            "--bind",
            "127.0.0.1",
            "--port",
            str(redis_port),
            "--save",
            "",
            "--appendonly",
            "no",
            "--dir",
            str(var_dir),
        ],
        stdout=subprocess.DEVNULL,
    )
    env["REDIS_URL"] = f"redis://127.0.0.1:{redis_port}/0"
    try:
        setup_django(env)
        from django.conf import settings
        from django.test import Client

        from stories.models import Story

        settings.ALLOWED_HOSTS = ["*"]
        # Count what rendering a page costs, not what the page cache saves.
        settings.PUBLIC_PAGE_CACHE_SECONDS = 0
        client = Client()
        add_stories(10, offset=0)
        story_path = f"/geschichten/{Story.objects.order_by('id').first().public_id}/"  # type: ignore[union-attr]
        counts: dict[str, dict[str, int]] = {"gallery": {}, "story": {}}
        total = 10
        for target in (10, args.stories):
            if target > total:
                started = time.perf_counter()
                add_stories(target - total, offset=total)
                print(f"created {target - total} stories in {time.perf_counter() - started:.1f} s")
                total = target
            for name, path in (("gallery", "/geschichten/"), ("story", story_path)):
                query_count(client, path)  # warm caches
                counts[name][str(target)] = query_count(client, path)

        measure = (
            (lambda url: load_wrk(url, args.clients, args.seconds))
            if have_wrk()
            else (lambda url: load_threads(url, args.clients, args.requests))
        )
        # Twice: the server without its page cache (every public change empties it, so
        # visitors meet this path) and with it. The setting goes to gunicorn's environment:
        # changing it here would only change this process.
        latency: dict[str, dict[str, float | int | str]] = {}
        for mode, cache_seconds in (("cold", "0"), ("cached", "60")):
            server, base = start_gunicorn(
                {**env, "PUBLIC_PAGE_CACHE_SECONDS": cache_seconds},
                workers=args.workers,
                log=var_dir / f"gunicorn-{mode}.log",
                ready_url="/geschichten/",
            )
            try:
                for _ in range(args.workers * 3):  # warm every worker on the story page too
                    requests.get(f"{base}{story_path}", timeout=60)
                latency[f"gallery_{mode}"] = measure(f"{base}/geschichten/")
                latency[f"story_{mode}"] = measure(f"{base}{story_path}")
            finally:
                stop_server(server)
                server = None
        result = {
            "stories": args.stories,
            "queries": counts,
            "queries_constant": all(len(set(c.values())) == 1 for c in counts.values()),
            "clients": args.clients,
            "requests_per_client": args.requests,
            "gunicorn_workers": args.workers,
            "latency": latency,
            "gallery_median_ms": latency["gallery_cold"]["median_ms"],
            "gallery_cached_median_ms": latency["gallery_cached"]["median_ms"],
            "story_median_ms": latency["story_cold"]["median_ms"],
            "story_cached_median_ms": latency["story_cached"]["median_ms"],
            "target_median_ms": TARGET_MEDIAN_MS,
            "target_met": float(latency["gallery_cold"]["median_ms"]) <= TARGET_MEDIAN_MS,
        }
        print(
            f"Public gallery ({args.stories} published stories, SQLite, gunicorn x{args.workers})"
        )
        for name in ("gallery", "story"):
            queries = ", ".join(f"{n} at {int(k):,}" for k, n in counts[name].items())
            print(f"  {name:7} queries {queries}")
            for mode, label in (("cold", "page cache off"), ("cached", "page cache on")):
                figures = latency[f"{name}_{mode}"]
                print(
                    f"    {label:14} {args.clients} clients ({figures.get('tool', 'threads')}): "
                    f"median {figures['median_ms']} ms, p95 {figures['p95_ms']} ms, "
                    f"{figures['requests_per_second']} requests/s"
                )
        if args.json:
            print(json.dumps(result))
    finally:
        stop_server(server)
        redis_server.terminate()
        shutil.rmtree(var_dir, ignore_errors=True)


if __name__ == "__main__":
    main()
