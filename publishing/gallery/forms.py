"""Forms of the public side: the gallery's filters and the accessibility feedback."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy

from .selectors import SEARCH_MAX, GalleryFilters


class GalleryFilterForm(forms.Form):
    """Query parameters of /geschichten/; options come from the lists the page shows."""

    region = forms.SlugField(required=False, max_length=50)
    thema = forms.SlugField(required=False, max_length=50)
    sprache = forms.SlugField(required=False, max_length=16)
    suche = forms.CharField(required=False, max_length=SEARCH_MAX, strip=True)

    def filters(self) -> GalleryFilters:
        data = self.cleaned_data
        return GalleryFilters(
            region=data.get("region") or "",
            topic=data.get("thema") or "",
            language=data.get("sprache") or "",
            query=data.get("suche") or "",
        )


class FeedbackForm(forms.Form):
    HONEYPOT = "website"

    message = forms.CharField(
        label=gettext_lazy("Welche Barriere ist Ihnen aufgefallen?"),
        widget=forms.Textarea(attrs={"rows": 6}),
        max_length=5000,
    )
    page_url = forms.CharField(
        label=gettext_lazy("Auf welcher Seite? (freiwillig)"), required=False, max_length=500
    )
    name = forms.CharField(
        label=gettext_lazy("Ihr Name (freiwillig)"), required=False, max_length=120
    )
    email = forms.EmailField(
        label=gettext_lazy("Ihre E-Mail-Adresse, wenn Sie eine Antwort möchten (freiwillig)"),
        required=False,
    )
