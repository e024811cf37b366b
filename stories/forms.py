"""The step forms of the submission form at /mitmachen/.

The forms only parse what was typed (types, e-mail format, known choices); nothing is
required at parse time, so whatever parses is saved to the draft at once. What a step
still lacks is worked out afterwards from the saved draft (``step_missing``), and the
service ``story_submit`` checks the whole story again before it is sent.
"""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.functional import lazy
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from kernel.media_errors import max_duration_minutes

from .models import ConsentText, Region, Story, StoryMedia, Topic
from .services import REQUIRED_CONSENTS, TEXT_MAX, TEXT_MIN, TITLE_MAX

HONEYPOT_FIELD = "website"

# Languages spoken in the videos: the campaign's languages and those many refugees speak.
VIDEO_LANGUAGES: list[tuple[str, Any]] = [
    ("de", gettext_lazy("Deutsch")),
    ("ar", gettext_lazy("Arabisch")),
    ("fa", gettext_lazy("Persisch (Farsi, Dari)")),
    ("uk", gettext_lazy("Ukrainisch")),
    ("ru", gettext_lazy("Russisch")),
    ("tr", gettext_lazy("Türkisch")),
    ("ku", gettext_lazy("Kurdisch")),
    ("ps", gettext_lazy("Paschtu")),
    ("ti", gettext_lazy("Tigrinya")),
    ("so", gettext_lazy("Somali")),
    ("en", gettext_lazy("Englisch")),
    ("fr", gettext_lazy("Französisch")),
    ("other", gettext_lazy("Eine andere Sprache")),
    ("none", gettext_lazy("Ohne Sprache (nur Bilder oder Musik)")),
]


class StepForm(forms.Form):
    """Parses one step; renders every input with its hint and error wired up for AT."""

    website = forms.CharField(
        required=False,
        label=gettext_lazy("Bitte lassen Sie dieses Feld leer."),
        widget=forms.TextInput(attrs={"tabindex": "-1", "autocomplete": "off"}),
    )
    #: Fields shown as required (the ``required`` attribute; the form has ``novalidate``).
    shown_required: tuple[str, ...] = ()
    #: Hints below a label, by field name.
    hints: dict[str, Any] = {}

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for name, field in self.fields.items():
            field.required = False
            if name in self.shown_required:
                field.widget.attrs["required"] = True
            if name in self.hints:
                field.help_text = self.hints[name]

    def honeypot_filled(self) -> bool:
        return bool(self.data.get(HONEYPOT_FIELD, "").strip())

    def parsed(self) -> dict[str, Any]:
        """The fields that parsed, ready for ``story_update_draft``."""
        self.is_valid()
        return {
            name: value
            for name, value in getattr(self, "cleaned_data", {}).items()
            if name != HONEYPOT_FIELD and name in self.draft_fields()
        }

    def draft_fields(self) -> set[str]:
        return set(self.fields) - {HONEYPOT_FIELD}

    def add_errors(self, errors: dict[str, list[str]]) -> None:
        for name, messages in errors.items():
            target = name if name in self.fields else None
            for message in messages:
                if target is not None and target in self.errors:
                    if message not in self.errors[target]:
                        self.errors[target].append(message)
                    continue
                self.add_error(target, message)

    def decorate(self) -> None:
        """Point each input at its hint and error (``aria-describedby``, ``aria-invalid``)."""
        for name, field in self.fields.items():
            bound = self[name]
            if isinstance(field.widget, forms.RadioSelect):
                continue  # the fieldset carries hint and error for a radio group
            described = []
            if field.help_text:
                described.append(f"{bound.auto_id}-hint")
            if self.is_bound and self.errors.get(name):
                described.append(f"{bound.auto_id}-error")
                field.widget.attrs["aria-invalid"] = "true"
            else:
                field.widget.attrs.pop("aria-invalid", None)
            extra = field.widget.attrs.pop("data-describedby-extra", None)
            if extra:
                described.append(extra)
            if described:
                field.widget.attrs["aria-describedby"] = " ".join(described)

    def error_list(self) -> list[tuple[str, str]]:
        """(anchor id, message) pairs for the error summary, in the order of the fields."""
        items: list[tuple[str, str]] = []
        for name in self.fields:
            for message in self.errors.get(name, []):
                items.append((self.anchor(name), str(message)))
        for message in self.non_field_errors():
            items.append(("", str(message)))
        return items

    def anchor(self, name: str) -> str:
        bound = self[name]
        if isinstance(self.fields[name].widget, forms.RadioSelect):
            return f"{bound.auto_id}_0"
        return bound.auto_id


