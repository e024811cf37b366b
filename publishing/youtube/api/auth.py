"""Building the YouTube client and Google's OAuth web flow for the channel's grant."""

from __future__ import annotations

import json
import os
import urllib.parse
from typing import Any

import google_auth_httplib2
from google.oauth2.credentials import Credentials
from google_auth_oauthlib.flow import Flow
from googleapiclient.discovery import Resource, build_from_document
from googleapiclient.discovery_cache import get_static_doc
from googleapiclient.http import build_http

from .errors import (
    ReconnectRequired,
)

DEFAULT_API_URL = "https://www.googleapis.com/"
DEFAULT_TOKEN_URI = "https://oauth2.googleapis.com/token"  # noqa: S105 - a URL, not a secret
DEFAULT_AUTH_URI = "https://accounts.google.com/o/oauth2/auth"
SCOPES = (
    "https://www.googleapis.com/auth/youtube.force-ssl",
    "https://www.googleapis.com/auth/youtube.upload",
)


def build_youtube(
    *,
    credentials: Credentials,
    api_url: str = DEFAULT_API_URL,
    http_timeout: float = 60,
) -> Resource:
    """A youtube v3 Resource built from the bundled discovery document, never the network.

    ``api_url`` is the root every call goes to, uploads included (``<api_url>upload/youtube/v3/
    videos``), plain http allowed for the local stand-in. The transport is an ``AuthorizedHttp``
    over ``googleapiclient.http.build_http()``, which does not follow 308 "Resume Incomplete".

    Raises RuntimeError if the installed google-api-python-client lacks the static document.
    """
    text = get_static_doc("youtube", "v3")
    if text is None:
        raise RuntimeError("google-api-python-client ships no youtube v3 discovery document")
    document: dict[str, Any] = json.loads(text)
    root = api_url if api_url.endswith("/") else api_url + "/"
    # googleapiclient derives regular calls from rootUrl + servicePath and uploads from
    # rootUrl + "upload/" + servicePath, so rewriting the roots moves both (scheme included);
    # client_options["api_endpoint"] would only move the regular calls.
    document["rootUrl"] = root
    document["mtlsRootUrl"] = root
    document["baseUrl"] = root + document.get("servicePath", "")
    http = build_http()
    http.timeout = http_timeout
    authorized = google_auth_httplib2.AuthorizedHttp(credentials, http=http)
    return build_from_document(document, http=authorized)


def token_uri_from_env() -> str:
    """``YOUTUBE_TOKEN_URI`` if set (the stand-in's ``/token``), else Google's token endpoint."""
    return os.environ.get("YOUTUBE_TOKEN_URI") or DEFAULT_TOKEN_URI


def make_credentials(
    *,
    refresh_token: str,
    client_id: str,
    client_secret: str,
    token_uri: str | None = None,
    access_token: str | None = None,
) -> Credentials:
    """OAuth user credentials for one channel; refreshed automatically before calls.

    A refused refresh surfaces from the API calls as ReconnectRequired.
    """
    return Credentials(
        token=access_token,
        refresh_token=refresh_token,
        token_uri=token_uri or token_uri_from_env(),
        client_id=client_id,
        client_secret=client_secret,
        scopes=list(SCOPES),
    )


# --------------------------------------------------------------------------- OAuth web flow


def client_config_for(
    *,
    client_id: str,
    client_secret: str,
    auth_uri: str | None = None,
    token_uri: str | None = None,
) -> dict[str, Any]:
    """A "web" client config for google-auth-oauthlib, endpoints overridable for the stand-in."""
    return {
        "web": {
            "client_id": client_id,
            "client_secret": client_secret,
            "auth_uri": auth_uri or os.environ.get("YOUTUBE_AUTH_URI") or DEFAULT_AUTH_URI,
            "token_uri": token_uri or token_uri_from_env(),
        }
    }


def _allow_loopback_http(uri: str) -> None:
    """Let oauthlib talk plain http to a loopback endpoint (the stand-in), never elsewhere."""
    parts = urllib.parse.urlsplit(uri)
    if parts.scheme == "http" and parts.hostname in {"127.0.0.1", "localhost", "::1"}:
        # oauthlib reads this process-wide switch on every call; production URIs are https.
        os.environ["OAUTHLIB_INSECURE_TRANSPORT"] = "1"


def authorization_url(
    *, client_config: dict[str, Any], redirect_uri: str, state: str
) -> tuple[str, str]:
    """The consent URL to send the campaign owner to, and the PKCE code verifier.

    Keep the verifier server-side (session), never in the URL; pass it to ``exchange_code``.
    Asks for offline access with ``prompt=consent`` so Google always returns a refresh token.
    """
    _allow_loopback_http(next(iter(client_config.values()))["auth_uri"])
    flow = Flow.from_client_config(
        client_config, scopes=list(SCOPES), redirect_uri=redirect_uri, state=state
    )
    url, _ = flow.authorization_url(
        access_type="offline", prompt="consent", include_granted_scopes="true"
    )
    if flow.code_verifier is None:
        raise RuntimeError("google-auth-oauthlib did not generate a PKCE code verifier")
    return url, flow.code_verifier


def exchange_code(
    *, client_config: dict[str, Any], redirect_uri: str, code: str, code_verifier: str
) -> Credentials:
    """Trade the authorization code from the redirect for credentials with a refresh token.

    Raises ReconnectRequired if Google refuses the code (expired, reused, wrong verifier).
    Plain-http token endpoints are allowed only on loopback (the stand-in).
    """
    _allow_loopback_http(next(iter(client_config.values()))["token_uri"])
    flow = Flow.from_client_config(
        client_config,
        scopes=list(SCOPES),
        redirect_uri=redirect_uri,
        code_verifier=code_verifier,
        autogenerate_code_verifier=False,
    )
    try:
        flow.fetch_token(code=code)
    except Exception as error:  # oauthlib raises its own hierarchy (InvalidGrantError, ...)
        raise ReconnectRequired(f"Google refused the authorization code: {error}") from error
    credentials = flow.credentials
    if not isinstance(credentials, Credentials):
        raise TypeError("google-auth-oauthlib returned unexpected credentials")
    return credentials
