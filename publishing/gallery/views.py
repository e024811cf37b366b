"""Public pages: the gallery, story pages, posters, legal pages and the feedback form."""

from __future__ import annotations

import hashlib
import re
import uuid
from collections.abc import Callable, Sequence
from typing import Any
from urllib.parse import urlencode

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.storage import default_storage
from django.core.paginator import Page, Paginator
from django.http import FileResponse, Http404, HttpRequest, HttpResponse, HttpResponseNotModified
from django.http.response import HttpResponseBase
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.cache import patch_cache_control
from django.utils.http import quote_etag
from django.utils.text import Truncator
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods

from stories.abuse import honeypot_caught
from stories.links import absolute
from stories.uploads.ratelimit import rate_limit_hit
from stories.uploads.services import client_ip_hash

from . import selectors, services
from .forms import FeedbackForm, GalleryFilterForm
from .models import LegalPage
from .templatetags.gallery_media import isolate, story_og_image


class _CountedPaginator(Paginator):
    """A paginator whose total is already known (and whose rows are loaded ids-first)."""

    def __init__(self, page_source: selectors.GalleryPage) -> None:
        super().__init__(range(page_source.count), page_source.size)
        self.source = page_source

    def _get_page(self, object_list: Any, number: int, paginator: Paginator) -> Page:
        start = (number - 1) * self.per_page
        return Page(_LazyRows(lambda: self.source.rows(start)), number, paginator)


class _LazyRows(Sequence[Any]):
    """The page's stories, loaded on first use: a cached grid never loads them."""

    def __init__(self, load: Callable[[], list[Any]]) -> None:
        self._load = load
        self._rows: list[Any] | None = None

    def _all(self) -> list[Any]:
        if self._rows is None:
            self._rows = self._load()
        return self._rows

    def __len__(self) -> int:
        return len(self._all())

    def __getitem__(self, index: Any) -> Any:
        return self._all()[index]


class _LazyHome:
    """The home page's stories and region counts, loaded only when its fragment is rendered."""

    def __init__(self, state: selectors.HomeState) -> None:
        self._state = state

    def picks(self) -> list[Any]:
        return selectors.home_picks()

    def newest(self) -> list[Any]:
        return selectors.home_newest()

    def regions(self) -> Any:
        return selectors.gallery_facets(state=self._state.gallery)["regions"]


@require_GET
def home(request: HttpRequest) -> HttpResponse:
    """The campaign's front page: people's stories (picked and newest), how it works, the call
    and the counts by region.

    The body is one cached fragment keyed by the gallery's state and the picks, so a hit costs
    one cache read (``selectors.home_state``) and no query.
    """
    state = selectors.home_state()
    content = _LazyHome(state)
    return render(
        request,
        "gallery/home.html",
        {
            "home_key": hashlib.sha256(state.key.encode()).hexdigest(),
            "story_total": state.gallery.count,
            "picks": content.picks,
            "newest": content.newest,
            "regions": content.regions,
            "canonical": absolute(reverse("stories:home")),
        },
    )


@require_GET
def gallery(request: HttpRequest) -> HttpResponse:
    """The grid of published stories with filters, search and pages.

    The whole page body is one fragment in the cache, keyed by the gallery's state (count,
    last status change, last edit), the filters, the page and the language, so it stays
    right when the public page cache is off or was just emptied; the facets and the page's
    rows are loaded only when that fragment has to be rendered.
    """
    form = GalleryFilterForm(request.GET or None)
    filters = form.filters() if form.is_valid() else selectors.GalleryFilters()
    state = selectors.gallery_state()
    source = selectors.GalleryPage(filters=filters, state=state, size=settings.GALLERY_PAGE_SIZE)
    paginator = _CountedPaginator(source)
    page = paginator.get_page(request.GET.get("seite"))
    query = {k: v for k, v in form.cleaned_data.items() if v} if form.is_valid() else {}
    facets = _LazyFacets(state)
    return render(
        request,
        "gallery/gallery.html",
        {
            "page": page,
            "stories": page.object_list,
            "form": form,
            "filters": filters,
            "regions": facets.regions,
            "topics": facets.topics,
            "video_languages": facets.languages,
            "query_string": urlencode(query),
            "page_key": hashlib.sha256(
                f"{state.key}|{urlencode(sorted(query.items()))}|{page.number}".encode()
            ).hexdigest(),
            "canonical": absolute(reverse("gallery:index")),
            "og_title": _("Geschichten gelungener Integration"),
        },
    )


class _LazyFacets:
    """The filter options, fetched on first use: a cached page body never asks for them.

    The template calls ``regions``, ``topics`` and ``video_languages`` (callables are called
    when a variable is resolved), so nothing is loaded or unpickled on a fragment hit.
    """

    def __init__(self, state: selectors.GalleryState) -> None:
        self._state = state
        self._facets: dict[str, Any] | None = None

    def _get(self, name: str) -> Any:
        if self._facets is None:
            self._facets = selectors.gallery_facets(state=self._state)
        return self._facets[name]

    def regions(self) -> Any:
        return self._get("regions")

    def topics(self) -> Any:
        return self._get("topics")

    def languages(self) -> Any:
        return self._get("languages")


