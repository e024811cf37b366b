from csp.decorators import csp_update
from django.contrib import admin
from django.urls import include, path
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerSplitView

from workers import health
from workers.metrics import metrics_view

# Swagger UI sets style attributes from its own script; only this page may do so.
api_docs = csp_update({"style-src": ["'unsafe-inline'"]})(
    SpectacularSwaggerSplitView.as_view(url_name="schema")
)

api_v1 = [
    path("", include("stories.api_urls")),
    path("uploads/", include("stories.uploads.urls")),
    path("moderation/", include("moderation.api_urls")),
    path("publishing/", include("publishing.youtube.api_urls")),
    path("partners/", include("publishing.partners.api_urls")),
]

urlpatterns = [
    path("healthz", health.healthz, name="healthz"),
    path("readyz", health.readyz, name="readyz"),
    path("metrics", metrics_view, name="metrics"),
    path("i18n/", include("django.conf.urls.i18n")),
    path("admin/", admin.site.urls),
    path("api/v1/", include((api_v1, "api"), namespace="api")),
    path("api/schema/", SpectacularAPIView.as_view(), name="schema"),
    path("api/docs/", api_docs, name="api-docs"),
    path("moderation/", include("moderation.urls")),
    path("publishing/", include("publishing.youtube.urls")),
    path("mitmachen/", include("stories.form_urls")),
    path("partner/", include("publishing.partners.urls")),
    path("geschichten/", include("publishing.gallery.urls")),
    path("moderation/datenschutz/", include("stories.privacy_views")),
    path("", include("publishing.gallery.legal_urls")),
    path("betrieb/", include("workers.urls")),
    path("", include("stories.urls")),
]

handler404 = "config.api.not_found"

# No route serves MEDIA_ROOT as such, in development neither: every video, poster and photo
# leaves through a view that checks who may see it (config/protected_media.py).
