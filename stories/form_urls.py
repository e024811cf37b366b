"""The submission form at /mitmachen/."""

from django.urls import path  # noqa: F401

urlpatterns: list = []
