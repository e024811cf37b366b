"""Publishing pages: YouTube channel connection, publication queue."""

from django.urls import path  # noqa: F401

app_name = "publishing"

urlpatterns: list = []
