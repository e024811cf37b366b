"""The workspace pages over HTTP: access, queue filters and query counts, actions, media, log."""

from __future__ import annotations

import csv
import io
from datetime import timedelta
from typing import Any

import pytest
from django.contrib.auth.models import User
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.test import Client
from django.utils import timezone

from moderation.models import Claim, Review
from moderation.services import CHECKLIST, approvals_needed, claim_take, story_approve
from stories.models import AuditEntry, Region, Story

from .factories import StoryFactory, attach_media, make_user

pytestmark = pytest.mark.django_db
S = Story.Status


def _login(user: User) -> Client:
    client = Client()
    client.force_login(user)
    return client


# --- Access -------------------------------------------------------------------------------
PAGES = ["/moderation/", "/moderation/audit/", "/moderation/audit/export.csv"]


@pytest.mark.parametrize("path", PAGES)
def test_anonymous_visitors_are_sent_to_the_login(client: Client, path: str) -> None:
    response = client.get(path)
    assert response.status_code == 302
    assert response["Location"].startswith("/moderation/anmelden/?next=")


@pytest.mark.parametrize("path", PAGES)
def test_partners_are_refused(partner: User, path: str) -> None:
    assert _login(partner).get(path).status_code == 403


@pytest.mark.parametrize("role", ["moderator", "publisher", "campaign_admin"])
def test_staff_roles_open_the_workspace(role: str) -> None:
    StoryFactory()
    assert _login(make_user(role)).get("/moderation/").status_code == 200


def test_story_page_and_actions_are_staff_only(story: Story, partner: User) -> None:
    anonymous = Client()
    assert anonymous.get(f"/moderation/stories/{story.pk}/").status_code == 302
    assert anonymous.post(f"/moderation/stories/{story.pk}/approve/").status_code == 302
    assert _login(partner).get(f"/moderation/stories/{story.pk}/").status_code == 403
    assert _login(partner).post(f"/moderation/stories/{story.pk}/claim/").status_code == 403


def test_campaign_admin_may_look_but_not_decide(story: Story, campaign_admin: User) -> None:
    client = _login(campaign_admin)
    page = client.get(f"/moderation/stories/{story.pk}/").content.decode()
    assert "Freigeben" not in page
    response = client.post(
        f"/moderation/stories/{story.pk}/approve/", {"checklist": list(CHECKLIST)}
    )
    assert response.status_code == 403
    story.refresh_from_db()
    assert story.status == S.IN_REVIEW


# --- Queue --------------------------------------------------------------------------------
def test_queue_shows_waiting_stories_oldest_first_with_counts(moderator: User) -> None:
    old = StoryFactory(title="Alt", status_changed_at=timezone.now() - timedelta(days=9))
    new = StoryFactory(title="Neu", status_changed_at=timezone.now() - timedelta(hours=1))
    StoryFactory(title="Schon entschieden", status=S.APPROVED)
    page = _login(moderator).get("/moderation/").content.decode()
    assert page.index(f'data-story="{old.pk}"') < page.index(f'data-story="{new.pk}"')
    assert "Schon entschieden" not in page
    assert 'data-status="in_review">In Prüfung <span class="ws-count">2</span>' in page
    assert 'data-status="approved">Freigegeben <span class="ws-count">1</span>' in page


def _ids(client: Client, **query: Any) -> set[int]:
    response = client.get("/moderation/", query)
    assert response.status_code == 200
    return {story.pk for story in response.context["rows"]}


def test_queue_filters(moderator: User, moderator2: User) -> None:
    client = _login(moderator)
    hanover = Region.objects.get(slug="region-hannover")
    plain = StoryFactory()
    minor_pending = StoryFactory(has_minor=True, region=hanover)
    minor_ok = StoryFactory(has_minor=True, guardian_confirmed_at=timezone.now())
    waiting = StoryFactory(status_changed_at=timezone.now() - timedelta(days=10))
    revised = StoryFactory(revised=True, title="Überarbeitet: Meisterbrief")
    arabic = StoryFactory(language="ar")
    rejected = StoryFactory(status=S.REJECTED)
    Review.objects.create(story=plain, assignee=moderator)
    claim_take(story_id=arabic.pk, actor=moderator)
    claim_take(story_id=revised.pk, actor=moderator2)

    everything = {plain, minor_pending, minor_ok, waiting, revised, arabic}
    assert _ids(client) == {s.pk for s in everything}
    assert _ids(client, status="") == {s.pk for s in everything} | {rejected.pk}
    assert _ids(client, status="rejected") == {rejected.pk}
    assert _ids(client, region=hanover.pk) == {minor_pending.pk}
    assert _ids(client, minor="yes") == {minor_pending.pk, minor_ok.pk}
    assert _ids(client, minor="guardian_pending") == {minor_pending.pk}
    assert _ids(client, waiting_days=7) == {waiting.pk}
    assert _ids(client, mine="assigned") == {plain.pk}
    assert _ids(client, mine="claimed") == {arabic.pk}
    assert _ids(client, revised="on") == {revised.pk}
    assert _ids(client, language="ar") == {arabic.pk}
    assert _ids(client, q="meisterbrief") == {revised.pk}
    page = client.get("/moderation/").content.decode()
    assert "bei max" in page  # others see who holds a story


