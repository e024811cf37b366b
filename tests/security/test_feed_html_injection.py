"""Hole 10: a story's text reaches feed readers as text, never as markup.

The attack: a supporter's story text holds ``"><img src=x onerror=alert(1)><script>…``; once
it is published, the RSS description and the Atom ``<summary type="html">`` carried it as HTML,
so a feed reader that renders the summary ran it. The test reads each feed as a reader does:
parse the XML (one unescape), then parse the description as HTML and list its elements.
"""

from __future__ import annotations

from html.parser import HTMLParser

import defusedxml.ElementTree as ElementTree
import pytest
from django.test import Client

from tests.gallery.conftest import make_story

pytestmark = pytest.mark.django_db

HOSTILE = (
    'Amina kam 2016 nach Celle."><img src=x onerror=alert(1)><script>alert(2)</script>\n\n'
    "Heute <b onmouseover=alert(3)>leitet</b> sie eine Werkstatt & bildet aus."
)
ATOM = "{http://www.w3.org/2005/Atom}"


class _Markup(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.tags: list[str] = []
        self.attributes: list[str] = []
        self.text: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append(tag)
        self.attributes.extend(name for name, _value in attrs)

    def handle_data(self, data: str) -> None:
        self.text.append(data)


def _markup_of(html: str) -> _Markup:
    parser = _Markup()
    parser.feed(html)
    parser.close()
    return parser


def _assert_text_only(html: str) -> None:
    markup = _markup_of(html)
    assert set(markup.tags) <= {"p", "br"}, markup.tags
    assert markup.attributes == []
    text = "".join(markup.text)
    assert '"><img src=x onerror=alert(1)><script>alert(2)</script>' in text  # shown as typed
    assert "&" in text


def _descriptions(client: Client) -> list[str]:
    rss = ElementTree.fromstring(client.get("/geschichten/feed/").content)
    atom = ElementTree.fromstring(client.get("/geschichten/feed/atom/").content)
    summaries = list(atom.iter(f"{ATOM}summary"))
    assert summaries and all(s.get("type") == "html" for s in summaries)
    return [d.text or "" for d in rss.iter("description")][1:] + [s.text or "" for s in summaries]


def test_story_text_is_escaped_in_rss_and_atom() -> None:
    make_story(title="Werkstatt in Celle", text=HOSTILE)
    descriptions = _descriptions(Client())
    assert len(descriptions) == 2  # one RSS item, one Atom entry
    for html in descriptions:
        _assert_text_only(html)
        assert html.count("<p>") == 2  # the two paragraphs survive as paragraphs
