"""Check (a) of make production-check: the whole journey in headless Chromium, through nginx.

Submitter, moderator with a TOTP second factor, publisher, YouTube stand-in, gallery,
withdrawal: every selector and label the journey uses sits in ``SEL``.
"""

from __future__ import annotations

import base64
import email
import re
import secrets
import subprocess
from pathlib import Path
from typing import Any

import requests
from production_stack import (
    WAIT,
    Report,
    Shape,
    wait_for,
)

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--disable-dev-shm-usage",
]

# Every selector and label the journey uses, in one place (adapt here when pages change).
SEL: dict[str, Any] = {
    "title": "#id_title",
    "text": "#id_text",
    "region": "#id_region_id",
    "topic": "#id_topic_id",
    "next": 'button[name="go"][value="next"]',
    "video": "#id_video",
    "upload_state": "[data-upload]",
    "video_language": "#id_video_language",
    "name": "#id_submitter_name",
    "email": "#id_submitter_email",
    "role_supporter": "#id_submitter_role_1",
    "credit_first_name": "#id_credit_1",
    "minor_no": "#id_has_minor_1",
    "consent": "#id_consent_{purpose}",
    "send": ("button", "Geschichte senden"),
    "login_user": "#id_username",
    "login_password": "#id_password",
    "login_submit": ".staff-signin-form button[type=submit]",
    "partner_login_submit": ("button", "Anmelden"),
    "otp_token": 'input[name="token"]',
    "otp_send_link": ("button", "Link zum Einrichten senden"),
    "otp_secret": ".ws-secret code",
    "otp_qr": ".ws-qr svg",
    "otp_codes": ".ws-codes code",
    "otp_continue": ("link", "Weiter"),
    "claim": ("button", "Bearbeiten (für andere sperren)"),
    "checklist": ".ws-checklist input[type=checkbox]",
    "approve": ("button", "Freigeben"),
    "publish": ("button", "Veröffentlichen"),
    "embed_load": ("button", "Video laden und abspielen"),
    "embed_frame": ".embed iframe",
    "withdraw_confirm": "#withdraw-confirm",
    "withdraw": ("button", "Einwilligung widerrufen"),
}
CONSENTS = ("publication", "usage_rights", "special_categories", "people_in_video")


# --- (a) the journey ------------------------------------------------------------------------
def _clip(work: Path) -> Path:
    path = work / "clip.mp4"
    subprocess.run(
        ["ffmpeg", "-loglevel", "error", "-y", "-f", "lavfi", "-i",
         "testsrc=size=320x240:rate=25:duration=3", "-f", "lavfi", "-i",
         "sine=frequency=440:duration=3", "-c:v", "libx264", "-preset", "ultrafast",
         "-pix_fmt", "yuv420p", "-c:a", "aac", "-shortest", str(path)],
        check=True,
    )  # fmt: skip
    return path


def _role(page: Any, key: str) -> Any:
    role, name = SEL[key]
    return page.get_by_role(role, name=name, exact=True)


def _mail_links(shape: Shape, to: str) -> list[str]:
    links = []
    for path in sorted((shape.work / "mail").glob("*.log")):
        for part in path.read_text(errors="replace").split("\n" + "-" * 79 + "\n"):
            message = email.message_from_string(part.strip())
            if to not in (message.get("To") or ""):
                continue
            payload = message.get_payload(decode=True)
            body = payload.decode(errors="replace") if isinstance(payload, bytes) else part
            links += re.findall(r"https?://\S+", body)
    return links


def _standin_state(shape: Shape) -> dict[str, Any]:
    return requests.get(shape.standin + "_standin/state", timeout=5).json()