def test_queue_paginates(moderator: User, settings: Any) -> None:
    settings.MODERATION_QUEUE_PAGE_SIZE = 3
    StoryFactory.create_batch(7)
    client = _login(moderator)
    assert len(_ids(client)) == 3
    assert len(_ids(client, page=3)) == 1
    assert "Seite 1 von 3" in client.get("/moderation/").content.decode()


def _queue_queries(client: Client, django_assert_max_num_queries: Any, n: int) -> int:
    from django.core.cache import cache
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    cache.clear()  # the cold path: no cached filter form or rows
    with CaptureQueriesContext(connection) as captured:
        response = client.get("/moderation/", {"status": ""})
    assert response.status_code == 200
    assert len(response.context["rows"]) == min(n, 25)
    return len(captured)


def test_queue_query_count_does_not_grow_with_rows(
    moderator: User, moderator2: User, django_assert_max_num_queries: Any
) -> None:
    client = _login(moderator)

    def add(n: int) -> None:
        for story in StoryFactory.create_batch(n, has_minor=True):
            attach_media(story)
            Review.objects.create(story=story, assignee=moderator2)
            Claim.objects.create(
                story=story, holder=moderator2, expires_at=timezone.now() + timedelta(minutes=5)
            )

    add(5)
    with django_assert_max_num_queries(12):
        small = _queue_queries(client, django_assert_max_num_queries, 5)
    add(45)
    with django_assert_max_num_queries(small):
        large = _queue_queries(client, django_assert_max_num_queries, 50)
    assert small == large


def test_queue_rows_follow_what_changed_although_they_are_cached(moderator: User) -> None:
    """A row fragment is cached, but any change the row shows renders it again."""
    client = _login(moderator)
    story = StoryFactory(title="Vorher")
    media = attach_media(story)
    assert "Vorher" in client.get("/moderation/").content.decode()
    story.title = "Nachher"
    story.save()
    type(media).objects.filter(pk=media.pk).update(state="failed")
    page = client.get("/moderation/").content.decode()
    assert "Nachher" in page and "Vorher" not in page
    assert "media-failed" in page


# --- Review page and actions --------------------------------------------------------------
def test_review_page_shows_what_a_decision_needs(story: Story, moderator: User) -> None:
    story.credit = Story.Credit.PSEUDONYM
    story.credit_pseudonym = "Meisterin A."
    story.save()
    media = story.media.get()
    media.preview_key = f"media/{story.pk}/preview.mp4"
    media.poster_key = f"media/{story.pk}/poster.jpg"
    media.save()
    page = _login(moderator).get(f"/moderation/stories/{story.pk}/").content.decode()
    assert f'src="/moderation/stories/{story.pk}/media/preview/"' in page
    assert "<video" in page and "/media/media/" not in page  # never a public media URL
    assert "Meisterin A." in page
    assert "Veröffentlichung auf YouTube" in page  # the consent ledger
    for item in CHECKLIST:
        assert f'value="{item}"' in page


def test_processing_state_is_shown_while_not_ready(story: Story, moderator: User) -> None:
    media = story.media.get()
    media.state = "transcoding"
    media.progress_percent = 42.0
    media.save()
    page = _login(moderator).get(f"/moderation/stories/{story.pk}/").content.decode()
    assert '<progress id="media-progress" max="100" value="42">' in page


