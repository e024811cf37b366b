"""What changed on YouTube behind the product's back, honest quota, and what publishers see.

The stand-in loses state like a real channel (a video or playlist deleted by hand, a
rejection in processing, a privacy change); the reconciliation task reads it back and the
publisher pages say it in words. Over HTTP with the real publish worker.
"""

from __future__ import annotations

import secrets
from collections.abc import Callable
from typing import Any

import pytest
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.test import Client

from publishing.youtube import services
from publishing.youtube.models import Playlist, Publication, QuotaLedger, YouTubeChannel
from stories.models import Region, Story, StorySubtitle, Topic
from tests.publishing.youtube.conftest import Standin

from .conftest import PublishWorker, wait_for_status

pytestmark = [pytest.mark.worker, pytest.mark.django_db(transaction=True)]

P = Publication.Status
VTT = b"WEBVTT\n\n00:00:00.000 --> 00:00:02.000\nIch heisse Amina.\n"


def _published(story_factory: Callable[..., Story], worker: PublishWorker) -> Publication:
    story = story_factory()
    services.publication_request(story=story, actor=None)
    return wait_for_status(story, P.PUBLISHED, worker)


def _page(user: Any, url: str) -> str:
    client = Client()
    client.force_login(user)
    response = client.get(url)
    assert response.status_code == 200, response.status_code
    return response.content.decode()


def _reconcile() -> None:
    from workers.tasks.publish import reconcile_youtube

    reconcile_youtube()  # in this process, against the stand-in (settings point there)


def test_a_playlist_deleted_on_youtube(
    publish_worker: PublishWorker,
    youtube_standin: Standin,
    channel: Any,
    story_factory: Callable[..., Story],
    publisher_user: Any,
) -> None:
    first = _published(story_factory, publish_worker)
    dead = first.playlists[0]
    youtube_standin.lose_playlist(dead)

    # The next publication finds the playlist gone, creates it again and remembers the new one.
    second = _published(story_factory, publish_worker)
    assert dead not in second.playlists and len(second.playlists) == 2
    video = youtube_standin.state()["videos"][second.video_id]
    assert sorted(video["playlists"]) == sorted(second.playlists)

    _reconcile()
    first.refresh_from_db()
    assert dead not in first.playlists and first.youtube_problem == "playlist_deleted"
    page = _page(publisher_user, f"/publishing/publications/{first.pk}/")
    assert "wurde auf YouTube gelöscht" in page and "legt sie neu an" in page
    assert "wurde auf YouTube gelöscht" in _page(publisher_user, "/publishing/")


def test_a_video_deleted_by_hand(
    publish_worker: PublishWorker,
    youtube_standin: Standin,
    channel: Any,
    story_factory: Callable[..., Story],
    publisher_user: Any,
) -> None:
    from publishing.gallery.selectors import _video_id

    publication = _published(story_factory, publish_worker)
    youtube_standin.lose_video(publication.video_id)
    _reconcile()
    publication.refresh_from_db()
    assert publication.youtube_problem == "video_deleted"
    assert publication.youtube_privacy == "deleted"
    page = _page(publisher_user, f"/publishing/publications/{publication.pk}/")
    assert "Auf YouTube gelöscht" in page
    assert "nicht über diese Plattform" in page and "Nächster Schritt" in page
    embedded = Story.objects.filter(pk=publication.story_id).annotate(v=_video_id()).get()
    assert embedded.v is None  # the gallery no longer embeds it


def test_a_rejection_in_processing_and_a_video_made_private_by_hand(
    publish_worker: PublishWorker,
    youtube_standin: Standin,
    channel: Any,
    story_factory: Callable[..., Story],
    publisher_user: Any,
) -> None:
    from publishing.gallery.selectors import _video_id

    rejected = _published(story_factory, publish_worker)
    hidden = _published(story_factory, publish_worker)
    assert hidden.youtube_privacy == "public"  # YOUTUBE_PRIVACY defaults to public
    youtube_standin.change_video(rejected.video_id, outcome="rejected", reason="duplicate")
    youtube_standin.change_video(hidden.video_id, privacyStatus="private")
    _reconcile()
    rejected.refresh_from_db()
    hidden.refresh_from_db()
    assert (rejected.youtube_problem, rejected.youtube_problem_detail) == ("rejected", "duplicate")
    page = _page(publisher_user, f"/publishing/publications/{rejected.pk}/")
    assert "bei der Verarbeitung abgelehnt (duplicate)" in page
    assert hidden.youtube_problem == "made_private" and hidden.youtube_privacy == "private"
    page = _page(publisher_user, f"/publishing/publications/{hidden.pk}/")
    assert "Privat auf YouTube" in page and 'data-status="published"' in page
    assert "von Hand auf „Privat“ gestellt" in page
    embedded = Story.objects.filter(pk=hidden.story_id).annotate(v=_video_id()).get()
    assert embedded.v is None


