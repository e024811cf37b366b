"""Moderation API under /api/v1/moderation/."""

urlpatterns: list = []
