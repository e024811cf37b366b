"""Benchmark the partner kit: one partner's full kit from scratch, and the cached ZIP served.

Migrates a temporary SQLite database with media in a temporary folder, registers and
approves one partner with a logo and **all six languages** (``--languages`` to change),
then reports:

- the wall and CPU time of ``kit_generate`` from scratch (every banner at 1x and 2x as PNG and
  WebP, every social image, every flyer and poster as RGB and CMYK PDF, the texts, the guide
  and the ZIP written to storage) – the same service the Celery task runs, in this process;
  target < 10 s for the six-language kit on a 2-core machine;
- the median and 95th-percentile latency of ``GET /partner/kit/zip/`` for the logged-in
  partner, through Django's full WSGI stack (the test client runs every middleware, the
  session and auth lookups, the download log write and the streamed file response, reading
  the whole body); target ≤ 100 ms.

``--json`` prints the figures as JSON on the last line.

    .venv/bin/python bench/partner_kit.py [--languages de,en,ar,fa,uk,tr] [--downloads 30] [--json]
"""

from __future__ import annotations

import argparse
import io
import json
import os
import shutil
import statistics
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]


def setup(var_dir: Path) -> None:
    os.environ.update(
        {
            "VAR_DIR": str(var_dir),
            "MEDIA_ROOT": str(var_dir / "media"),
            "DJANGO_SETTINGS_MODULE": "config.settings.local",
            "DJANGO_DEBUG": "false",
            "DATABASE_URL": f"sqlite:///{var_dir / 'bench.sqlite3'}",
            "LOG_LEVEL": "WARNING",
        }
    )
    sys.path.insert(0, str(ROOT))
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0)


def logo_png() -> bytes:
    from PIL import Image, ImageDraw

    logo = Image.new("RGBA", (1200, 300), (0, 0, 0, 0))
    draw = ImageDraw.Draw(logo)
    draw.ellipse((0, 0, 300, 300), fill=(139, 0, 0, 255))
    draw.rectangle((360, 80, 1200, 220), fill=(20, 20, 20, 255))
    out = io.BytesIO()
    logo.save(out, format="PNG")
    return out.getvalue()


def run(languages: list[str], downloads: int) -> dict[str, Any]:
    from django.conf import settings
    from django.test import Client

    from publishing.partners import services
    from publishing.partners.models import PartnerKit

    settings.ALLOWED_HOSTS = ["testserver"]
    partner = services.partner_register(
        name="Ev.-luth. Kirchengemeinde Celle",
        contact_name="Clara Kontakt",
        email="clara@kirche.example",
        logo=logo_png(),
        languages=languages,
    )
    # Approval asks for the kit on commit; no broker runs here, so the enqueue is skipped
    # and the service the task would call runs in this process instead.
    from publishing.partners import kit_services

    kit_services._enqueue = lambda kit_id: None
    services.partner_approve(partner=partner, actor=None)
    kit = PartnerKit.objects.get(partner=partner)

    wall, cpu = time.perf_counter(), time.process_time()
    services.kit_generate(kit_id=kit.pk)
    wall, cpu = time.perf_counter() - wall, time.process_time() - cpu
    kit.refresh_from_db()
    assert kit.status == PartnerKit.Status.READY, kit.failure_reason

    client = Client()
    assert partner.pk is not None
    partner.refresh_from_db()
    client.force_login(partner.user)  # type: ignore[arg-type]
    latencies: list[float] = []
    size = 0
    for _ in range(downloads + 2):
        began = time.perf_counter()
        response = client.get("/partner/kit/zip/")
        size = sum(len(chunk) for chunk in response.streaming_content)  # type: ignore[attr-defined,misc]
        latencies.append(time.perf_counter() - began)
        assert response.status_code == 200
    latencies = sorted(latencies[2:])  # the first requests warm caches and imports
    files = [f for f in kit.manifest["files"] if f["kind"] != "preview"]
    return {
        "languages": languages,
        "files": len(files),
        "warnings": len(kit.manifest["warnings"]),
        "generate_wall_s": round(wall, 3),
        "generate_cpu_s": round(cpu, 3),
        "phase_cpu_s": kit.manifest["timings"],
        "zip_bytes": size,
        "zip_downloads": downloads,
        "zip_median_ms": round(statistics.median(latencies) * 1000, 2),
        "zip_p95_ms": round(latencies[int(len(latencies) * 0.95) - 1] * 1000, 2),
        "cpus": os.cpu_count(),
        "load_1m": round(os.getloadavg()[0], 2),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--languages", default="de,en,ar,fa,uk,tr")
    parser.add_argument("--downloads", type=int, default=30)
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args()
    var_dir = Path(tempfile.mkdtemp(prefix="zm-bench-kit-"))
    try:
        setup(var_dir)
        result = run(args.languages.split(","), args.downloads)
    finally:
        shutil.rmtree(var_dir, ignore_errors=True)
    print(
        f"partner kit ({', '.join(result['languages'])}): {result['files']} files, "
        f"generated from scratch in {result['generate_wall_s']:.2f} s wall "
        f"({result['generate_cpu_s']:.2f} s CPU; target < 10 s)"
    )
    print(
        f"cached ZIP ({result['zip_bytes'] / 1024**2:.1f} MiB) through the WSGI stack: "
        f"median {result['zip_median_ms']:.1f} ms, p95 {result['zip_p95_ms']:.1f} ms "
        f"over {result['zip_downloads']} downloads (target ≤ 100 ms)"
    )
    if args.json:
        print(json.dumps(result))


if __name__ == "__main__":
    main()
