from django.apps import AppConfig


class StoriesConfig(AppConfig):
    name = "stories"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        # The upload endpoint (stories.uploads) asks the stories app about owners and videos.
        from .services.video import on_upload_complete, upload_in_use, upload_owner_for_token
        from .uploads.hooks import uploads_register

        uploads_register(
            owner_for_token=upload_owner_for_token,
            on_complete=on_upload_complete,
            in_use=upload_in_use,
        )
