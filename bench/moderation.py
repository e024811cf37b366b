"""Benchmark the moderation queue: constant query count and latency under concurrency.

Migrates a temporary SQLite database, creates waiting stories in bulk (a third of them
claimed and assigned, each with a current video row, so every join of the queue is
exercised) and reports:

- the queue page's query count at 10, 1,000 and 10,000 waiting stories (must be equal),
- the queue page's median and 95th-percentile latency and the request rate with
  ``--clients`` concurrent wrk connections for ``--seconds`` (Python threads ×
  ``--requests`` when wrk is missing), against gunicorn on loopback with a logged-in
  moderator's session cookie. Target: median <= 100 ms at 10,000 waiting stories.

``--json`` prints the figures as JSON on the last line.

    .venv/bin/python bench/moderation.py [--stories 10000] [--clients 8] [--requests 50]
        [--workers 4] [--json]
"""

from __future__ import annotations

import argparse
import json
import secrets
import shutil
import subprocess
import tempfile
from datetime import timedelta
from pathlib import Path
from typing import Any

from common import (
    bulk_stories,
    environment,
    have_wrk,
    load_threads,
    load_wrk,
    query_count,
    setup_django,
    start_gunicorn,
    start_redis,
    stop_server,
)

TARGET_MEDIAN_MS = 100.0


def add_stories(count: int, *, moderator: Any) -> None:
    """Bulk-create ``count`` waiting stories with claims, assignments and video rows."""
    from django.utils import timezone

    from moderation.models import Claim, Review
    from stories.models import Story

    created = bulk_stories(
        count,
        status=Story.Status.IN_REVIEW,
        has_minor=lambda n: n % 7 == 0,
        revised=lambda n: n % 11 == 0,
        media=lambda _story: {"preview_key": "x"},
    )
    third = created[::3]
    expires = timezone.now() + timedelta(hours=1)
    Review.objects.bulk_create([Review(story=s, assignee=moderator) for s in third])
    Claim.objects.bulk_create([Claim(story=s, holder=moderator, expires_at=expires) for s in third])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--stories", type=int, default=10_000)
    parser.add_argument("--clients", type=int, default=8)
    parser.add_argument("--requests", type=int, default=50)
    parser.add_argument("--workers", type=int, default=4)
    parser.add_argument("--seconds", type=int, default=10, help="wrk run length")
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args()

    var_dir = Path(tempfile.mkdtemp(prefix="zm-bench-moderation-"))
    env = environment(var_dir, MODERATION_REQUIRE_2FA="false")
    server: subprocess.Popen[bytes] | None = None
    # The product's shared cache (the queue's fragments) lives in Redis, as in production.
    redis_server, env["REDIS_URL"] = start_redis(var_dir)
    try:
        setup_django(env)
        from django.conf import settings
        from django.contrib.auth.models import Group, User
        from django.test import Client

        settings.ALLOWED_HOSTS = ["*"]
        moderator = User.objects.create_user(
            "bench-mod", password=secrets.token_urlsafe(), is_staff=True
        )
        moderator.groups.add(Group.objects.get(name="moderator"))
        client = Client()
        client.force_login(moderator)

        counts: dict[str, int] = {}
        total = 0
        for target in sorted({t for t in (10, 1_000, args.stories) if t <= args.stories}):
            add_stories(target - total, moderator=moderator)
            total = target
            query_count(client, "/moderation/")  # warm caches (content types, permissions)
            counts[str(target)] = query_count(client, "/moderation/")
        cookie = {settings.SESSION_COOKIE_NAME: client.cookies[settings.SESSION_COOKIE_NAME].value}

        server, base = start_gunicorn(
            env,
            workers=args.workers,
            log=var_dir / "gunicorn.log",
            ready_url="/moderation/",
            cookies=cookie,
        )
        url = f"{base}/moderation/"
        # wrk (C) leaves the 2 cores to the server; Python threads only when it is missing.
        latency = (
            load_wrk(url, args.clients, args.seconds, cookies=cookie)
            if have_wrk()
            else load_threads(url, args.clients, args.requests, cookies=cookie)
        )

        result = {
            "stories": args.stories,
            "queue_queries": counts,
            "queries_constant": len(set(counts.values())) == 1,
            "clients": args.clients,
            "requests_per_client": args.requests,
            "gunicorn_workers": args.workers,
            **latency,
            "target_median_ms": TARGET_MEDIAN_MS,
            "target_met": float(latency["median_ms"]) <= TARGET_MEDIAN_MS,
        }
        print("Moderation queue (/moderation/, 25 per page, in review, oldest first)")
        for rows, n in counts.items():
            print(f"  queries at {int(rows):>6} waiting stories: {n}")
        print(
            f"  {args.clients} clients x {args.requests} requests on {args.stories} stories: "
            f"median {latency['median_ms']} ms, p95 {latency['p95_ms']} ms, "
            f"{latency['requests_per_second']} requests/s ({args.workers} gunicorn workers, "
            f"{latency.get('tool', 'threads')}; target median <= {TARGET_MEDIAN_MS:g} ms)"
        )
        if args.json:
            print(json.dumps(result))
        if not result["queries_constant"]:
            raise SystemExit("the queue's query count grows with the number of rows")
    finally:
        stop_server(server)
        redis_server.terminate()
        shutil.rmtree(var_dir, ignore_errors=True)


if __name__ == "__main__":
    main()
