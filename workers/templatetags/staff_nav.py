"""``{% staff_links as links %}``: the staff pages this user's role may open, and no others.

It lives in the operations layer because it names pages of every staff app (moderation,
publishing, the pipeline page, the admin) and asks each of them who may open it.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from typing import Any

from django import template
from django.contrib import admin
from django.urls import reverse
from django.utils.translation import gettext as _

from moderation.permissions import PERM_PUBLISH, user_is_staff_member
from publishing.youtube.selectors import user_is_publisher
from workers.pipeline import user_may_see_pipeline

register = template.Library()


@dataclass(frozen=True)
class StaffLink:
    key: str
    url: str
    label: str
    current: bool = False


@register.simple_tag(takes_context=True)
def staff_links(context: Any) -> list[StaffLink]:
    request = context.get("request")
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return []
    links = []
    if user_is_staff_member(user):
        links += [
            StaffLink("queue", reverse("moderation:queue"), _("Warteschlange")),
            StaffLink("audit", reverse("moderation:audit"), _("Protokoll")),
        ]
    # Permissions are cached on the user after the view's own check, groups are not: only a
    # user whose permissions could belong to a publisher or campaign admin costs a query.
    maybe_more = user.is_superuser or any(
        user.has_perm(perm) for perm in (PERM_PUBLISH, "moderation.change_moderationsettings")
    )
    if maybe_more and user_is_publisher(user):
        links.append(StaffLink("publishing", reverse("publishing:dashboard"), _("Veröffentlichen")))
    if maybe_more and user_may_see_pipeline(user):
        links.append(StaffLink("pipeline", reverse("workers:pipeline"), _("Verarbeitung")))
    if user_is_staff_member(user):
        links.append(StaffLink("tokens", reverse("moderation:tokens"), _("API-Schlüssel")))
    if user.is_staff and admin.site.get_app_list(request):
        links.append(StaffLink("admin", reverse("admin:index"), _("Einstellungen")))
    # The current page belongs to the link with the longest matching address.
    matching = [link for link in links if request.path.startswith(link.url)]
    if matching:
        best = max(matching, key=lambda link: len(link.url))
        links = [replace(link, current=link is best) for link in links]
    return links
