"""The second factor: verify a device, or enrol a first one through the e-mailed link."""

from __future__ import annotations

from base64 import b32encode
from typing import Any

from django.contrib import messages
from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponseBase
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods

from .. import enrolment
from ..forms import TokenForm
from ..middleware import second_factor_not_required


def _next_url(request: HttpRequest) -> str:
    next_url = request.GET.get("next") or reverse("moderation:queue")
    if not url_has_allowed_host_and_scheme(next_url, allowed_hosts={request.get_host()}):
        next_url = reverse("moderation:queue")
    return next_url


@second_factor_not_required
@require_http_methods(["GET", "POST"])
def two_factor(request: HttpRequest) -> HttpResponseBase:
    """Verify the device; or enrol a first one, once the e-mailed enrolment link was opened.

    Without a confirmed device and without the link, the page only offers to send the link
    (see ``moderation.enrolment``): the password alone never shows a secret.
    """
    from django_otp import login as otp_login
    from django_otp.plugins.otp_static.models import StaticDevice
    from django_otp.plugins.otp_totp.models import TOTPDevice

    if not request.user.is_authenticated:
        return redirect_to_login(request.get_full_path())
    next_url = _next_url(request)
    device = TOTPDevice.objects.filter(user=request.user, confirmed=True).first()
    if device is None:
        return _enrol(request, next_url)
    form = TokenForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        token = form.cleaned_data["token"].strip().replace(" ", "")
        allowed, _detail = device.verify_is_allowed()
        if not allowed:
            form.add_error("token", _("Zu viele Versuche. Bitte warten Sie einen Moment."))
        else:
            if device.verify_token(token):
                otp_login(request, device)
                return redirect(next_url)
            for static in StaticDevice.objects.filter(user=request.user, confirmed=True):
                if static.verify_is_allowed()[0] and static.verify_token(token.lower()):
                    otp_login(request, static)
                    messages.warning(
                        request,
                        _("Sie haben einen Wiederherstellungscode verbraucht; noch %(n)d übrig.")
                        % {"n": static.token_set.count()},
                    )
                    return redirect(next_url)
            form.add_error(
                "token", _("Der Code stimmt nicht. Bitte geben Sie den aktuellen Code ein.")
            )
    context = {"form": form, "step": "verify"}
    return render(request, "moderation/two_factor.html", context)


def _enrol(request: HttpRequest, next_url: str) -> HttpResponseBase:
    from django_otp import login as otp_login
    from django_otp.plugins.otp_totp.models import TOTPDevice

    if request.session.get(enrolment.SESSION_KEY) != request.user.pk:
        sent = None
        if request.method == "POST" and "send_link" in request.POST:
            sent = enrolment.enrolment_link_send(
                user=request.user, base_url=request.build_absolute_uri("/")
            )
        return render(
            request,
            "moderation/two_factor.html",
            {"step": "link", "sent": sent, "email": getattr(request.user, "email", "")},
        )
    device = TOTPDevice.objects.filter(user=request.user, confirmed=False).first()
    if device is None:
        device = enrolment.enrolment_start(user=request.user)
    form = TokenForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        allowed, _detail = device.verify_is_allowed()
        if not allowed:
            form.add_error("token", _("Zu viele Versuche. Bitte warten Sie einen Moment."))
        elif device.verify_token(form.cleaned_data["token"].strip()):
            codes = enrolment.enrolment_finish(device=device)
            request.session.pop(enrolment.SESSION_KEY, None)
            otp_login(request, device)
            done = {"step": "codes", "codes": codes, "next_url": next_url}
            return render(request, "moderation/two_factor.html", done)
        else:
            form.add_error(
                "token", _("Der Code stimmt nicht. Bitte geben Sie den aktuellen Code ein.")
            )
    context: dict[str, Any] = {
        "form": form,
        "step": "setup",
        "qr_svg": mark_safe(enrolment.qr_svg(device=device)),  # noqa: S308 - segno's own SVG
        "secret": b32encode(device.bin_key).decode(),
    }
    return render(request, "moderation/two_factor.html", context)


@second_factor_not_required
@require_GET
def enrol(request: HttpRequest, token: str) -> HttpResponseBase:
    """The e-mailed enrolment link: opens set-up for the signed-in owner of the link."""
    if not request.user.is_authenticated:
        return redirect_to_login(request.get_full_path())
    if enrolment.user_has_device(user=request.user) or not enrolment.enrolment_token_check(
        user=request.user, token=token
    ):
        raise PermissionDenied(_("Dieser Link gilt nicht (mehr)."))
    enrolment.enrolment_start(user=request.user)
    request.session[enrolment.SESSION_KEY] = request.user.pk
    return redirect("moderation:two_factor")
