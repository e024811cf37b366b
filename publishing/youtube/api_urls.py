"""Publishing API under /api/v1/publishing/."""

from django.urls import path

from . import apis

urlpatterns = [
    path("quota/", apis.QuotaApi.as_view(), name="publishing-quota"),
    path("publications/", apis.QueueApi.as_view(), name="publishing-queue"),
    path(
        "publications/<int:publication_id>/",
        apis.PublicationDetailApi.as_view(),
        name="publishing-publication",
    ),
    path(
        "publications/<int:publication_id>/metadata/",
        apis.PublicationMetadataApi.as_view(),
        name="publishing-publication-metadata",
    ),
]
