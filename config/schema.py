"""OpenAPI generation: unique component names, and the error responses every view gives."""

from __future__ import annotations

from typing import Any

from drf_spectacular.openapi import AutoSchema as SpectacularAutoSchema
from drf_spectacular.utils import OpenApiResponse
from rest_framework import serializers

_NESTED = ("InputSerializer", "OutputSerializer", "FilterSerializer")


class ErrorSerializer(serializers.Serializer):
    """The API's one error shape, rendered by ``config.api.exception_handler``."""

    message = serializers.CharField()
    extra = serializers.DictField(
        help_text="Details a client can act on, e.g. `fields` with one list of errors per field."
    )


def _error(description: str) -> OpenApiResponse:
    return OpenApiResponse(response=ErrorSerializer, description=description)


class AutoSchema(SpectacularAutoSchema):
    """Unique component names and documented error responses.

    STYLE.md puts each view's serializers inside the view class; without a prefix every
    one of them would become the same component ("Output", "InputRequest") in the schema,
    so the nested ``InputSerializer``/``OutputSerializer`` get their view's name in front.

    Views declare their success response; the errors come from one exception handler, so
    they are documented here once, in the one error shape: 400 for bad input, 403 for
    missing credentials or a role that does not allow the action, 404 for an unknown id in
    the path, 409 for an action the object's state does not allow, 415 for a body in a
    media type the view does not parse, 429 where a view throttles. A view that documents
    its own 4xx responses (the tus endpoints) is left as it is.
    """

    def _get_serializer_name(
        self, serializer: Any, direction: str, bypass_extensions: bool = False
    ) -> str:
        name = super()._get_serializer_name(serializer, direction, bypass_extensions)
        cls = serializer if isinstance(serializer, type) else type(serializer)
        parts = cls.__qualname__.split(".")
        if len(parts) > 1 and parts[-1] in _NESTED and not name.startswith(parts[-2]):
            prefix = parts[-2].removesuffix("Api").removesuffix("View")
            return f"{prefix}{name}"
        return name

    def _get_response_bodies(self, direction: str = "response") -> dict[str, Any]:
        responses: dict[str, Any] = super()._get_response_bodies(direction)  # type: ignore[arg-type]
        if any(code.startswith("4") for code in responses):
            return responses
        unsafe = self.method in ("POST", "PUT", "PATCH", "DELETE")
        errors: dict[str, str] = {"403": "Credentials missing or wrong, or the role may not."}
        if unsafe or self._has_query_parameters():
            errors["400"] = "Invalid input; `extra.fields` names each field's errors."
        if "{" in self.path:
            errors["404"] = "No such object."
        if unsafe:
            errors["409"] = "The object's current state does not allow this action."
            errors["415"] = "Unsupported request media type."
        if self.view.get_throttles():
            errors["429"] = "Too many requests; try again later."
        for code, description in errors.items():
            if code not in responses:
                responses[code] = self._get_response_for_code(
                    _error(description), code, direction=direction
                )
        return responses

    def _has_query_parameters(self) -> bool:
        return any(parameter.get("in") == "query" for parameter in self._get_parameters())