class StoryStepForm(StepForm):
    title = forms.CharField(
        label=gettext_lazy("Titel Ihrer Geschichte"),
        widget=forms.TextInput(attrs={"maxlength": TITLE_MAX, "autocomplete": "off"}),
    )
    text = forms.CharField(
        label=gettext_lazy("Ihre Geschichte"),
        widget=forms.Textarea(attrs={"rows": 10, "data-describedby-extra": "id_text-count"}),
    )
    region_id = forms.TypedChoiceField(
        label=gettext_lazy("Region in Niedersachsen"), coerce=int, empty_value=None
    )
    region_other = forms.CharField(
        label=gettext_lazy("Welche Region?"),
        widget=forms.TextInput(attrs={"maxlength": 120}),
    )
    topic_id = forms.TypedChoiceField(label=gettext_lazy("Thema"), coerce=int, empty_value=None)

    shown_required = ("title", "text", "region_id", "topic_id")
    hints = {
        "title": gettext_lazy("Ein kurzer Satz, zum Beispiel: „Vom Praktikum zur Meisterin“."),
        "text": gettext_lazy(
            "Was ist gelungen? Wer hat geholfen? Schreiben Sie in Ihrer Sprache. "
            "Absätze trennen Sie mit einer leeren Zeile."
        ),
        "region_other": gettext_lazy("Nur ausfüllen, wenn Sie „Andere Region“ gewählt haben."),
    }

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        regions = list(Region.objects.filter(is_active=True))
        region_field = self.fields["region_id"]
        assert isinstance(region_field, forms.ChoiceField)
        region_field.choices = [("", _("Bitte wählen"))] + [
            (str(r.pk), _("Andere Region") if r.is_other else r.name) for r in regions
        ]
        other = next((r for r in regions if r.is_other), None)
        self.region_other_value = str(other.pk) if other else ""
        topic_field = self.fields["topic_id"]
        assert isinstance(topic_field, forms.ChoiceField)
        topic_field.choices = [("", _("Bitte wählen"))] + [
            (str(t.pk), t.display_name) for t in Topic.objects.filter(is_active=True)
        ]
        self.text_max = TEXT_MAX
        self.text_min = TEXT_MIN


class MultipleFileInput(forms.ClearableFileInput):
    allow_multiple_selected = True


def _video_hint() -> str:
    """The video hint with the duration limit from the settings, in the current language."""
    return _(
        "Ein kurzes Video vom Handy, höchstens %(minutes)s Minuten lang. "
        "Wenn die Verbindung abbricht, geht es später an derselben Stelle weiter."
    ) % {"minutes": max_duration_minutes()}


class VideoStepForm(StepForm):
    video_language = forms.ChoiceField(
        label=gettext_lazy("In welcher Sprache wird im Video gesprochen?"),
        choices=[("", gettext_lazy("Bitte wählen")), *VIDEO_LANGUAGES],
    )
    video = forms.FileField(
        label=gettext_lazy("Video auswählen"),
        widget=forms.FileInput(attrs={"accept": "video/*"}),
    )
    photos = forms.FileField(
        label=gettext_lazy("Fotos (freiwillig, höchstens 5)"),
        widget=MultipleFileInput(attrs={"accept": "image/jpeg,image/png,image/webp"}),
    )
    subtitles = forms.FileField(
        label=gettext_lazy("Untertitel (freiwillig, SRT oder WebVTT)"),
        widget=forms.FileInput(attrs={"accept": ".srt,.vtt,text/vtt,application/x-subrip"}),
    )
    subtitle_language = forms.ChoiceField(
        label=gettext_lazy("Sprache der Untertitel"),
        choices=[("", gettext_lazy("Bitte wählen")), *VIDEO_LANGUAGES[:-2]],
    )

    shown_required = ("video_language",)
    hints = {
        "video": lazy(_video_hint, str)(),
        "photos": gettext_lazy(
            "JPEG, PNG oder WebP. Ortsangaben und Kameradaten entfernen wir automatisch."
        ),
        "subtitles": gettext_lazy("Wenn Sie schon Untertitel für Ihr Video haben."),
    }

    def draft_fields(self) -> set[str]:
        return {"video_language"}


