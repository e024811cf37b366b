# ruff: noqa: E501 - prose paragraphs: one paragraph per line, as the admin edits them
"""German default texts of the legal pages; campaign admins adapt them in the admin.

Bracketed parts ([…]) are the alliance's own details, which only it can fill in.
``[[SETTING]]`` is replaced by the current value of that setting when the page is shown; only
the settings in ``selectors.LEGAL_PLACEHOLDERS`` may appear.
The seeding migration copies these texts; the pages fall back to them if a row is missing.
"""

IMPRINT = """## Angaben gemäß § 5 DDG
[Name des Bündnisses oder des Trägervereins]
[Straße und Hausnummer]
[Postleitzahl] [Ort]

## Vertreten durch
[Vorstand oder vertretungsberechtigte Personen]

## Kontakt
E-Mail: [kontakt@example.org]
Telefon: [Telefonnummer]

## Registereintrag
[Vereinsregister, Registergericht, Registernummer – falls vorhanden]

## Verantwortlich für den Inhalt nach § 18 Abs. 2 MStV
[Name, Anschrift wie oben]

## Geschichten und Videos
Die Geschichten und Videos stammen von den Menschen, die sie erzählen. Sie wurden vor der Veröffentlichung von unserem Team geprüft. Die Rechte an Texten und Videos bleiben bei den Erzählenden; sie können ihre Einwilligung jederzeit widerrufen.

## Quellcode
Diese Website ist freie Software (AGPL-3.0-or-later)."""

