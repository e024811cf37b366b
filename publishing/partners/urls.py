"""Partner pages under /partner/."""

from django.contrib.auth import views as auth_views
from django.urls import path, reverse_lazy

from . import views

app_name = "partners"

urlpatterns = [
    path("", views.area, name="area"),
    path(
        "login/",
        auth_views.LoginView.as_view(
            template_name="partners/login.html", next_page=reverse_lazy("partners:area")
        ),
        name="login",
    ),
    path(
        "logout/",
        auth_views.LogoutView.as_view(next_page=reverse_lazy("partners:login")),
        name="logout",
    ),
    path("registrieren/", views.register, name="register"),
    path("registrieren/danke/", views.registered, name="registered"),
    path("einladung/<str:token>/", views.invitation, name="invitation"),
    path("einstellungen/", views.choices, name="choices"),
    path("logo/", views.logo, name="logo"),
    path("logo/entfernen/", views.logo_remove, name="logo_remove"),
    path("kit/", views.kit_page, name="kit"),
    path("kit/zip/", views.zip_download, name="zip"),
    path("kit/datei/<path:path>", views.download, name="download"),
    path("kit/vorschau/<path:path>", views.preview, name="preview"),
    path("material/", views.material, name="material"),
    path("material/zip/", views.material_zip, name="material_zip"),
    path("material/datei/<path:path>", views.material_download, name="material_download"),
    path("material/vorschau/<path:path>", views.material_preview, name="material_preview"),
    path("b/<slug:slot>/<str:name>", views.banner, name="banner"),
]
