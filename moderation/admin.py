"""The campaign admin's side: moderation settings, reason templates, a read-only audit log,
and the user admin in which only superusers grant privileges."""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import admin
from django.contrib.auth import get_user_model
from django.contrib.auth.admin import UserAdmin
from django.contrib.auth.forms import UserChangeForm
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _

from stories.models import AuditEntry

from .models import (
    DecisionEmailTemplate,
    IntegrationToken,
    ModerationSettings,
    RejectionReason,
    RejectionReasonText,
)
from .staff_services import ASSIGNABLE_ROLES, user_may_manage, user_set_roles


@admin.register(ModerationSettings)
class ModerationSettingsAdmin(admin.ModelAdmin):
    list_display = ("__str__", "four_eyes", "updated_at")

    def has_add_permission(self, request: HttpRequest) -> bool:
        return super().has_add_permission(request) and not ModerationSettings.objects.exists()

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


class RejectionReasonTextInline(admin.TabularInline):
    model = RejectionReasonText
    extra = 0


@admin.register(RejectionReason)
class RejectionReasonAdmin(admin.ModelAdmin):
    list_display = ("label", "code", "position", "is_active", "is_spam")
    list_editable = ("position", "is_active")
    prepopulated_fields = {"code": ("label",)}
    inlines = [RejectionReasonTextInline]


@admin.register(DecisionEmailTemplate)
class DecisionEmailTemplateAdmin(admin.ModelAdmin):
    list_display = ("decision", "language", "subject", "updated_at")
    list_filter = ("decision", "language")
    fieldsets = [
        (
            None,
            {
                "fields": ("decision", "language", "subject", "body"),
                "description": (
                    "Platzhalter: {name}, {title}, {reason}, {request}, {status_url}. "
                    "Ohne Vorlage für eine Sprache gilt der eingebaute, übersetzte Text."
                ),
            },
        )
    ]


if not admin.site.is_registered(AuditEntry):

    @admin.register(AuditEntry)
    class AuditEntryAdmin(admin.ModelAdmin):
        """Read-only: the audit log is append-only and no one edits or deletes it."""

        list_display = ("created_at", "actor_label", "action", "story")
        list_filter = ("action",)
        search_fields = ("actor_label", "action", "comment")
        date_hierarchy = "created_at"
        list_select_related = ("story",)

        def has_add_permission(self, request: HttpRequest) -> bool:
            return False

        def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
            return False

        def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
            return False


# --- Users: privileges are for superusers only ----------------------------------------------
class RolesForm(UserChangeForm):
    """A campaign admin's user form: name, e-mail, active, and the product's own roles."""

    roles = forms.MultipleChoiceField(
        label=_("Rollen"),
        choices=[(role.value, role.value) for role in ASSIGNABLE_ROLES],
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )

    class Meta(UserChangeForm.Meta):
        fields = ("username", "password", "first_name", "last_name", "email", "is_active")  # type: ignore[assignment]

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if self.instance.pk:
            self.fields["roles"].initial = list(
                self.instance.groups.filter(name__in=ASSIGNABLE_ROLES).values_list(
                    "name", flat=True
                )
            )


# Fields whose change grants privileges; never saved from a non-superuser's request.
PRIVILEGE_FIELDS = ("is_superuser", "is_staff")


class ProductUserAdmin(UserAdmin):
    """Django's user admin, with superuser, staff, groups and permissions for superusers only.

    For anyone else the form has no privilege fields (a POSTed ``is_superuser=on`` is not a
    form field and is ignored), ``save_model`` refuses a privilege change server-side anyway,
    and superusers and other campaign admins cannot be changed (nor their passwords).
    """

    roles_fieldsets = (
        (None, {"fields": ("username", "password")}),
        (_("Persönliche Angaben"), {"fields": ("first_name", "last_name", "email")}),
        (_("Rollen"), {"fields": ("is_active", "roles")}),
        (_("Wichtige Daten"), {"fields": ("last_login", "date_joined")}),
    )

    def get_fieldsets(self, request: HttpRequest, obj: Any = None) -> Any:
        if obj is not None and not request.user.is_superuser:
            return self.roles_fieldsets
        return super().get_fieldsets(request, obj)

    def get_readonly_fields(self, request: HttpRequest, obj: Any = None) -> Any:
        if obj is not None and not request.user.is_superuser:
            return ("last_login", "date_joined")
        return super().get_readonly_fields(request, obj)

    def get_form(
        self, request: HttpRequest, obj: Any = None, change: bool = False, **kwargs: Any
    ) -> Any:
        if obj is not None and not request.user.is_superuser:
            kwargs["form"] = RolesForm
        return super().get_form(request, obj, change=change, **kwargs)

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return super().has_change_permission(request, obj) and user_may_manage(request.user, obj)

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return super().has_delete_permission(request, obj) and user_may_manage(request.user, obj)

    def save_model(self, request: HttpRequest, obj: Any, form: Any, change: bool) -> None:
        if not request.user.is_superuser:
            stored = type(obj).objects.filter(pk=obj.pk).first() if obj.pk else None
            for name in PRIVILEGE_FIELDS:
                if getattr(obj, name) != (getattr(stored, name) if stored else False):
                    raise PermissionDenied
        super().save_model(request, obj, form, change)

    def save_related(self, request: HttpRequest, form: Any, formsets: Any, change: bool) -> None:
        super().save_related(request, form, formsets, change)
        if not request.user.is_superuser and "roles" in form.cleaned_data:
            user_set_roles(actor=request.user, user=form.instance, roles=form.cleaned_data["roles"])


User = get_user_model()
if admin.site.is_registered(User):
    admin.site.unregister(User)
admin.site.register(User, ProductUserAdmin)


# --- Integration tokens: listed and revoked here; issued only from /moderation/tokens/ -------
try:
    from knox.models import AuthToken as _KnoxAuthToken

    if admin.site.is_registered(_KnoxAuthToken):
        admin.site.unregister(_KnoxAuthToken)  # knox's admin issues tokens without expiry
except ImportError:  # pragma: no cover - knox is a dependency
    pass


@admin.register(IntegrationToken)
class IntegrationTokenAdmin(admin.ModelAdmin):
    list_display = ("name", "token_key", "user", "can_write", "created", "expiry")
    list_filter = ("can_write",)
    search_fields = ("name", "token_key", "user__username")
    fields = ("name", "token_key", "user", "can_write", "created", "expiry")
    readonly_fields = fields

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False
