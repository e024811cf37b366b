"""The pipeline page for campaign admins: what is stuck or failed, and a retry for each."""

from __future__ import annotations

import logging

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from kernel.errors import ConflictError

from . import pipeline

logger = logging.getLogger(__name__)


def _require_campaign_admin(request: HttpRequest) -> None:
    if not pipeline.user_may_see_pipeline(request.user):
        raise PermissionDenied


@login_required
@require_GET
def pipeline_page(request: HttpRequest) -> HttpResponse:
    """Counts per state of every kind of job, then each failed or stuck job with a retry."""
    _require_campaign_admin(request)
    problems = pipeline.pipeline_problems()
    return render(
        request,
        "workers/pipeline.html",
        {
            "summaries": pipeline.pipeline_counts(),
            "problems": problems,
            "failed_count": sum(1 for row in problems if row.problem == "failed"),
            "stuck_count": sum(1 for row in problems if row.problem == "stuck"),
        },
    )


@login_required
@require_POST
def pipeline_retry(request: HttpRequest, kind: str, job_id: int) -> HttpResponse:
    _require_campaign_admin(request)
    try:
        pipeline.pipeline_retry(kind=kind, job_id=job_id, actor=request.user)
    except LookupError as error:
        raise Http404 from error
    except ConflictError as error:
        messages.warning(request, error.message)
    else:
        logger.info("pipeline: %s retried %s %s", request.user, kind, job_id)
        messages.success(request, _("Der Auftrag wurde erneut gestartet."))
    return redirect("workers:pipeline")
