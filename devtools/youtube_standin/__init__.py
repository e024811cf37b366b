"""A local stand-in for the part of the YouTube Data API v3 the product uses.

Standard library only, no Django: ``python -m devtools.youtube_standin --port 8765`` starts it in
well under a second. google-api-python-client talks to it over real HTTP, built from the bundled
discovery document with ``rootUrl`` pointed here (``GET /discovery/v1/apis/youtube/v3/rest`` serves
that document already rewritten).

Endpoints besides the API: ``POST /token`` and ``GET /o/oauth2/auth`` (OAuth, auto-approving),
``GET /`` (a page listing what was published), and the control endpoints
``GET /_standin/state``, ``POST /_standin/faults``, ``POST /_standin/reset-quota``,
``POST /_standin/reset-counters``, ``GET /_standin/media/<id>``, ``GET /_standin/thumbnail/<id>``.

Fault configuration (``--faults`` JSON or ``POST /_standin/faults``; replaces the previous one and
restarts the chunk count at 1):

- ``"chunk_errors": {"3": 503}`` answer the 3rd chunk PUT with that status (body discarded);
- ``"drop_chunks": [2, 5]`` read those chunk PUTs and close the socket without answering;
- ``"quota_exhausted": true`` use up today's quota (until ``reset-quota``);
- ``"quota_used": {"units": 9000, "uploads": 0}`` set today's usage;
- ``"upload_limit": true`` refuse ``videos.insert`` with 400 uploadLimitExceeded (until reset);
- ``"processing": "failed" | "rejected"`` and ``"processing_seconds": 0.5`` for new videos;
- ``"revoke_refresh_tokens": ["..."]`` or ``"revoke_all_refresh_tokens": true`` (invalid_grant);
- ``"expire_access_tokens": true`` (next API call gets 401, the client refreshes);
- ``"expire_sessions": true`` (unfinished upload sessions answer 410 Gone);
- ``"fail_methods": {"playlistItems.list": 403, "videos.update": {"status": 500}}`` refuse every
  call of those methods (any API or upload method the product calls) until replaced.

Losing state like a real channel (``POST``): ``/_standin/lose-video/<id>``,
``/_standin/lose-playlist/<id>``, ``/_standin/video/<id>`` with ``{"privacyStatus": ...}`` or
``{"outcome": "rejected", "reason": "duplicate"}``.
"""

from .server import StandinServer, make_server, serve_in_thread
from .state import COSTS, DAILY_UNITS, DAILY_UPLOADS, Store

__all__ = [
    "COSTS",
    "DAILY_UNITS",
    "DAILY_UPLOADS",
    "StandinServer",
    "Store",
    "make_server",
    "serve_in_thread",
]
