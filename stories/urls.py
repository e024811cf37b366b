from django.urls import path

from . import status_views, views

app_name = "stories"

urlpatterns = [
    path("", views.home, name="home"),
    path("sprache/", views.switch_language, name="language"),
    path("bestaetigen/<str:token>/", status_views.confirm, name="confirm"),
    path("status/link-anfordern/", views.status_link_request, name="status_link_request"),
    path("status/<str:token>/", status_views.status, name="status"),
    path(
        "status/<str:token>/fortschritt/",
        status_views.status_progress,
        name="status_progress",
    ),
    path("einverstaendnis/<str:token>/", views.guardian, name="guardian"),
]
