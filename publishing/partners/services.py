"""Writes for partners and their kits, re-exported from the modules that hold them:
accounts (registration, approval, invitations, choices, logo), kits (request, generation,
failure, retry, download log; status changes only through ``lifecycle.kit_transition``) and
attribution (visit counts)."""

from __future__ import annotations

from .account_services import (
    invitation_accept,
    invitation_valid,
    partner_approve,
    partner_invite,
    partner_register,
    partner_reject,
    partner_remove_logo,
    partner_set_logo,
    partner_update_choices,
    ref_code_new,
)
from .attribution import ref_visit_record
from .kit_services import (
    KIT_PREFIX,
    LANGUAGE_CODES,
    kit_download_record,
    kit_generate,
    kit_inputs,
    kit_mark_failed,
    kit_request,
    kit_retry,
)

__all__ = [
    "KIT_PREFIX",
    "LANGUAGE_CODES",
    "invitation_accept",
    "invitation_valid",
    "kit_download_record",
    "kit_generate",
    "kit_inputs",
    "kit_mark_failed",
    "kit_request",
    "kit_retry",
    "partner_approve",
    "partner_invite",
    "partner_register",
    "partner_reject",
    "partner_remove_logo",
    "partner_set_logo",
    "partner_update_choices",
    "ref_code_new",
    "ref_visit_record",
]
