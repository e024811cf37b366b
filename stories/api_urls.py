from django.urls import path

from . import apis, story_apis

urlpatterns = [
    path("campaign/", apis.CampaignApi.as_view(), name="campaign"),
    path("me/", apis.MeApi.as_view(), name="me"),
    path("consent-texts/", story_apis.ConsentTextsApi.as_view(), name="consent-texts"),
    path("stories/", story_apis.StoryCreateApi.as_view(), name="story-create"),
    path("stories/mine/", story_apis.StoryDetailApi.as_view(), name="story-detail"),
    path("stories/mine/video/", story_apis.StoryAttachVideoApi.as_view(), name="story-video"),
    path("stories/mine/photos/", story_apis.StoryPhotosApi.as_view(), name="story-photos"),
    path(
        "stories/mine/photos/<int:photo_id>/",
        story_apis.StoryPhotoDeleteApi.as_view(),
        name="story-photo-delete",
    ),
    path("stories/mine/subtitles/", story_apis.StorySubtitlesApi.as_view(), name="story-subtitles"),
    path("stories/mine/submit/", story_apis.StorySubmitApi.as_view(), name="story-submit"),
    path("stories/mine/withdraw/", story_apis.StoryWithdrawApi.as_view(), name="story-withdraw"),
]
