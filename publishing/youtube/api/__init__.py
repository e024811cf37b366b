"""Client library the publication task uses to put a story's video on the campaign's channel.

No Django here: persistence goes through the callbacks the caller passes (``save_state``,
``record_call``), so the lead's models and tasks own the database side.
"""

from .auth import (
    SCOPES,
    authorization_url,
    build_youtube,
    client_config_for,
    exchange_code,
    make_credentials,
    token_uri_from_env,
)
from .calls import backoff_delay, call_api
from .client import (
    add_to_playlist,
    ensure_playlist,
    existing_playlists,
    get_processing_status,
    get_video,
    insert_caption,
    list_videos,
    make_unreachable,
    remove_from_playlist,
    set_thumbnail,
    takedown,
)
from .errors import (
    PublishRejected,
    QuotaExhausted,
    ReconnectRequired,
    TransientYouTubeError,
    VideoNotFound,
    YouTubeApiError,
    YouTubeError,
    next_reset,
)
from .metadata import compose_metadata, metadata_problems
from .quota import COSTS, QuotaPolicy, cost_of
from .upload import DEFAULT_CHUNK_SIZE, UploadState, finished_session_video, resumable_upload

__all__ = [
    "COSTS",
    "DEFAULT_CHUNK_SIZE",
    "SCOPES",
    "PublishRejected",
    "QuotaExhausted",
    "QuotaPolicy",
    "ReconnectRequired",
    "TransientYouTubeError",
    "UploadState",
    "VideoNotFound",
    "YouTubeApiError",
    "YouTubeError",
    "add_to_playlist",
    "authorization_url",
    "backoff_delay",
    "build_youtube",
    "call_api",
    "client_config_for",
    "compose_metadata",
    "cost_of",
    "ensure_playlist",
    "exchange_code",
    "existing_playlists",
    "finished_session_video",
    "get_processing_status",
    "get_video",
    "insert_caption",
    "list_videos",
    "make_credentials",
    "make_unreachable",
    "metadata_problems",
    "next_reset",
    "remove_from_playlist",
    "resumable_upload",
    "set_thumbnail",
    "takedown",
    "token_uri_from_env",
]
