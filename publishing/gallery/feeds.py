"""RSS and Atom feeds of the newest published stories, with absolute URLs from SITE_URL.

A description is HTML in both formats (RSS ``<description>``, Atom ``<summary type="html">``),
so a reader unescapes it once and renders the result. The story's text is therefore escaped
for HTML first and only then wrapped in paragraphs: what a supporter typed stays text.
"""

from __future__ import annotations

from datetime import datetime

from django.conf import settings
from django.contrib.syndication.views import Feed
from django.db.models import QuerySet
from django.urls import reverse
from django.utils.feedgenerator import Atom1Feed, Enclosure
from django.utils.html import linebreaks
from django.utils.text import Truncator
from django.utils.translation import gettext as _

from stories.links import absolute
from stories.models import Story

from . import selectors


class StoryFeed(Feed):
    def title(self) -> str:
        return f"{settings.CAMPAIGN_NAME} – {_('Geschichten gelungener Integration')}"

    def description(self) -> str:
        return _("Neue Geschichten von Menschen, die zu uns geflüchtet sind.")

    def link(self) -> str:
        return absolute(reverse("gallery:index"))

    def feed_url(self) -> str:
        return absolute(reverse("gallery:feed"))

    def items(self) -> QuerySet[Story]:
        return selectors.gallery_stories()[: settings.GALLERY_FEED_ITEMS]

    def item_title(self, item: Story) -> str:
        return item.title

    def item_description(self, item: Story) -> str:
        # Truncate the plain text, then escape it and wrap its paragraphs (autoescape=True).
        text = Truncator(item.text.strip()).chars(400)
        return linebreaks(text, autoescape=True)

    def item_link(self, item: Story) -> str:
        return absolute(reverse("gallery:story", args=[item.public_id]))

    def item_guid(self, item: Story) -> str:
        return f"urn:uuid:{item.public_id}"

    item_guid_is_permalink = False

    def item_pubdate(self, item: Story) -> datetime:
        return item.status_changed_at

    def item_author_name(self, item: Story) -> str:
        return item.credit_line

    def item_categories(self, item: Story) -> list[str]:
        return [str(name) for name in (item.region, item.topic) if name]

    def item_enclosures(self, item: Story) -> list[Enclosure]:
        if not getattr(item, "poster_key", None):
            return []
        url = absolute(reverse("gallery:poster", args=[item.public_id]))
        return [Enclosure(url, "0", "image/jpeg")]


class StoryAtomFeed(StoryFeed):
    feed_type = Atom1Feed

    def subtitle(self) -> str:
        return self.description()

    def feed_url(self) -> str:
        return absolute(reverse("gallery:feed_atom"))
