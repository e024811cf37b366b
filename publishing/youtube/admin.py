"""Read-mostly admin views: the rows are changed by the services, never by hand."""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.http import HttpRequest

from .models import Playlist, Publication, QuotaLedger, YouTubeChannel


class ReadOnlyAdmin(admin.ModelAdmin):
    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@admin.register(Publication)
class PublicationAdmin(ReadOnlyAdmin):
    list_display = ("id", "story", "status", "video_id", "attempts", "resume_at", "updated_at")
    list_filter = ("status",)
    search_fields = ("video_id", "story__title")


@admin.register(YouTubeChannel)
class YouTubeChannelAdmin(ReadOnlyAdmin):
    list_display = ("id", "title", "status", "connected_at", "reconnect_required_at")
    exclude = ("credentials_encrypted",)


@admin.register(Playlist)
class PlaylistAdmin(ReadOnlyAdmin):
    list_display = ("title", "kind", "key", "youtube_id")


@admin.register(QuotaLedger)
class QuotaLedgerAdmin(ReadOnlyAdmin):
    list_display = ("day", "method", "cost", "publication", "created_at")
    list_filter = ("day", "method")
