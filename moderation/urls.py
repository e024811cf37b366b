"""The moderation workspace at /moderation/."""

from django.contrib.auth.views import LoginView, LogoutView
from django.urls import path, reverse_lazy

from . import views

app_name = "moderation"

urlpatterns = [
    path("", views.queue, name="queue"),
    path("bulk/", views.bulk, name="bulk"),
    path("fortschritt/", views.media_progress, name="media_progress"),
    path("stories/<int:story_id>/", views.story_detail, name="story"),
    path("stories/<int:story_id>/ping/", views.claim_ping, name="claim_ping"),
    path("stories/<int:story_id>/media/<str:kind>/", views.media, name="media"),
    path(
        "stories/<int:story_id>/attachments/<str:kind>/<int:item>/",
        views.attachment,
        name="attachment",
    ),
    path("stories/<int:story_id>/<str:action>/", views.story_action, name="action"),
    path("audit/", views.audit, name="audit"),
    path("audit/export.csv", views.audit_export, name="audit_export"),
    path("2fa/", views.two_factor, name="two_factor"),
    path("2fa/einrichten/<str:token>/", views.enrol, name="enrol"),
    path("tokens/", views.tokens, name="tokens"),
    path("tokens/<str:digest>/revoke/", views.token_revoke, name="token_revoke"),
    path(
        "anmelden/",
        LoginView.as_view(
            template_name="moderation/signin.html",
            redirect_authenticated_user=True,
            next_page=reverse_lazy("moderation:queue"),
        ),
        name="login",
    ),
    path("logout/", LogoutView.as_view(next_page=reverse_lazy("moderation:login")), name="logout"),
]
