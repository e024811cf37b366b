"""OpenAPI generation: component names that stay unique with one-view-per-action APIs."""

from __future__ import annotations

from typing import Any

from drf_spectacular.openapi import AutoSchema as SpectacularAutoSchema

_NESTED = ("InputSerializer", "OutputSerializer", "FilterSerializer")


class AutoSchema(SpectacularAutoSchema):
    """Prefix the nested ``InputSerializer``/``OutputSerializer`` with their view's name.

    STYLE.md puts each view's serializers inside the view class; without a prefix every
    one of them would become the same component ("Output", "InputRequest") in the schema.
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
