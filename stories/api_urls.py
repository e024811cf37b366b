from django.urls import path

from . import apis

urlpatterns = [
    path("campaign/", apis.CampaignApi.as_view(), name="campaign"),
    path("me/", apis.MeApi.as_view(), name="me"),
]
