"""The gallery at /geschichten/: grid, feeds, story pages and posters."""

from django.urls import path

from . import feeds, views

app_name = "gallery"

urlpatterns = [
    path("", views.gallery, name="index"),
    path("feed/", feeds.StoryFeed(), name="feed"),
    path("feed/atom/", feeds.StoryAtomFeed(), name="feed_atom"),
    path("<uuid:public_id>/", views.story, name="story"),
    path("<uuid:public_id>/poster.jpg", views.poster, name="poster"),
    # The responsive variants ("640.webp", "og.jpg"); same name, reversed with two arguments.
    path("<uuid:public_id>/poster-<str:name>", views.poster_variant, name="poster"),
]
