"""Forms of the partner pages; they parse input, services decide."""

from __future__ import annotations

from typing import Any

from django import forms
from django.conf import settings
from django.utils.formats import number_format
from django.utils.translation import gettext_lazy as _

from .models import KIT_LANGUAGES
from .rendering import load_templates


def _variant_choices() -> list[tuple[str, str]]:
    return [(name, palette.label) for name, palette in load_templates().palettes.items()]


class ChoicesForm(forms.Form):
    colour_variant = forms.ChoiceField(label=_("Farbvariante"), widget=forms.RadioSelect)
    languages = forms.MultipleChoiceField(
        label=_("Sprachen des Materials"),
        choices=KIT_LANGUAGES,
        widget=forms.CheckboxSelectMultiple,
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["colour_variant"].choices = _variant_choices()  # type: ignore[attr-defined]


class LogoForm(forms.Form):
    logo = forms.FileField(
        label=_("Logo (PNG, JPEG oder SVG)"),
        help_text=_(
            "Höchstens 2 MiB und 4000 × 4000 Pixel. Am besten mit transparentem Hintergrund."
        ),
        widget=forms.ClearableFileInput(attrs={"accept": ".png,.jpg,.jpeg,.svg"}),
    )

    def clean_logo(self) -> bytes:
        upload = self.cleaned_data["logo"]
        if upload.size > settings.PARTNER_LOGO_MAX_BYTES:
            raise forms.ValidationError(
                _("Die Logo-Datei ist zu groß (höchstens %(mib)s MiB).")
                % {"mib": number_format(settings.PARTNER_LOGO_MAX_BYTES / 1024**2, 1)}
            )
        return bytes(upload.read())


class RegisterForm(ChoicesForm):
    name = forms.CharField(label=_("Name der Organisation"), max_length=160)
    contact_name = forms.CharField(label=_("Ansprechperson"), max_length=120)
    email = forms.EmailField(label=_("E-Mail"))
    website = forms.URLField(label=_("Website"), required=False, assume_scheme="https")
    logo = LogoForm.base_fields["logo"]

    field_order = [
        "name",
        "contact_name",
        "email",
        "website",
        "logo",
        "colour_variant",
        "languages",
    ]

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["logo"].required = False
        self.initial.setdefault("colour_variant", load_templates().default_palette)
        self.initial.setdefault("languages", ["de"])

    def clean_logo(self) -> bytes | None:
        upload = self.cleaned_data.get("logo")
        if not upload:
            return None
        return LogoForm.clean_logo(self)  # type: ignore[arg-type]
