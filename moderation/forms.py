"""Input of the workspace pages; the services validate again and decide."""

from __future__ import annotations

from typing import Any

from django import forms
from django.conf import settings
from django.utils.translation import gettext_lazy as _

from stories.models import Region, Story, Topic

from .selectors import QUEUE_STATUSES, AuditFilters, QueueFilters

CHECKLIST_CHOICES = [
    ("consents_complete", _("Alle Einwilligungen liegen vollständig vor.")),
    ("people_consented", _("Jede Person im Video hat eingewilligt.")),
    ("no_third_party_material", _("Keine fremde Musik und kein fremdes Bildmaterial.")),
    ("nobody_endangered", _("Nichts im Video gefährdet Menschen (Gesichter, Orte, Namen).")),
    (
        "guardian_confirmed",
        _("Wo Minderjährige zu sehen sind, liegt die Bestätigung der Erziehungsberechtigten vor."),
    ),
]


def _set_choices(form: forms.Form, name: str, choices: list[tuple[Any, Any]]) -> None:
    field = form.fields[name]
    assert isinstance(field, forms.ChoiceField)
    field.choices = choices


class QueueFilterForm(forms.Form):
    status = forms.ChoiceField(
        label=_("Status"),
        required=False,
        choices=[("", _("alle"))] + [(s, Story.Status(s).label) for s in QUEUE_STATUSES],
    )
    q = forms.CharField(label=_("Suche in Titel und Text"), required=False, max_length=100)
    region = forms.ModelChoiceField(
        label=_("Region"), required=False, queryset=Region.objects.all(), empty_label=_("alle")
    )
    topic = forms.ModelChoiceField(
        label=_("Thema"), required=False, queryset=Topic.objects.all(), empty_label=_("alle")
    )
    language = forms.ChoiceField(
        label=_("Sprache"), required=False, choices=[("", _("alle")), *settings.LANGUAGES]
    )
    minor = forms.ChoiceField(
        label=_("Minderjährige"),
        required=False,
        choices=[
            ("", _("egal")),
            ("yes", _("mit Minderjährigen")),
            ("no", _("ohne Minderjährige")),
            ("guardian_pending", _("Bestätigung der Eltern fehlt")),
        ],
    )
    waiting_days = forms.IntegerField(
        label=_("Wartet länger als (Tage)"), required=False, min_value=0, max_value=365
    )
    mine = forms.ChoiceField(
        label=_("Meine"),
        required=False,
        choices=[
            ("", _("alle")),
            ("assigned", _("mir zugewiesen")),
            ("claimed", _("von mir in Bearbeitung")),
        ],
    )
    revised = forms.BooleanField(label=_("nur überarbeitete"), required=False)
    order = forms.ChoiceField(
        label=_("Reihenfolge"),
        required=False,
        choices=[("oldest", _("älteste zuerst")), ("newest", _("neueste zuerst"))],
    )

    def filters(self) -> QueueFilters:
        data: dict[str, Any] = self.cleaned_data if self.is_valid() else {}
        minor = data.get("minor") or ""
        # No status in the query means the default view: what waits for review.
        status = (data.get("status") or "") if "status" in self.data else Story.Status.IN_REVIEW
        return QueueFilters(
            status=status,
            region=data["region"].pk if data.get("region") else None,
            topic=data["topic"].pk if data.get("topic") else None,
            language=data.get("language") or "",
            has_minor={"yes": True, "no": False}.get(minor),
            guardian_pending=minor == "guardian_pending",
            waiting_days=data.get("waiting_days") or None,
            mine=data.get("mine") or "",
            revised=True if data.get("revised") else None,
            q=(data.get("q") or "").strip(),
            order=data.get("order") or "oldest",
        )


class BulkForm(forms.Form):
    ACTIONS = [("reject_spam", _("als Spam ablehnen")), ("assign", _("zuweisen"))]
    action = forms.ChoiceField(label=_("Sammelaktion"), choices=ACTIONS)
    stories = forms.TypedMultipleChoiceField(coerce=int, choices=[])
    assignee = forms.IntegerField(required=False)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        ids = self.data.getlist("stories") if hasattr(self.data, "getlist") else []
        _set_choices(self, "stories", [(i, i) for i in ids])