@require_GET
def story(request: HttpRequest, public_id: uuid.UUID) -> HttpResponse:
    """One story: text, credit, the two-click video, share links, Open Graph metadata."""
    found = selectors.gallery_story(public_id=public_id)
    if found is None:
        raise Http404(_("Diese Geschichte gibt es hier nicht (mehr)."))
    url = absolute(reverse("gallery:story", args=[found.public_id]))
    video_id = getattr(found, "video_id", None)
    poster_url = (
        absolute(reverse("gallery:poster", args=[found.public_id]))
        if getattr(found, "poster_key", None)
        else ""
    )
    og_image = story_og_image(found)
    summary = Truncator(" ".join(found.text.split())).chars(200)
    share_text = f"{found.title} – {settings.CAMPAIGN_NAME}"
    share = [
        ("E-Mail", "mailto:?" + urlencode({"subject": share_text, "body": url})),
        ("WhatsApp", "https://wa.me/?" + urlencode({"text": f"{share_text} {url}"})),
        ("Telegram", "https://t.me/share/url?" + urlencode({"url": url, "text": share_text})),
        ("Facebook", "https://www.facebook.com/sharer/sharer.php?" + urlencode({"u": url})),
        ("LinkedIn", "https://www.linkedin.com/sharing/share-offsite/?" + urlencode({"url": url})),
    ]
    return render(
        request,
        "gallery/story.html",
        {
            "story": found,
            "canonical": url,
            "poster_url": poster_url,
            "summary": summary,
            "og_type": "article",
            "og_title": found.title,
            "og_description": summary,
            "og_image": og_image or poster_url,
            "og_image_is_og_size": bool(og_image),
            "og_image_alt": _("Standbild aus dem Video „%(title)s“")
            % {"title": isolate(found.title)}
            if (og_image or poster_url)
            else "",
            "share": share,
            "video_language": selectors.video_language_label(found.video_language),
            "embed_url": (
                f"https://www.youtube-nocookie.com/embed/{video_id}?autoplay=1&rel=0"
                if video_id
                else ""
            ),
        },
    )


@require_GET
def poster(request: HttpRequest, public_id: uuid.UUID) -> HttpResponseBase:
    """The poster of a published story, streamed from media storage; 404 for anything else."""
    return _poster_response(request, selectors.gallery_poster_key(public_id=public_id))


@require_GET
def poster_variant(request: HttpRequest, public_id: uuid.UUID, name: str) -> HttpResponseBase:
    """One responsive poster (``640.webp``, ``og.jpg``) of a published story; else 404."""
    if not POSTER_VARIANT.fullmatch(name):
        raise Http404
    key = selectors.gallery_poster_variant_key(public_id=public_id, name=name)
    return _poster_response(request, key, "image/webp" if name.endswith(".webp") else "image/jpeg")


POSTER_VARIANT = re.compile(r"(?:\d{2,4}\.(?:jpg|webp))|og\.jpg")


def _poster_response(
    request: HttpRequest, key: str | None, content_type: str = "image/jpeg"
) -> HttpResponseBase:
    if key is None:
        raise Http404
    etag = quote_etag(hashlib.sha256(key.encode()).hexdigest()[:32])
    if etag in request.headers.get("If-None-Match", ""):
        response: HttpResponseBase = HttpResponseNotModified()
    else:
        try:
            handle = default_storage.open(key, "rb")
        except FileNotFoundError as exc:
            raise Http404 from exc
        response = FileResponse(handle, content_type=content_type)
    response["ETag"] = etag
    # Short: once a story is withdrawn its poster must stop showing up soon, in caches too.
    patch_cache_control(response, public=True, max_age=settings.GALLERY_POSTER_MAX_AGE)
    return response


def _legal(request: HttpRequest, kind: str, extra: dict[str, Any] | None = None) -> HttpResponse:
    text = selectors.legal_page(kind=kind, language=get_language() or "de")
    return render(
        request,
        "gallery/legal.html",
        {
            "legal": text,
            "fallback": text.language != (get_language() or "de"),
            "canonical": absolute(request.path),
            "og_title": text.title,
            **(extra or {}),
        },
    )


@require_GET
def imprint(request: HttpRequest) -> HttpResponse:
    return _legal(request, LegalPage.Kind.IMPRINT)


@require_GET
def privacy(request: HttpRequest) -> HttpResponse:
    return _legal(request, LegalPage.Kind.PRIVACY)


@require_GET
def easy_language(request: HttpRequest) -> HttpResponse:
    return _legal(request, LegalPage.Kind.EASY_LANGUAGE)


@require_http_methods(["GET", "POST"])
def accessibility(request: HttpRequest) -> HttpResponse:
    """The accessibility statement with its feedback form (honeypot, rate limit)."""
    sent = request.GET.get("gesendet") == "1"
    if request.method == "POST":
        form = FeedbackForm(request.POST)
        if honeypot_caught(
            request=request, filled=bool(request.POST.get(FeedbackForm.HONEYPOT)), step="a11y"
        ):
            return redirect(reverse("legal:accessibility") + "?gesendet=1#feedback")
        wait = rate_limit_hit(
            scope="a11y-feedback",
            key=client_ip_hash(ip=request.META.get("REMOTE_ADDR", "")),
            rate=settings.GALLERY_FEEDBACK_RATE,
        )
        if wait is not None:
            form.is_valid()
            form.add_error(
                None,
                _("Sie haben schon mehrere Nachrichten geschickt. Bitte versuchen Sie es später."),
            )
            response = _legal(request, LegalPage.Kind.ACCESSIBILITY, {"form": form})
            response.status_code = 429
            response["Retry-After"] = str(wait)
            return response
        if form.is_valid():
            try:
                services.accessibility_feedback_submit(
                    message=form.cleaned_data["message"],
                    page_url=form.cleaned_data["page_url"],
                    name=form.cleaned_data["name"],
                    email=form.cleaned_data["email"],
                    language=get_language() or "de",
                )
            except ValidationError as error:
                form.add_error(None, error)
            else:
                return redirect(reverse("legal:accessibility") + "?gesendet=1#feedback")
    else:
        form = FeedbackForm(initial={"page_url": request.GET.get("seite", "")[:500]})
    return _legal(request, LegalPage.Kind.ACCESSIBILITY, {"form": form, "sent": sent})