def test_claim_then_decide_through_the_pages(
    story: Story, moderator: User, moderator2: User
) -> None:
    mia, max_ = _login(moderator), _login(moderator2)
    url = f"/moderation/stories/{story.pk}/"
    assert mia.post(url + "claim/").status_code == 302
    page = max_.get(url).content.decode()
    assert "mia bearbeitet diese Geschichte gerade" in page
    assert 'action="' + url + 'approve/"' not in page

    refused = max_.post(url + "reject/", {"reason": "spam", "seen_status": "in_review"})
    assert refused.status_code == 409
    assert "mia bearbeitet diese Geschichte gerade" in refused.content.decode()

    incomplete = mia.post(
        url + "approve/", {"checklist": CHECKLIST[:2], "seen_status": "in_review"}
    )
    assert incomplete.status_code == 400
    done = mia.post(url + "approve/", {"checklist": list(CHECKLIST), "seen_status": "in_review"})
    assert done.status_code == 302 and done["Location"] == "/moderation/"
    story.refresh_from_db()
    assert story.status == S.APPROVED

    twice = mia.post(url + "approve/", {"checklist": list(CHECKLIST), "seen_status": "in_review"})
    assert twice.status_code == 409
    assert "inzwischen geändert" in twice.content.decode()


def test_moderator_cannot_take_down_but_publisher_can(
    story: Story, moderator: User, publisher: User
) -> None:
    Story.objects.filter(pk=story.pk).update(status=S.PUBLISHED)
    url = f"/moderation/stories/{story.pk}/takedown/"
    assert _login(moderator).post(url, {"reason": "x"}).status_code == 403
    assert _login(publisher).post(url, {"reason": "Gefährdung"}).status_code == 302
    story.refresh_from_db()
    assert story.status == S.TAKEN_DOWN


def test_edit_note_and_bulk_through_the_pages(story: Story, moderator: User) -> None:
    client = _login(moderator)
    url = f"/moderation/stories/{story.pk}/"
    response = client.post(
        url + "edit/",
        {
            "title": "Neuer Titel",
            "text": story.text,
            "region_id": story.region_id,
            "topic_id": story.topic_id,
            "youtube_title": "Neuer Titel | ZUSAMMEN. MEHR.",
            "youtube_description": "",
            "youtube_tags": "Celle, Handwerk",
            "seen_status": "in_review",
        },
    )
    assert response.status_code == 302
    assert client.post(url + "note/", {"text": "Ton prüfen"}).status_code == 302
    page = client.get(url).content.decode()
    assert "Ton prüfen" in page and "Neuer Titel" in page
    assert "moderation.story.edit" in page  # the story's own log

    other = StoryFactory()
    response = client.post(
        "/moderation/bulk/", {"action": "reject_spam", "stories": [story.pk, other.pk]}
    )
    assert response.status_code == 302
    assert set(Story.objects.values_list("status", flat=True)) == {S.REJECTED}


def test_unknown_action_is_404(story: Story, moderator: User) -> None:
    assert _login(moderator).post(f"/moderation/stories/{story.pk}/explode/").status_code == 404


# --- Media --------------------------------------------------------------------------------
def test_media_is_streamed_to_staff_only_with_ranges(
    story: Story, moderator: User, partner: User
) -> None:
    key = default_storage.save(f"media/{story.public_id}/preview.mp4", ContentFile(b"0123456789"))
    media = story.media.get()
    media.preview_key = key
    media.save()
    url = f"/moderation/stories/{story.pk}/media/preview/"
    assert Client().get(url).status_code == 302
    assert _login(partner).get(url).status_code == 403
    client = _login(moderator)
    response = client.get(url)
    assert response.status_code == 200
    assert b"".join(response.streaming_content) == b"0123456789"
    assert response["Content-Type"] == "video/mp4"
    assert response["Cache-Control"] == "private, no-store"
    partial = client.get(url, HTTP_RANGE="bytes=2-5")
    assert partial.status_code == 206
    assert b"".join(partial.streaming_content) == b"2345"
    assert partial["Content-Range"] == "bytes 2-5/10"
    assert client.get(f"/moderation/stories/{story.pk}/media/poster/").status_code == 404
    assert client.get(f"/moderation/stories/{story.pk}/media/master/").status_code == 404


