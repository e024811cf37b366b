"""Writes for the YouTube app, one module per job; call sites import from here.

- ``channel``: the OAuth connection, its token, the quota ledger;
- ``metadata``: the videos.insert body, the publisher's edits, the playlists;
- ``publication``: request, claim, upload state and outcome of a publication;
- ``takedown``: taking a story's video off YouTube;
- ``queue``: handing work to the ``publish`` queue by task name.

Every status change of a publication goes through ``publishing.youtube.lifecycle``.
"""

from ..lifecycle import ACTIVE, EDITABLE, GONE_STORY, publication_transition
from .channel import (
    QUOTA_REFUSED_UNITS,
    QUOTA_REFUSED_UPLOADS,
    campaign_admin_emails,
    channel_authorization_start,
    channel_connect,
    channel_connect_with_code,
    channel_credentials,
    channel_get,
    channel_mark_reconnect_required,
    channel_store_refreshed_token,
    quota_day,
    quota_note_refusal,
    quota_record_call,
)
from .metadata import (
    playlist_forget,
    playlist_remember,
    playlist_targets,
    publication_compose_metadata,
    publication_update_metadata,
)
from .publication import (
    PublicationCancelled,
    publication_claim,
    publication_fail,
    publication_heartbeat,
    publication_note_extra,
    publication_pause,
    publication_poll_recorded,
    publication_published,
    publication_release,
    publication_request,
    publication_save_upload_state,
    publication_uploaded,
    publication_wait_for_quota,
    worker_name,
)
from .queue import (
    publication_enqueue,
    publication_mark_enqueued,
    takedown_enqueue,
    takedown_enqueue_marked,
)
from .takedown import (
    publication_set_video,
    publication_takedown_begin,
    publication_takedown_request,
    publication_takedown_wait,
    publication_taken_down,
)

__all__ = [
    "ACTIVE",
    "EDITABLE",
    "GONE_STORY",
    "QUOTA_REFUSED_UNITS",
    "QUOTA_REFUSED_UPLOADS",
    "PublicationCancelled",
    "campaign_admin_emails",
    "channel_authorization_start",
    "channel_connect",
    "channel_connect_with_code",
    "channel_credentials",
    "channel_get",
    "channel_mark_reconnect_required",
    "channel_store_refreshed_token",
    "playlist_forget",
    "playlist_remember",
    "playlist_targets",
    "publication_claim",
    "publication_compose_metadata",
    "publication_enqueue",
    "publication_fail",
    "publication_heartbeat",
    "publication_mark_enqueued",
    "publication_note_extra",
    "publication_pause",
    "publication_poll_recorded",
    "publication_published",
    "publication_release",
    "publication_request",
    "publication_save_upload_state",
    "publication_set_video",
    "publication_takedown_begin",
    "publication_takedown_request",
    "publication_takedown_wait",
    "publication_taken_down",
    "publication_transition",
    "publication_update_metadata",
    "publication_uploaded",
    "publication_wait_for_quota",
    "quota_day",
    "quota_note_refusal",
    "quota_record_call",
    "takedown_enqueue",
    "takedown_enqueue_marked",
    "worker_name",
]
