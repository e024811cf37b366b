"""Audit codes in words, for the people who read the log; exports keep the codes.

The codes are the contract (tests, CSV export, filters); each gets a short German label here,
translated like every other text. An unknown code is shown as it is.
"""

from __future__ import annotations

from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

ACTION_WORDS: dict[str, Promise] = {
    "stories.story.create_draft": _("Entwurf angelegt"),
    "stories.story.edit_draft": _("Entwurf bearbeitet"),
    "stories.story.submit": _("Geschichte eingereicht"),
    "stories.story.resubmit": _("Überarbeitet wieder eingereicht"),
    "stories.story.confirm_email": _("Adresse bestätigt"),
    "stories.story.edit_access": _("Zum Bearbeiten geöffnet"),
    "stories.story.reply": _("Antwort der einreichenden Person"),
    "stories.story.withdraw": _("Einwilligung widerrufen"),
    "stories.story.erase": _("Daten gelöscht"),
    "stories.story.status_link_renew": _("Neuer Status-Link verschickt"),
    "stories.guardian.confirm": _("Sorgeberechtigte Person hat zugestimmt"),
    "stories.media.attach": _("Video angehängt"),
    "stories.media.ready": _("Video verarbeitet"),
    "stories.media.failed": _("Video konnte nicht verarbeitet werden"),
    "stories.media.rerun": _("Videoverarbeitung neu gestartet"),
    "stories.photo.add": _("Foto hinzugefügt"),
    "stories.photo.remove": _("Foto entfernt"),
    "stories.subtitles.set": _("Untertitel gespeichert"),
    "stories.privacy.export": _("Daten exportiert"),
    "stories.privacy.erase": _("Daten auf Anfrage gelöscht"),
    "stories.retention.original_deleted": _("Originalvideo nach Frist gelöscht"),
    "moderation.claim.take": _("Zur Bearbeitung übernommen"),
    "moderation.claim.takeover": _("Bearbeitung von anderer Person übernommen"),
    "moderation.claim.release": _("Bearbeitung freigegeben"),
    "moderation.note.add": _("Notiz hinzugefügt"),
    "moderation.story.assign": _("Zugewiesen"),
    "moderation.story.edit": _("Von der Moderation bearbeitet"),
    "moderation.story.request_changes": _("Änderungen erbeten"),
    "moderation.story.approve_first": _("Erste Freigabe"),
    "moderation.story.approve": _("Freigegeben"),
    "moderation.story.reject": _("Abgelehnt"),
    "moderation.story.takedown": _("Entfernt"),
    "moderation.story.publish_request": _("Zur Veröffentlichung vorgemerkt"),
    "publishing.channel.connected": _("YouTube-Kanal verbunden"),
    "publishing.channel.reconnect_required": _("YouTube-Kanal muss neu verbunden werden"),
    "publishing.publication.queued": _("Veröffentlichung eingeplant"),
    "publishing.publication.resumed": _("Hochladen fortgesetzt"),
    "publishing.publication.uploaded": _("Auf YouTube hochgeladen"),
    "publishing.publication.waiting_for_quota": _("Wartet auf YouTube-Kontingent"),
    "publishing.publication.paused": _("Veröffentlichung angehalten"),
    "publishing.publication.failed": _("Veröffentlichung fehlgeschlagen"),
    "publishing.publication.published": _("Auf YouTube veröffentlicht"),
    "publishing.publication.edit_metadata": _("YouTube-Angaben bearbeitet"),
    "publishing.publication.takedown_requested": _("Entfernen von YouTube angefordert"),
    "publishing.publication.takedown_nothing": _("Auf YouTube war nichts zu entfernen"),
    "publishing.publication.taken_down": _("Von YouTube entfernt"),
    "publishing.story.published": _("Veröffentlicht"),
    "partners.partner.register": _("Partner registriert"),
    "partners.partner.invite": _("Partner eingeladen"),
    "partners.partner.approve": _("Partner freigeschaltet"),
    "partners.partner.reject": _("Partner abgelehnt"),
    "partners.partner.set_password": _("Partner-Passwort gesetzt"),
    "partners.partner.logo": _("Partner-Logo geändert"),
    "partners.partner.choices": _("Partner-Auswahl geändert"),
    "partners.kit.ready": _("Partner-Material fertig"),
    "gallery.partners.withdrawal_notified": _("Partner über Widerruf informiert"),
    "workers.pipeline.retry": _("Auftrag neu gestartet"),
    "auth.user.roles": _("Rollen geändert"),
    "auth.token.issue": _("API-Token ausgegeben"),
    "auth.token.revoke": _("API-Token widerrufen"),
}


def action_words(code: str) -> str:
    words = ACTION_WORDS.get(code)
    return str(words) if words is not None else code