class EditForm(forms.Form):
    title = forms.CharField(label=_("Titel"), max_length=120)
    text = forms.CharField(label=_("Geschichte"), widget=forms.Textarea(attrs={"rows": 10}))
    region_id = forms.ModelChoiceField(label=_("Region"), queryset=Region.objects.all())
    topic_id = forms.ModelChoiceField(label=_("Thema"), queryset=Topic.objects.all())
    youtube_title = forms.CharField(label=_("YouTube-Titel"), max_length=100, required=False)
    youtube_description = forms.CharField(
        label=_("YouTube-Beschreibung"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 5}),
    )
    youtube_tags = forms.CharField(
        label=_("YouTube-Tags (durch Kommas getrennt)"), required=False, max_length=500
    )

    def service_data(self) -> dict[str, Any]:
        data = dict(self.cleaned_data)
        data["region_id"] = data["region_id"].pk
        data["topic_id"] = data["topic_id"].pk
        return data


class ApproveForm(forms.Form):
    checklist = forms.MultipleChoiceField(
        label=_("Prüfliste"), choices=CHECKLIST_CHOICES, widget=forms.CheckboxSelectMultiple
    )
    comment = forms.CharField(label=_("Kommentar (intern)"), required=False, max_length=2000)


class RejectForm(forms.Form):
    reason = forms.ChoiceField(label=_("Ablehnungsgrund"), required=False, choices=[])
    free_text = forms.CharField(
        label=_("Ergänzung an die einreichende Person"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        max_length=4000,
    )

    def __init__(self, *args: Any, reasons: Any = (), **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        _set_choices(
            self,
            "reason",
            [("", _("– kein Textbaustein –")), *((r.code, r.label) for r in reasons)],
        )


class RequestChangesForm(forms.Form):
    message = forms.CharField(
        label=_("Nachricht an die einreichende Person"),
        widget=forms.Textarea(attrs={"rows": 4}),
        max_length=4000,
    )


class TakedownForm(forms.Form):
    reason = forms.CharField(label=_("Grund für die Entfernung"), max_length=2000)


class PublishForm(forms.Form):
    publish_at = forms.DateTimeField(
        label=_("Veröffentlichen am (leer: sofort)"),
        required=False,
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}),
    )


class NoteForm(forms.Form):
    text = forms.CharField(
        label=_("Interne Notiz"), widget=forms.Textarea(attrs={"rows": 3}), max_length=4000
    )


class AssignForm(forms.Form):
    assignee = forms.IntegerField(label=_("Zuweisen an"), required=False)


class AuditFilterForm(forms.Form):
    actor = forms.ChoiceField(label=_("Person"), required=False, choices=[])
    action = forms.ChoiceField(label=_("Aktion"), required=False, choices=[])
    date_from = forms.DateField(
        label=_("von"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    date_to = forms.DateField(
        label=_("bis"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    story = forms.IntegerField(label=_("Geschichte Nr."), required=False, min_value=1)

    def __init__(self, *args: Any, actors: Any = (), actions: Any = (), **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        _set_choices(self, "actor", [("", _("alle")), *((a, a) for a in actors)])
        _set_choices(self, "action", [("", _("alle")), *((a, a) for a in actions)])

    def filters(self) -> AuditFilters:
        data: dict[str, Any] = self.cleaned_data if self.is_valid() else {}
        return AuditFilters(
            actor=data.get("actor") or "",
            action=data.get("action") or "",
            date_from=data.get("date_from"),
            date_to=data.get("date_to"),
            story=data.get("story"),
        )


class TokenForm(forms.Form):
    token = forms.CharField(
        label=_("Code aus Ihrer Authenticator-App (oder ein Wiederherstellungscode)"),
        max_length=20,
        widget=forms.TextInput(attrs={"autocomplete": "one-time-code", "spellcheck": "false"}),
    )


class IntegrationTokenForm(forms.Form):
    name = forms.CharField(
        label=_("Bezeichnung (wofür ist der Schlüssel?)"),
        max_length=100,
    )
    can_write = forms.BooleanField(
        label=_("Darf auch ändern (sonst nur lesen)"),
        required=False,
    )
