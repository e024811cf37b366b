"""The submission form at /mitmachen/."""

from django.urls import path

from . import form_views

app_name = "form"

urlpatterns = [
    path("", form_views.story_step, name="story"),
    path("video/", form_views.video_step, name="video"),
    path("video/zustand/", form_views.video_state, name="video_state"),
    path("personen/", form_views.people_step, name="people"),
    path("pruefen/", form_views.check_step, name="check"),
    path("danke/", form_views.thanks, name="thanks"),
    path("leichte-sprache/", form_views.easy_language, name="easy_language"),
]
