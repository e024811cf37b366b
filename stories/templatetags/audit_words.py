"""``{{ entry.action|action_words }}``: an audit code in the reader's language."""

from __future__ import annotations

from django import template

from stories.audit_words import action_words as _action_words

register = template.Library()


@register.filter
def action_words(code: str) -> str:
    return _action_words(code)