PRIVACY = """## Verantwortliche Stelle
[Name des Bündnisses oder des Trägervereins], [Anschrift], E-Mail: [datenschutz@example.org]. Unsere Datenschutzbeauftragte Person erreichen Sie unter [dsb@example.org].

## Worum es geht
Mit der Kampagne ZUSAMMEN. MEHR. sammeln wir Geschichten gelungener Integration und veröffentlichen sie auf unserem YouTube-Kanal und auf dieser Website. Wir verarbeiten personenbezogene Daten nur für die folgenden Zwecke.

## 1. Einreichung und Moderation
Wenn Sie eine Geschichte einreichen, speichern wir Titel, Text, Region, Thema, Sprache, Ihren Namen, Ihre E-Mail-Adresse, gegebenenfalls Organisation, Pseudonym und bei Minderjährigen Name und E-Mail-Adresse einer erziehungsberechtigten Person. Unser Moderationsteam prüft die Geschichte vor der Veröffentlichung. Rechtsgrundlage ist Ihre Einwilligung (Art. 6 Abs. 1 lit. a DSGVO); soweit die Geschichte Angaben zu Herkunft oder Religion enthält, Ihre ausdrückliche Einwilligung (Art. 9 Abs. 2 lit. a DSGVO). Wir speichern, welchem Einwilligungstext Sie wann zugestimmt haben, als Nachweis (Art. 7 Abs. 1 DSGVO).

## 2. Verarbeitung des Videos
Ihr Video wird auf unseren Servern in ein einheitliches Format umgewandelt; dabei entstehen ein Vorschaubild, eine Vorschau und eine Fassung für YouTube. Die hochgeladene Originaldatei löschen wir, sobald die Umwandlung geprüft und die Geschichte veröffentlicht ist. Rechtsgrundlage: Art. 6 Abs. 1 lit. a DSGVO.

## 3. Veröffentlichung auf YouTube und dieser Website
Freigegebene Geschichten veröffentlichen wir auf unserem YouTube-Kanal (Google Ireland Limited, Gordon House, Barrow Street, Dublin 4, Irland) und in der Galerie dieser Website, mit dem Namen, den Sie gewählt haben (voller Name, Vorname, Pseudonym oder anonym). Google kann Daten in die USA übermitteln; Google ist nach dem EU-US Data Privacy Framework zertifiziert (Art. 45 DSGVO). Rechtsgrundlage: Art. 6 Abs. 1 lit. a DSGVO.

## 4. Videos auf dieser Website (Zwei-Klick-Lösung)
Unsere Seiten laden nichts von YouTube oder Google, solange Sie nicht auf „Video laden“ klicken. Erst dann wird das Video über youtube-nocookie.com eingebettet, und Ihr Browser überträgt Daten wie Ihre IP-Adresse an Google. Vorschaubilder liefern wir selbst aus. Rechtsgrundlage ist Ihre Einwilligung durch den Klick (Art. 6 Abs. 1 lit. a DSGVO, § 25 Abs. 1 TDDDG).

## 5. E-Mails
Wir schreiben Ihnen, um Ihre E-Mail-Adresse zu bestätigen (Double-Opt-in), Ihnen den privaten Link zur Statusseite zu geben und Sie über Entscheidungen zu Ihrer Geschichte zu informieren. Rechtsgrundlage: Art. 6 Abs. 1 lit. a und b DSGVO. Rückmeldungen zur Barrierefreiheit leiten wir per E-Mail an die Kampagnenleitung weiter.

## 6. Partnermaterial und Zuordnung
Partnerorganisationen erhalten Kampagnenmaterial mit einem eigenen Link. Wir zählen Besuche über diesen Link pro Tag (ohne Angaben zu Ihrer Person) und speichern bei einer Einreichung den Code des Partners, damit Partner sehen, wie viele Geschichten über sie kamen. Wir protokollieren, welcher Partner welche Datei heruntergeladen hat, um Partner bei einem Widerruf informieren zu können. Rechtsgrundlage: Art. 6 Abs. 1 lit. f DSGVO (berechtigtes Interesse an der Kampagnenarbeit und am Schutz Ihres Widerrufs).

## 7. Sicherheit und Protokolle
Zum Schutz vor Missbrauch zählen wir Anfragen pro Gerät mit einem nicht umkehrbaren Kürzel der IP-Adresse; die IP-Adresse selbst speichern wir nicht. Jede Änderung an einer Geschichte wird in einem Protokoll festgehalten (wer, wann, was). Server-Protokolle enthalten technische Angaben zu Anfragen und werden nach [14] Tagen gelöscht. Rechtsgrundlage: Art. 6 Abs. 1 lit. f und Art. 32 DSGVO.

## 8. Speicherdauer
- Unvollständige Uploads: nach [[UPLOAD_EXPIRY_HOURS]] Stunden.
- Entwürfe und nicht bestätigte Einreichungen: nach [[RETENTION_UNCONFIRMED_DAYS]] Tagen.
- Abgelehnte Geschichten: [[RETENTION_REJECTED_DAYS]] Tage nach der Entscheidung.
- Originaldateien der Videos: nach geprüfter Umwandlung und Veröffentlichung.
- Rückmeldungen zur Barrierefreiheit: nach [[GALLERY_FEEDBACK_RETENTION_DAYS]] Tagen.
- Veröffentlichte Geschichten: bis zum Widerruf. Nach einer Löschung bleibt nur ein Nachweis, dass eine Einwilligung bestand und widerrufen wurde (Zweck, Version des Textes, Zeitpunkte), ohne Angaben zu Ihrer Person.

## 9. Ihre Rechte
Sie können Ihre Einwilligung jederzeit über den privaten Link zur Statusseite widerrufen; die Geschichte verschwindet dann sofort aus der Galerie und wird von YouTube entfernt. Sie haben das Recht auf Auskunft (Art. 15), Berichtigung (Art. 16), Löschung (Art. 17), Einschränkung (Art. 18), Datenübertragbarkeit (Art. 20) und Widerspruch (Art. 21 DSGVO). Schreiben Sie uns dazu an [datenschutz@example.org]. Sie können sich bei einer Aufsichtsbehörde beschweren, zum Beispiel bei der Landesbeauftragten für den Datenschutz Niedersachsen, Prinzenstraße 5, 30159 Hannover.

## Empfänger
Unser Hosting-Dienstleister [Name] verarbeitet die Daten in unserem Auftrag (Art. 28 DSGVO) in der EU. YouTube (Google) erhält veröffentlichte Videos. Partnerorganisationen erhalten keine Daten über Sie."""