def test_a_quota_refusal_from_youtube_while_our_ledger_had_room(
    publish_worker: PublishWorker,
    youtube_standin: Standin,
    channel: Any,
    story_factory: Callable[..., Story],
    publisher_user: Any,
) -> None:
    from publishing.youtube.selectors import quota_usage

    assert quota_usage().publications_left > 0  # our ledger: plenty of room
    youtube_standin.faults(quota_exhausted=True)  # another project spent it, say
    story = story_factory()
    services.publication_request(story=story, actor=None)
    publication = wait_for_status(story, P.WAITING_FOR_QUOTA, publish_worker)
    assert publication.last_error.startswith("YouTube refused the call (quotaExceeded)")
    usage = quota_usage()
    assert usage.refused_by_youtube and usage.publications_left == 0 and usage.units_left == 0
    dashboard = _page(publisher_user, "/publishing/")
    assert "Heute passen noch 0 Veröffentlichungen" in dashboard
    assert "YouTube hat heute weitere Aufrufe abgelehnt" in dashboard
    page = _page(publisher_user, f"/publishing/publications/{publication.pk}/")
    assert "YouTube hat das Tageskontingent für verbraucht erklärt" in page


def test_our_own_budget_says_it_was_us_not_youtube(
    publish_worker: PublishWorker,
    youtube_standin: Standin,
    channel: Any,
    story_factory: Callable[..., Story],
    publisher_user: Any,
) -> None:
    publish_worker.ensure(YOUTUBE_DAILY_UNITS="1800")  # an upload fits, the whole one not
    try:
        story = story_factory()
        services.publication_request(story=story, actor=None)
        publication = wait_for_status(story, P.WAITING_FOR_QUOTA, publish_worker)
    finally:
        publish_worker.ensure()
    assert "YouTube was not asked" in publication.last_error
    assert youtube_standin.state()["counters"]["sessions_created"] == 0
    page = _page(publisher_user, f"/publishing/publications/{publication.pk}/")
    assert "Unser eigenes Tagesbudget" in page and "YouTube wurde nicht gefragt" in page


def test_the_estimate_matches_what_youtube_charged(
    publish_worker: PublishWorker,
    youtube_standin: Standin,
    channel: Any,
    story_factory: Callable[..., Story],
    publisher_user: Any,
) -> None:
    """A publication with subtitles and two playlists that do not exist yet."""
    import re

    story = story_factory()
    suffix = secrets.token_hex(3)
    story.region = Region.objects.create(slug=f"region-{suffix}", name=f"Region {suffix}")
    story.topic = Topic.objects.create(slug=f"thema-{suffix}", name=f"Thema {suffix}")
    story.save()
    key = default_storage.save(f"stories/{story.public_id}/subtitles.vtt", ContentFile(VTT))
    StorySubtitle.objects.create(story=story, storage_key=key, language="de", cue_count=1)
    assert not Playlist.objects.filter(key__endswith=suffix).exists()
    dashboard = _page(publisher_user, "/publishing/")
    estimate = int(re.search(r'data-publication-units="(\d+)"', dashboard).group(1))  # type: ignore[union-attr]

    youtube_standin.reset_quota()
    services.publication_request(story=story, actor=None)
    publication = wait_for_status(story, P.PUBLISHED, publish_worker)
    charged = youtube_standin.state()["quota"]["units"]
    calls = youtube_standin.state()["counters"]["calls"]
    booked = sum(QuotaLedger.objects.filter(publication=publication).values_list("cost", flat=True))
    print(f"estimate {estimate}, charged {charged}, booked {booked}, calls {calls}")
    assert publication.captions_set and len(publication.playlists) == 2
    assert calls.get("playlists.insert") == 2 and calls.get("captions.insert") == 1
    assert abs(estimate - charged) <= 50, (estimate, charged, calls)  # within one call
    assert booked == charged


def test_the_workspace_lists_stories_ready_to_publish_and_schedules(
    publish_worker: PublishWorker,
    youtube_standin: Standin,
    channel: Any,
    story_factory: Callable[..., Story],
    publisher_user: Any,
) -> None:
    from django.utils import timezone

    story = story_factory()
    page = _page(publisher_user, "/publishing/")
    assert f'data-ready-story="{story.pk}"' in page and "Auf YouTube veröffentlichen" in page

    # Publishing is paused: the channel needs reconnecting, the page says so in words.
    YouTubeChannel.objects.update(status=YouTubeChannel.Status.RECONNECT_REQUIRED)
    client = Client()
    client.force_login(publisher_user)
    later = timezone.localtime() + timezone.timedelta(days=2)
    response = client.post(
        f"/publishing/stories/{story.pk}/publish/",
        {"publish_at": later.strftime("%Y-%m-%dT%H:%M")},
    )
    assert response.status_code == 302
    publication = Publication.objects.get(story=story)
    assert publication.publish_at is not None
    assert abs((publication.publish_at - later).total_seconds()) < 60  # read as Berlin time
    assert publication.metadata["status"]["privacyStatus"] == "private"
    assert publication.metadata["status"]["publishAt"]
    page = _page(publisher_user, f"/publishing/publications/{publication.pk}/")
    assert "muss neu verbunden werden" in page and "Nächster Schritt" in page
    dashboard = _page(publisher_user, "/publishing/")
    assert f'data-ready-story="{story.pk}"' not in dashboard
    assert "muss neu verbunden werden" in dashboard
