from django.urls import path

from . import views

app_name = "workers"

urlpatterns = [
    path("pipeline/", views.pipeline_page, name="pipeline"),
    path("pipeline/<slug:kind>/<int:job_id>/retry/", views.pipeline_retry, name="pipeline-retry"),
]
