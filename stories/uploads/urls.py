from django.urls import path

from . import views

app_name = "uploads"

urlpatterns = [
    path("", views.TusUploadsApi.as_view(), name="collection"),
    path("<uuid:upload_id>", views.TusUploadApi.as_view(), name="detail"),
    path("<uuid:upload_id>/status", views.UploadStatusApi.as_view(), name="status"),
]
