"""Partner API under /api/v1/partners/."""

from django.urls import path

from . import apis

urlpatterns = [
    path("kit/", apis.KitApi.as_view(), name="partners-kit"),
    path("kit/refresh/", apis.KitRefreshApi.as_view(), name="partners-kit-refresh"),
]
