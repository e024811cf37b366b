"""The kit lifecycle: one table of allowed transitions, one transition service, one
"stuck" rule that the pipeline page, the reconciler and the kit page all share."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from django.utils import timezone

from kernel.errors import ConflictError
from publishing.partners.models import PartnerKit
from stories.models import AuditEntry

pytestmark = pytest.mark.django_db

S = PartnerKit.Status


def _kit(slot: str, **fields: Any) -> PartnerKit:
    kit = PartnerKit.objects.create(slot=slot)
    PartnerKit.objects.filter(pk=kit.pk).update(**fields)
    kit.refresh_from_db()
    return kit


def test_pipeline_reconciler_and_kit_page_agree_on_which_kits_are_stuck(settings: Any) -> None:
    import workers.tasks.kits
    from publishing.partners.selectors import kit_state
    from workers.pipeline import KIT, pipeline_problems

    now = timezone.now()
    old = now - timedelta(seconds=settings.JOB_STUCK_AFTER + 60)
    fresh = now - timedelta(seconds=10)
    kits = {
        "stale-old": _kit("stale-old", status=S.STALE, requested_at=old),
        "stale-fresh": _kit("stale-fresh", status=S.STALE, requested_at=fresh),
        # a row marked generating whose worker never wrote started_at
        "gen-nostart": _kit("gen-nostart", status=S.GENERATING, requested_at=old, started_at=None),
        "gen-old": _kit("gen-old", status=S.GENERATING, requested_at=old, started_at=old),
        "gen-fresh": _kit("gen-fresh", status=S.GENERATING, requested_at=old, started_at=fresh),
        "ready": _kit("ready", status=S.READY, requested_at=old, started_at=old),
    }
    expected = {kits[name].pk for name in ("stale-old", "gen-nostart", "gen-old")}

    reconciler = set(workers.tasks.kits._find_stuck(now))
    page = {
        row.job_id
        for row in pipeline_problems(now=now)
        if row.kind == KIT and row.problem == "stuck"
    }
    kit_page = {kit.pk for kit in kits.values() if kit_state(kit=kit, now=now) == "failed"}
    assert reconciler == expected
    assert page == expected
    assert kit_page == expected


def test_the_transition_table_refuses_what_it_does_not_list() -> None:
    from publishing.partners.lifecycle import KIT_TRANSITIONS, kit_transition

    kit = _kit("t1", status=S.READY)
    assert S.FAILED not in KIT_TRANSITIONS[S.READY]  # a finished kit does not fail later
    with pytest.raises(ConflictError):
        kit_transition(kit_id=kit.pk, to=S.FAILED, action="partners.kit.fail")
    kit.refresh_from_db()
    assert kit.status == S.READY
    assert not AuditEntry.objects.filter(action="partners.kit.fail").exists()


def test_every_transition_writes_one_audit_entry() -> None:
    from publishing.partners.lifecycle import kit_transition

    kit = _kit("t2", status=S.STALE)
    kit_transition(kit_id=kit.pk, to=S.GENERATING, action="partners.kit.generate")
    kit_transition(
        kit_id=kit.pk,
        to=S.FAILED,
        action="partners.kit.fail",
        changes={"failure_reason": "KeyError: 106"},
    )
    kit.refresh_from_db()
    assert kit.status == S.FAILED and kit.failure_reason == "KeyError: 106"
    entries = list(AuditEntry.objects.filter(action__startswith="partners.kit.").order_by("pk"))
    assert [(e.before["status"], e.after["status"]) for e in entries] == [
        ("stale", "generating"),
        ("generating", "failed"),
    ]
    assert all(e.after["kit"] == "t2" for e in entries)


def test_retrying_a_stuck_kit_from_the_pipeline_is_audited(settings: Any) -> None:
    from publishing.partners import services
    from workers.pipeline import KIT, pipeline_retry

    kit = services.kit_request(partner=None)
    old = timezone.now() - timedelta(seconds=settings.JOB_STUCK_AFTER + 60)
    PartnerKit.objects.filter(pk=kit.pk).update(
        status=S.GENERATING, started_at=old, requested_at=old
    )
    before = AuditEntry.objects.count()
    pipeline_retry(kind=KIT, job_id=kit.pk, actor=None)
    kit.refresh_from_db()
    assert kit.status == S.STALE
    actions = list(AuditEntry.objects.order_by("pk").values_list("action", flat=True)[before:])
    # the abandoned run is failed on the record, then the kit asked for again
    assert actions[0] == "partners.kit.fail"
    assert "partners.kit.request" in actions
    assert actions[-1] == "workers.pipeline.retry"