# --- Audit log ----------------------------------------------------------------------------
def test_audit_log_filters_and_streams_csv(story: Story, moderator: User, moderator2: User) -> None:
    claim_take(story_id=story.pk, actor=moderator)
    client = _login(moderator2)
    page = client.get("/moderation/audit/", {"actor": "mia"})
    assert page.status_code == 200
    rows = list(page.context["page"].object_list)
    assert rows and {e.actor_label for e in rows} == {"mia"}
    assert (
        client.get("/moderation/audit/", {"action": "moderation.claim"})
        .context["page"]
        .paginator.count
        == 1
    )
    tomorrow = (timezone.localdate() + timedelta(days=1)).isoformat()
    assert (
        client.get("/moderation/audit/", {"date_from": tomorrow}).context["page"].paginator.count
        == 0
    )

    export = client.get("/moderation/audit/export.csv", {"story": story.pk})
    assert export.status_code == 200 and export.streaming
    assert export["Content-Type"].startswith("text/csv")
    lines = list(csv.reader(io.StringIO(b"".join(export.streaming_content).decode())))
    assert lines[0][:3] == ["time", "actor", "action"]
    assert len(lines) == 1 + AuditEntry.objects.filter(story=story).count()
    assert "moderation.claim.take" in {line[2] for line in lines}


def test_audit_entries_cannot_be_changed_in_the_admin(story: Story, moderator: User) -> None:
    claim_take(story_id=story.pk, actor=moderator)
    entry = AuditEntry.objects.get(story=story)
    client = _login(User.objects.create_superuser("root", "root@example.org", "pw"))
    assert client.get("/admin/stories/auditentry/").status_code == 200
    view = client.get(f"/admin/stories/auditentry/{entry.pk}/change/").content.decode()
    assert 'name="_save"' not in view  # shown read-only
    client.post(f"/admin/stories/auditentry/{entry.pk}/change/", {"action": "forged"})
    delete = client.post(f"/admin/stories/auditentry/{entry.pk}/delete/", {"post": "yes"})
    assert delete.status_code == 403
    entry_now = AuditEntry.objects.get(pk=entry.pk)
    assert entry_now.action == "moderation.claim.take"


# --- Second factor ------------------------------------------------------------------------
def test_second_factor_is_required_when_switched_on(moderator: User, settings: Any) -> None:
    from django_otp.oath import TOTP
    from django_otp.plugins.otp_totp.models import TOTPDevice

    settings.MODERATION_REQUIRE_2FA = True
    settings.OTP_TOTP_THROTTLE_FACTOR = 0  # django-otp slows down retries; not under test here
    client = _login(moderator)
    response = client.get("/moderation/")
    assert response.status_code == 302
    assert response["Location"].startswith("/moderation/2fa/?next=")
    assert client.get("/api/v1/moderation/stories/").status_code == 403

    first = client.get("/moderation/2fa/?next=/moderation/")
    assert first.status_code == 200 and first.context["step"] == "link"
    # Enrolment opens through the link mailed to the moderator (tests/security/ has more).
    from moderation.enrolment import enrolment_token_make

    client.get(f"/moderation/2fa/einrichten/{enrolment_token_make(user=moderator)}/")
    setup = client.get("/moderation/2fa/?next=/moderation/")
    assert setup.status_code == 200 and setup.context["step"] == "setup"
    device = TOTPDevice.objects.get(user=moderator)
    wrong = client.post("/moderation/2fa/?next=/moderation/", {"token": "000000"})
    assert "Der Code stimmt nicht" in wrong.content.decode()
    totp = TOTP(device.bin_key, device.step, device.t0, device.digits, device.drift)
    ok = client.post("/moderation/2fa/?next=/moderation/", {"token": f"{totp.token():06d}"})
    assert ok.status_code == 200 and ok.context["step"] == "codes"
    device.refresh_from_db()
    assert device.confirmed
    assert client.get("/moderation/").status_code == 200


def test_second_factor_is_off_by_default_outside_production(moderator: User) -> None:
    from django.conf import settings

    assert settings.MODERATION_REQUIRE_2FA is False
    assert _login(moderator).get("/moderation/").status_code == 200


# --- Four eyes ----------------------------------------------------------------------------
def test_the_review_page_counts_approvals_against_what_the_service_needs(
    four_eyes: Any, story: Story, moderator: User, moderator2: User
) -> None:
    story_approve(story_id=story.pk, actor=moderator, checklist=list(CHECKLIST))
    response = _login(moderator2).get(f"/moderation/stories/{story.pk}/")
    assert response.context["approvals_needed"] == approvals_needed() == 2
    assert "1 von 2 Zustimmung" in response.content.decode()
