"""Questions stories asks the apps above it, without importing them (they connect in ``ready``).

``partner_code_known``: is ``ref`` (a story's ``partner_ref``) the reference code of a partner
organisation? Erasure keeps such a code (it names an organisation, not the person) and empties
anything else. Receivers return ``True`` when they know the code; with no receiver connected
(the partners app not installed) no code is known.
"""

from __future__ import annotations

from django.dispatch import Signal

partner_code_known = Signal()


def is_partner_code(ref: str) -> bool:
    """Does any connected app know ``ref`` as a partner's reference code?"""
    if not ref:
        return False
    return any(answer is True for _receiver, answer in partner_code_known.send(Signal, ref=ref))
