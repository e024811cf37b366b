from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError

from workers.doctor import run_all


class Command(BaseCommand):
    help = "Check ffmpeg, text shaping, database, Redis, storage and e-mail; say how to fix."

    def handle(self, *args: Any, **options: Any) -> None:
        results = run_all()
        for result in results:
            mark = self.style.SUCCESS("OK  ") if result.ok else self.style.ERROR("FAIL")
            self.stdout.write(f"{mark} {result.name:<13} {result.detail}")
            if not result.ok and result.fix:
                self.stdout.write(f"     fix: {result.fix}")
        failed = [r.name for r in results if not r.ok]
        if failed:
            raise CommandError(f"{len(failed)} check(s) failed: {', '.join(failed)}")
        self.stdout.write(self.style.SUCCESS("Everything is ready."))