ACCESSIBILITY = """## Geltungsbereich
Diese Erklärung gilt für die Website der Kampagne ZUSAMMEN. MEHR.: die Startseite, das Formular zum Mitmachen, die Galerie der Geschichten und die Rechtstexte.

## Stand der Vereinbarkeit
Die Website soll die Anforderungen der WCAG 2.1 auf Stufe AA erfüllen. Wir prüfen jede Seite automatisch mit axe-core und von Hand mit Tastatur und Screenreader. Die Seiten gibt es auf Deutsch, Englisch, Arabisch, Persisch, Ukrainisch und Türkisch, arabische und persische Seiten von rechts nach links. Die Website folgt den Einstellungen Ihres Geräts für mehr Kontrast und weniger Bewegung; einen Schalter für mehr Kontrast gibt es oben auf jeder Seite.

## Nicht barrierefreie Inhalte
- Videos auf YouTube haben nicht immer Untertitel. Wir ergänzen Untertitel, wo wir können; der Text jeder Geschichte steht auf ihrer Seite.
- Der eingebettete YouTube-Player stammt von Google; seine Bedienbarkeit können wir nicht beeinflussen.

## Erstellung dieser Erklärung
Diese Erklärung wurde am [Datum] erstellt und zuletzt am [Datum] überprüft.

## Feedback und Kontakt
Sind Ihnen Barrieren aufgefallen? Schreiben Sie uns über das Formular unten oder an [barrierefreiheit@example.org]. Wir antworten innerhalb von zwei Wochen.

## Schlichtungsverfahren
Wenn Sie mit unserer Antwort nicht zufrieden sind, können Sie sich an die Schlichtungsstelle nach dem Niedersächsischen Behindertengleichstellungsgesetz wenden: [Anschrift der Schlichtungsstelle]."""

EASY_LANGUAGE = """## Worum geht es?
Viele Menschen sind nach Deutschland geflüchtet.
Viele von ihnen arbeiten hier.
Oder sie lernen.
Oder sie helfen anderen Menschen.
Das zeigen wir mit der Kampagne ZUSAMMEN. MEHR.

## Was können Sie hier sehen?
Auf dieser Website gibt es Geschichten.
Die Geschichten sind kurze Videos und Texte.
Menschen erzählen darin, was gut geklappt hat.

## Wie können Sie mitmachen?
Sie haben eine Geschichte?
Dann erzählen Sie sie uns.
- Schreiben Sie ein paar Sätze.
- Nehmen Sie ein kurzes Video mit dem Handy auf.
- Alle Menschen im Video müssen einverstanden sein.
Dann prüfen wir die Geschichte.
Danach zeigen wir sie auf YouTube und auf dieser Website.

## Sie wollen nicht mehr mitmachen?
Das geht jederzeit.
Sie bekommen von uns eine E-Mail mit einem Link.
Mit dem Link können Sie Ihre Geschichte zurückziehen.
Dann zeigen wir die Geschichte nicht mehr.

## Ihre Daten
Wir passen gut auf Ihre Daten auf.
Wir geben Ihre Daten nicht weiter.
Mehr dazu steht in der Datenschutz-Erklärung."""

PAGES = [
    ("impressum", "Impressum", IMPRINT),
    ("datenschutz", "Datenschutzerklärung", PRIVACY),
    ("barrierefreiheit", "Erklärung zur Barrierefreiheit", ACCESSIBILITY),
    ("leichte-sprache", "ZUSAMMEN. MEHR. in Leichter Sprache", EASY_LANGUAGE),
]