class Journey:
    def __init__(self, shape: Shape, report: Report) -> None:
        self.shape = shape
        self.report = report
        self.base = shape.base
        self.title = f"Gemeinsam im Chor {secrets.token_hex(2)}"
        self.email = f"amina-{secrets.token_hex(2)}@example.org"
        self.status_url = ""
        self.video_id = ""

    def run(self) -> None:
        from playwright.sync_api import sync_playwright

        with sync_playwright() as playwright:
            browser = playwright.chromium.launch(
                executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS
            )
            try:
                self.browser = browser
                steps = [
                    ("journey: the form with a real tus upload through nginx", self.form),
                    ("journey: the confirmation link from the e-mail", self.confirm),
                    ("journey: moderation with a TOTP second factor, approval", self.moderate),
                    ("journey: publishing to the stand-in", self.publish),
                    ("journey: the gallery's two-click embed", self.embed),
                    ("journey: a partner downloads the kit", self.kit),
                    ("journey: withdrawal reaches the stand-in", self.withdraw),
                ]
                for name, step in steps:
                    if not self.report.run(name, step):
                        self._screenshots()
                        for later, _ in steps[steps.index((name, step)) + 1 :]:
                            self.report.check(later, False, "not reached")
                        break
            finally:
                browser.close()

    def _screenshots(self) -> None:
        for n, context in enumerate(self.browser.contexts):
            for m, page in enumerate(context.pages):
                path = self.shape.work / f"journey-{n}-{m}.png"
                try:
                    page.screenshot(path=str(path), full_page=True)
                    print(f"        screenshot: {path} ({page.url})")
                except Exception:  # noqa: BLE001, S110 - a screenshot is a bonus
                    pass

    def _page(self) -> Any:
        context = self.browser.new_context(locale="de-DE", viewport={"width": 1280, "height": 900})
        context.set_default_timeout(30_000)
        return context.new_page()

    def form(self) -> str:
        page = self.page = self._page()
        uploads: list[str] = []
        page.on(
            "request", lambda r: uploads.append(r.method) if "/api/v1/uploads/" in r.url else None
        )
        page.goto(f"{self.base}/mitmachen/")
        page.locator(SEL["title"]).fill(self.title)
        page.locator(SEL["text"]).fill("Wir singen seit drei Jahren zusammen, in fünf Sprachen.")
        page.locator(SEL["region"]).select_option(index=1)
        page.locator(SEL["topic"]).select_option(index=1)
        page.locator(SEL["next"]).click()
        page.wait_for_url("**/mitmachen/video/")
        page.locator(SEL["video"]).set_input_files(str(_clip(self.shape.work)))
        page.wait_for_function(
            f"() => document.querySelector('{SEL['upload_state']}').dataset.uploadState"
            " === 'ready'",
            timeout=WAIT * 1000,
        )
        page.locator(SEL["video_language"]).select_option("de")
        page.locator(SEL["next"]).click()
        page.wait_for_url("**/mitmachen/personen/")
        page.locator(SEL["name"]).fill("Amina Beispiel")
        page.locator(SEL["email"]).fill(self.email)
        page.locator(SEL["role_supporter"]).check()
        page.locator(SEL["credit_first_name"]).check()
        page.locator(SEL["minor_no"]).check()
        for purpose in CONSENTS:
            page.locator(SEL["consent"].format(purpose=purpose)).check()
        page.locator(SEL["next"]).click()
        page.wait_for_url("**/mitmachen/pruefen/")
        _role(page, "send").click()
        page.wait_for_url("**/mitmachen/danke/")
        assert "PATCH" in uploads and "POST" in uploads, f"tus requests seen: {uploads}"
        return f"tus requests: {uploads.count('POST')} POST, {uploads.count('PATCH')} PATCH"

    def confirm(self) -> str:
        links = wait_for(
            lambda: _mail_links(self.shape, self.email), timeout=60, what="the e-mail",
            stack=self.shape.stack,
        )  # fmt: skip
        confirm = next(link for link in links if "/bestaetigen/" in link)
        self.status_url = next(link for link in links if "/status/" in link)
        assert confirm.startswith(self.base), f"link not through the proxy: {confirm}"
        self.page.goto(confirm)
        self.page.wait_for_load_state()
        return "confirmed"

    def moderate(self) -> str:
        page = self.staff = self._page()
        page.goto(f"{self.base}/moderation/anmelden/?next=/moderation/")
        page.locator(SEL["login_user"]).fill("chefin")
        page.locator(SEL["login_password"]).fill(self.shape.password)
        page.locator(SEL["login_submit"]).click()
        page.wait_for_url("**/moderation/2fa/**")
        # Enrolment as a new staff member does it: the password alone opens nothing, the link
        # in the e-mail opens the QR code, the authenticator's code confirms, codes follow.
        _role(page, "otp_send_link").click()
        page.wait_for_load_state()
        links = wait_for(
            lambda: [u for u in _mail_links(self.shape, "chefin@example.org") if "/2fa/" in u],
            timeout=60, what="the enrolment e-mail", stack=self.shape.stack,
        )  # fmt: skip
        assert links[-1].startswith(self.base), f"link not through the proxy: {links[-1]}"
        page.goto(links[-1])
        assert page.locator(SEL["otp_qr"]).count() == 1, "no QR code on the enrolment page"
        from django_otp.oath import TOTP

        secret = (page.locator(SEL["otp_secret"]).text_content() or "").replace(" ", "").strip()
        key = base64.b32decode(secret + "=" * (-len(secret) % 8))
        page.locator(SEL["otp_token"]).fill(f"{TOTP(key).token():06d}")
        page.locator(SEL["otp_token"]).press("Enter")
        page.wait_for_load_state()
        codes = page.locator(SEL["otp_codes"]).count()
        assert codes >= 5, f"{codes} recovery codes shown"
        _role(page, "otp_continue").click()
        page.wait_for_url(f"{self.base}/moderation/")
        page.get_by_role("link", name=self.title).click()
        page.wait_for_load_state()
        if _role(page, "claim").count():
            _role(page, "claim").click()
            page.wait_for_load_state()
        for box in page.locator(SEL["checklist"]).all():
            box.check()
        _role(page, "approve").click()
        page.wait_for_url(f"{self.base}/moderation/")
        return f"second factor enrolled by e-mail link and QR ({codes} recovery codes), approved"

    def publish(self) -> str:
        page = self.staff
        page.get_by_role("link", name=self.title).first.click() if page.get_by_role(
            "link", name=self.title
        ).count() else None
        if _role(page, "publish").count() == 0:
            page.goto(f"{self.base}/moderation/?status=approved")
            page.get_by_role("link", name=self.title).click()
        _role(page, "publish").click()
        page.wait_for_load_state()

        def published() -> str:
            for video_id, video in _standin_state(self.shape)["videos"].items():
                # Public before the withdrawal (YOUTUBE_PRIVACY=public), so that "private"
                # afterwards is the takedown's doing.
                if video.get("title", "").startswith(self.title[:20]) and (
                    video.get("privacyStatus") == "public"
                ):
                    return str(video_id)
            return ""

        self.video_id = wait_for(published, timeout=WAIT, what="the video on the stand-in",
                                 stack=self.shape.stack)  # fmt: skip
        return f"video {self.video_id} is public on the stand-in"

    def embed(self) -> str:
        page = self._page()
        google: list[str] = []
        page.route(re.compile(r"youtube-nocookie\.com"), lambda route: route.fulfill(
            status=200, content_type="text/html", body="<p>player</p>"))  # fmt: skip
        page.on("request", lambda r: google.append(r.url) if "youtube" in r.url else None)

        def listed() -> bool:
            page.goto(f"{self.base}/geschichten/")
            return page.get_by_role("link", name=self.title).count() > 0

        wait_for(listed, timeout=WAIT, what="the story in the gallery", stack=self.shape.stack)
        page.get_by_role("link", name=self.title).first.click()
        page.wait_for_load_state("networkidle")
        assert not google, f"YouTube contacted before the click: {google}"
        _role(page, "embed_load").click()
        page.locator(SEL["embed_frame"]).wait_for()
        src = page.locator(SEL["embed_frame"]).get_attribute("src") or ""
        assert self.video_id in src, f"embed {src} is not video {self.video_id}"
        return f"iframe only after the click: {src.split('?')[0]}"

    def kit(self) -> str:
        page = self._page()
        page.goto(f"{self.base}/partner/login/?next=/partner/kit/")
        page.locator(SEL["login_user"]).fill("verein")
        page.locator(SEL["login_password"]).fill(self.shape.password)
        _role(page, "partner_login_submit").click()
        page.wait_for_url(re.compile(r"/partner/(kit/)?$"))

        def zipped() -> Any:
            response = page.request.get(f"{self.base}/partner/kit/zip/")
            return response if response.status == 200 and response.body()[:2] == b"PK" else None

        response = wait_for(zipped, timeout=WAIT, what="the partner kit", stack=self.shape.stack)
        return f"kit ZIP {len(response.body())} bytes"

    def withdraw(self) -> str:
        page = self.page
        page.goto(self.status_url)
        page.locator(SEL["withdraw_confirm"]).check()
        _role(page, "withdraw").click()
        page.wait_for_load_state()

        def taken_down() -> str:
            video = _standin_state(self.shape)["videos"].get(self.video_id)
            if video is None:
                return "deleted"
            status = video.get("privacyStatus") or video.get("status", {}).get("privacyStatus")
            return str(status) if status == "private" else ""

        state = wait_for(taken_down, timeout=WAIT, what="the takedown on the stand-in",
                         stack=self.shape.stack)  # fmt: skip
        return f"video {self.video_id} is {state} on the stand-in"
