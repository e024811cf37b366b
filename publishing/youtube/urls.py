"""Publishing pages: YouTube channel connection, publication queue."""

from django.urls import path

from . import views

app_name = "publishing"

urlpatterns = [
    path("", views.dashboard, name="dashboard"),
    path("publications/<int:pk>/", views.publication_detail, name="publication"),
    path("stories/<int:story_id>/publish/", views.publish_story, name="publish"),
    path("channel/", views.channel, name="channel"),
    path("channel/connect/", views.channel_connect, name="channel_connect"),
    path("channel/callback/", views.channel_callback, name="channel_callback"),
]
