"""No secret enters the repository: tracked files are scanned for credential patterns."""

from __future__ import annotations

import re
import subprocess

from tests.support.services import ROOT

PATTERNS = {
    "private key": re.compile(r"-----BEGIN (?:RSA |EC |OPENSSH |DSA )?PRIVATE KEY-----"),
    "AWS access key": re.compile(r"\bAKIA[0-9A-Z]{16}\b"),
    "Google API key": re.compile(r"\bAIza[0-9A-Za-z_-]{35}\b"),
    "Google OAuth client secret": re.compile(r"\bGOCSPX-[0-9A-Za-z_-]{20,}"),
    "Google refresh token": re.compile(r"\b1//0[0-9A-Za-z_-]{40,}"),
    "GitHub token": re.compile(r"\bgh[pousr]_[0-9A-Za-z]{36}\b"),
    "Slack token": re.compile(r"\bxox[baprs]-[0-9A-Za-z-]{10,}"),
    # Documentation placeholders (user:password, ${VAR}) are not secrets.
    "password in a URL": re.compile(
        r"\b(?:postgres|redis|smtp\+tls|smtp|amqp)s?://[^:\s/]+:(?!\$\{|password@|pass@)[^@\s/]{8,}@"
    ),
}
ALLOWED = {"tests/config/test_no_secrets.py"}


def test_tracked_files_hold_no_credentials() -> None:
    files = subprocess.run(
        ["git", "ls-files"], cwd=ROOT, capture_output=True, text=True, check=True
    ).stdout.split()
    findings = []
    for name in files:
        if name in ALLOWED or name.endswith((".lock", ".png", ".jpg", ".mo", ".ttf")):
            continue
        try:
            text = (ROOT / name).read_text(errors="ignore")
        except (IsADirectoryError, FileNotFoundError):
            continue
        for label, pattern in PATTERNS.items():
            for match in pattern.finditer(text):
                findings.append(f"{name}: {label}: {match.group(0)[:24]}…")
    assert findings == []


def test_the_scanner_recognises_what_it_looks_for() -> None:
    samples = {
        "private key": "-----BEGIN RSA PRIVATE KEY-----",
        "AWS access key": "AKIA" + "ABCDEFGHIJKLMNOP",
        "Google OAuth client secret": "GOCSPX-" + "a" * 28,
        "password in a URL": "postgres://zusammen:" + "hunter2hunter2" + "@db/zm",
    }
    for label, sample in samples.items():
        assert PATTERNS[label].search(sample), label
    assert not PATTERNS["password in a URL"].search("postgres://zusammen:${POSTGRES_PASSWORD}@db")
