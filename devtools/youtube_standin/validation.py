"""Refuse every request YouTube would refuse by its own description: the discovery document.

The document is the one google-api-python-client ships (``discovery.bundled_document_text``),
so the stand-in can never accept a method, parameter, part or body field the real API does not
have. Checked for every API and upload call (not for resumable chunk PUTs, which carry no
parameters besides the session):

1. the method exists (HTTP method and path, uploads by their ``mediaUpload`` path);
2. every query parameter is the method's or one of the document's global parameters;
3. required parameters are present (e.g. ``part``);
4. each ``part`` value names a property of the resource (``kind`` and ``etag`` are no parts);
5. every field of the JSON body exists in the request schema, recursively (``$ref``, objects,
   arrays, maps via ``additionalProperties``).

Refusals use YouTube's error shape. Reasons: ``required`` and ``unexpectedPart`` as the YouTube
Data API error reference lists them (https://developers.google.com/youtube/v3/docs/errors);
an unknown body field or query parameter is what Google's front end answers for every API
("Invalid JSON payload received. Unknown name ..." / "Cannot bind query parameter", reason
``invalid`` / ``badRequest``); a method the document lacks is a 404 ``notFound``.
"""

from __future__ import annotations

import json
from functools import cache
from typing import Any

from .discovery import bundled_document_text
from .state import ApiError

NOT_PARTS = frozenset({"kind", "etag"})
# What the stand-in adds itself to a session URI; never sent by a client on a first request.
STANDIN_PARAMETERS = frozenset({"upload_id"})


@cache
def _document() -> dict[str, Any]:
    document: dict[str, Any] = json.loads(bundled_document_text())
    return document


@cache
def _routes() -> dict[tuple[str, str], dict[str, Any]]:
    """(HTTP method, path without leading slash) -> the method's discovery entry."""
    routes: dict[tuple[str, str], dict[str, Any]] = {}
    for resource in _document()["resources"].values():
        for method in resource.get("methods", {}).values():
            routes[(method["httpMethod"], method["path"])] = method
            for protocol in (method.get("mediaUpload") or {}).get("protocols", {}).values():
                routes[(method["httpMethod"], protocol["path"].lstrip("/"))] = method
    return routes


def method_for(http_method: str, path: str) -> dict[str, Any] | None:
    """The discovery entry of the call at ``path`` ("/youtube/v3/videos"), or None."""
    return _routes().get((http_method, path.lstrip("/")))


def _schema(ref_or_schema: dict[str, Any]) -> dict[str, Any]:
    if "$ref" in ref_or_schema:
        schema: dict[str, Any] = _document()["schemas"][ref_or_schema["$ref"]]
        return schema
    return ref_or_schema


def _resource_parts(method: dict[str, Any]) -> set[str] | None:
    """The part names a method accepts: the properties of the resource it reads or writes."""
    target = method.get("request") or method.get("response")
    if target is None:
        return None
    schema = _schema(target)
    if "items" in schema.get("properties", {}):  # a list response: the parts of one item
        schema = _schema(schema["properties"]["items"].get("items", {}))
    return set(schema.get("properties", {})) - NOT_PARTS


def _check_body(value: Any, schema: dict[str, Any], where: str) -> None:
    schema = _schema(schema)
    if isinstance(value, dict):
        properties = schema.get("properties")
        extra = schema.get("additionalProperties")
        for key, item in value.items():
            if properties is not None and key in properties:
                _check_body(item, properties[key], f"{where}.{key}" if where else key)
            elif extra is not None:
                _check_body(item, extra, f"{where}.{key}" if where else key)
            else:
                at = f' at "{where}"' if where else ""
                raise ApiError(
                    400,
                    "invalid",
                    f'Invalid JSON payload received. Unknown name "{key}"{at}: Cannot find field.',
                    "global",
                )
    elif isinstance(value, list) and "items" in schema:
        for index, item in enumerate(value):
            _check_body(item, schema["items"], f"{where}[{index}]")


def validate(
    *, http_method: str, path: str, query: dict[str, str], body: dict[str, Any] | None
) -> str:
    """Refuse the request as YouTube would; returns the method id (e.g. "videos.list")."""
    method = method_for(http_method, path)
    if method is None:
        raise ApiError(404, "notFound", f"Method not found: {http_method} {path}", "global")
    parameters: dict[str, Any] = method.get("parameters", {})
    known = set(parameters) | set(_document().get("parameters", {})) | STANDIN_PARAMETERS
    for name in query:
        if name not in known:
            raise ApiError(
                400,
                "badRequest",
                f'Invalid JSON payload received. Unknown name "{name}": '
                "Cannot bind query parameter.",
                "global",
            )
    for name, spec in parameters.items():
        if spec.get("required") and not query.get(name):
            raise ApiError(400, "required", f"Required parameter: {name}", "global")
    if "part" in parameters and query.get("part"):
        allowed = _resource_parts(method)
        for part in (p.strip() for p in query["part"].split(",")):
            if allowed is not None and part not in allowed:
                raise ApiError(
                    400,
                    "unexpectedPart",
                    f"The request specifies an unexpected value for the part parameter: {part}",
                    "youtube.part",
                )
    if body and method.get("request"):
        _check_body(body, method["request"], "")
    return str(method["id"]).removeprefix("youtube.")