class PeopleStepForm(StepForm):
    submitter_name = forms.CharField(
        label=gettext_lazy("Ihr Name"),
        widget=forms.TextInput(attrs={"autocomplete": "name", "maxlength": 120}),
    )
    submitter_email = forms.EmailField(
        label=gettext_lazy("Ihre E-Mail-Adresse"),
        widget=forms.EmailInput(attrs={"autocomplete": "email"}),
        error_messages={
            "invalid": gettext_lazy(
                "Bitte geben Sie eine gültige E-Mail-Adresse ein, zum Beispiel name@beispiel.de."
            )
        },
    )
    submitter_organisation = forms.CharField(
        label=gettext_lazy("Organisation (freiwillig)"),
        widget=forms.TextInput(attrs={"autocomplete": "organization", "maxlength": 160}),
    )
    submitter_role = forms.ChoiceField(
        label=gettext_lazy("Wer sind Sie?"),
        choices=Story.SubmitterRole.choices,
        widget=forms.RadioSelect,
    )
    credit = forms.ChoiceField(
        label=gettext_lazy("Wie sollen wir Sie nennen, wenn wir die Geschichte zeigen?"),
        choices=Story.Credit.choices,
        widget=forms.RadioSelect,
    )
    credit_pseudonym = forms.CharField(
        label=gettext_lazy("Pseudonym"), widget=forms.TextInput(attrs={"maxlength": 80})
    )
    has_minor = forms.TypedChoiceField(
        label=gettext_lazy("Ist eine Person im Video jünger als 16?"),
        choices=[("yes", gettext_lazy("Ja")), ("no", gettext_lazy("Nein"))],
        coerce=lambda value: value == "yes",
        empty_value=None,
        widget=forms.RadioSelect,
    )
    guardian_name = forms.CharField(
        label=gettext_lazy("Name der erziehungsberechtigten Person"),
        widget=forms.TextInput(attrs={"maxlength": 120}),
    )
    guardian_email = forms.EmailField(
        label=gettext_lazy("E-Mail der erziehungsberechtigten Person"),
        widget=forms.EmailInput(),
        error_messages={
            "invalid": gettext_lazy(
                "Bitte geben Sie eine gültige E-Mail-Adresse ein, zum Beispiel name@beispiel.de."
            )
        },
    )

    shown_required = (
        "submitter_name",
        "submitter_email",
        "submitter_role",
        "credit",
        "has_minor",
    )
    hints = {
        "submitter_email": gettext_lazy(
            "Wir schicken Ihnen einen Link zur Bestätigung. Die Adresse wird nicht veröffentlicht."
        ),
        "credit_pseudonym": gettext_lazy("Nur ausfüllen, wenn Sie „Pseudonym“ gewählt haben."),
        "guardian_email": gettext_lazy("Wir bitten diese Person per E-Mail um ihre Zustimmung."),
    }

    def __init__(self, *args: Any, consent_texts: dict[str, ConsentText], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.consent_texts = consent_texts
        for purpose in REQUIRED_CONSENTS:
            text = consent_texts.get(purpose)
            self.fields[f"consent_{purpose}"] = forms.BooleanField(
                required=False,
                label=text.text if text else ConsentText.Purpose(purpose).label,
                widget=forms.CheckboxInput(attrs={"required": True}),
            )

    def draft_fields(self) -> set[str]:
        return {name for name in self.fields if not name.startswith("consent_")} - {HONEYPOT_FIELD}

    def parsed(self) -> dict[str, Any]:
        data = super().parsed()
        if data.get("has_minor") is None:
            data.pop("has_minor", None)
        return data

    def consents_given(self) -> list[str]:
        self.is_valid()
        cleaned = getattr(self, "cleaned_data", {})
        return [p for p in REQUIRED_CONSENTS if cleaned.get(f"consent_{p}")]

    def consent_rows(self) -> list[tuple[Any, ConsentText | None]]:
        """Each consent checkbox with the versioned text it shows."""
        return [(self[f"consent_{p}"], self.consent_texts.get(p)) for p in REQUIRED_CONSENTS]


class CheckStepForm(StepForm):
    pass


def _required(name: str) -> str:
    messages = {
        "title": _("Bitte geben Sie einen Titel ein."),
        "text": _("Bitte erzählen Sie Ihre Geschichte."),
        "region_id": _("Bitte wählen Sie eine Region."),
        "region_other": _("Bitte nennen Sie die Region."),
        "topic_id": _("Bitte wählen Sie ein Thema."),
        "video": _("Bitte laden Sie ein Video hoch."),
        "video_language": _("Bitte wählen Sie die Sprache des Videos."),
        "submitter_name": _("Bitte geben Sie Ihren Namen ein."),
        "submitter_email": _("Bitte geben Sie Ihre E-Mail-Adresse ein."),
        "submitter_role": _("Bitte sagen Sie uns, wer Sie sind."),
        "credit": _("Bitte wählen Sie, wie wir Sie nennen sollen."),
        "credit_pseudonym": _("Bitte geben Sie ein Pseudonym ein."),
        "has_minor": _("Bitte beantworten Sie die Frage zum Alter."),
        "guardian_name": _("Bitte geben Sie den Namen der erziehungsberechtigten Person ein."),
        "guardian_email": _("Bitte geben Sie die E-Mail der erziehungsberechtigten Person ein."),
    }
    return messages[name]


def step_missing(
    *,
    step: str,
    story: Story,
    media: StoryMedia | None = None,
    minor_answered: bool = False,
    consents: list[str] | None = None,
) -> dict[str, list[str]]:
    """What a step of the saved draft still lacks, as field → messages."""
    missing: dict[str, list[str]] = {}

    def need(name: str, condition: bool) -> None:
        if condition:
            missing[name] = [_required(name)]

    if step == "story":
        need("title", not story.title)
        need("text", not story.text)
        if story.text and len(story.text) < TEXT_MIN:
            missing["text"] = [
                _("Bitte erzählen Sie etwas ausführlicher (mindestens %(n)d Zeichen).")
                % {"n": TEXT_MIN}
            ]
        need("region_id", story.region_id is None)
        need(
            "region_other",
            story.region is not None and story.region.is_other and not story.region_other,
        )
        need("topic_id", story.topic_id is None)
    elif step == "video":
        need("video", media is None)
        if media is not None and media.state == StoryMedia.State.FAILED:
            missing["video"] = [
                media.failure_message or _("Das Video konnte nicht verarbeitet werden.")
            ]
        need("video_language", not story.video_language)
    elif step == "people":
        need("submitter_name", not story.submitter_name)
        need("submitter_email", not story.submitter_email)
        need("submitter_role", not story.submitter_role)
        need("credit", not story.credit)
        need(
            "credit_pseudonym",
            story.credit == Story.Credit.PSEUDONYM and not story.credit_pseudonym,
        )
        need("has_minor", not minor_answered)
        need("guardian_name", story.has_minor and not story.guardian_name)
        need("guardian_email", story.has_minor and not story.guardian_email)
        given = set(consents or [])
        for purpose in REQUIRED_CONSENTS:
            if purpose not in given:
                missing[f"consent_{purpose}"] = [_("Bitte bestätigen Sie diese Einwilligung.")]
    return missing


class StatusLinkRequestForm(forms.Form):
    """The e-mail address a story was sent from, to mail a fresh status link to."""

    email = forms.EmailField(label=gettext_lazy("Ihre E-Mail-Adresse"), max_length=254)
