"""The audit log page and its CSV export."""

from __future__ import annotations

from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse, StreamingHttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.views.decorators.http import require_GET

from kernel.spreadsheet import csv_writer

from .. import selectors
from ..forms import AuditFilterForm
from .access import staff_required


def _audit_form(request: HttpRequest) -> AuditFilterForm:
    return AuditFilterForm(
        request.GET or None,
        actors=selectors.audit_actors(),
        actions=selectors.audit_actions(),
    )


@staff_required
@require_GET
def audit(request: HttpRequest) -> HttpResponse:
    form = _audit_form(request)
    entries = selectors.audit_log(filters=form.filters())
    page = Paginator(entries, 50).get_page(request.GET.get("page"))
    return render(request, "moderation/audit.html", {"form": form, "page": page, "nav": "audit"})


class _Echo:
    def write(self, value: str) -> str:
        return value


@staff_required
@require_GET
def audit_export(request: HttpRequest) -> StreamingHttpResponse:
    """The filtered log as CSV, streamed row by row."""
    entries = selectors.audit_log(filters=_audit_form(request).filters())
    writer = csv_writer(_Echo())
    response = StreamingHttpResponse(
        (writer.writerow(row) for row in selectors.audit_rows(queryset=entries)),
        content_type="text/csv; charset=utf-8",
    )
    stamp = timezone.localtime().strftime("%Y%m%d-%H%M")
    response["Content-Disposition"] = f'attachment; filename="audit-{stamp}.csv"'
    return response
