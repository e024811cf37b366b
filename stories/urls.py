from django.urls import path

from . import views

app_name = "stories"

urlpatterns = [
    path("", views.home, name="home"),
    path("sprache/", views.switch_language, name="language"),
    path("bestaetigen/<str:token>/", views.confirm, name="confirm"),
    path("status/link-anfordern/", views.status_link_request, name="status_link_request"),
    path("status/<str:token>/", views.status, name="status"),
    path("einverstaendnis/<str:token>/", views.guardian, name="guardian"),
]
