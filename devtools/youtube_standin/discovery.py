"""The youtube v3 discovery document, pointed at the stand-in.

The document is the one bundled with google-api-python-client, so the client builds exactly the
methods it would build against Google. Only the root URLs change: google-api-python-client derives
both regular calls (``rootUrl + servicePath + path``) and media uploads
(``rootUrl + "upload/" + servicePath + path``) from ``rootUrl``.
"""

from __future__ import annotations

import json
from functools import cache
from importlib import resources
from typing import Any


@cache
def bundled_document_text() -> str:
    """The raw youtube.v3 document shipped inside googleapiclient.

    Raises FileNotFoundError if the installed google-api-python-client has no static documents.
    """
    documents = resources.files("googleapiclient.discovery_cache") / "documents"
    return (documents / "youtube.v3.json").read_text(encoding="utf-8")


def rewritten_document(*, root_url: str) -> dict[str, Any]:
    """The discovery document with every root URL replaced by ``root_url`` (ending in "/")."""
    if not root_url.endswith("/"):
        root_url += "/"
    document: dict[str, Any] = json.loads(bundled_document_text())
    document["rootUrl"] = root_url
    document["mtlsRootUrl"] = root_url
    document["baseUrl"] = root_url + document.get("servicePath", "")
    return document
