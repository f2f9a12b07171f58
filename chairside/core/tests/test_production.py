"""Production defaults (issue 11 item 7): DEBUG off unless set, HTTPS, HSTS, secure cookies,
a Content-Security-Policy with no inline script, no /media/, and a deploy check that passes."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

import pytest
from django.conf import settings
from django.test import Client

ROOT = Path(__file__).resolve().parents[3]
PROD_ENV = {
    "DJANGO_SETTINGS_MODULE": "chairside.settings",
    "SECRET_KEY": "k9#Vq2!xZr7@Lm4$Tn8^Wp1&Ys6*Bd3(Hf5)Jg0-Ke2+Nc9=Qa7_Ru4~Sv1",
    "ALLOWED_HOSTS": "infusion.example.org",
    "PUBLIC_BASE_URL": "https://infusion.example.org",
}


# Set by the test run (DJANGO_ALLOW_ASYNC_UNSAFE for Playwright), never in production.
DEV_ONLY = {"DEBUG", "DJANGO_SETTINGS_MODULE", "DJANGO_ALLOW_ASYNC_UNSAFE"}


def _env(**extra: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k not in DEV_ONLY}
    env.update(PROD_ENV)
    env.update(extra)
    return env


def _manage(*args: str, **env: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(  # noqa: S603
        [sys.executable, "manage.py", *args],
        cwd=ROOT,
        env=_env(**env),
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )


def _settings_value(expression: str, **env: str) -> str:
    code = f"import chairside.settings as s; print({expression})"
    done = subprocess.run(  # noqa: S603
        [sys.executable, "-c", code],
        cwd=ROOT,
        env=_env(**env),
        capture_output=True,
        text=True,
        timeout=60,
        check=True,
    )
    return done.stdout.strip()


def test_debug_is_off_unless_set_and_then_https_hsts_and_secure_cookies_are_on() -> None:
    values = _settings_value(
        "s.DEBUG, s.SECURE_SSL_REDIRECT, s.SECURE_HSTS_SECONDS >= 31536000, "
        "s.SESSION_COOKIE_SECURE, s.CSRF_COOKIE_SECURE"
    )
    assert values == "False True True True True"
    assert _settings_value("s.DEBUG, s.SECURE_SSL_REDIRECT", DEBUG="true") == "True False"
    # Behind a proxy that redirects to HTTPS itself, the redirect can be turned off.
    assert _settings_value("s.SECURE_SSL_REDIRECT", SECURE_SSL_REDIRECT="false") == "False"


def test_manage_check_deploy_passes_with_production_settings() -> None:
    done = _manage("check", "--deploy", "--fail-level", "WARNING")
    assert done.returncode == 0, done.stdout + done.stderr


def test_collectstatic_with_hashed_names_succeeds(tmp_path: Path) -> None:
    """WhiteNoise's manifest storage fails on a missing file a vendored asset refers to (the
    Chart.js source map did); without the manifest every page answers 500."""
    done = _manage("collectstatic", "--no-input", STATIC_ROOT=str(tmp_path))
    assert done.returncode == 0, done.stdout + done.stderr
    assert (tmp_path / "staticfiles.json").exists()


TEMPLATE_DIRS = sorted(ROOT.glob("chairside/**/templates"))
INLINE_HANDLER = re.compile(r"""<[^>]*\son[a-z]+\s*=""", re.IGNORECASE)
SCRIPT_TAG = re.compile(r"<script\b([^>]*)>", re.IGNORECASE)


def _templates() -> list[Path]:
    return [p for d in TEMPLATE_DIRS for p in d.rglob("*.html")]


def test_no_template_has_inline_script_or_event_handler() -> None:
    found = []
    for path in _templates():
        text = path.read_text(encoding="utf-8")
        for m in INLINE_HANDLER.finditer(text):
            found.append(f"{path.relative_to(ROOT)}: {m.group(0)[:80]}")
        for m in SCRIPT_TAG.finditer(text):
            attrs = m.group(1)
            if "src=" not in attrs and "application/json" not in attrs:
                found.append(f"{path.relative_to(ROOT)}: inline <script{attrs}>")
    assert len(_templates()) > 50
    assert found == []


@pytest.mark.django_db
def test_every_response_carries_a_policy_with_no_inline_or_evaluated_script() -> None:
    response = Client().get("/login/")
    policy = response["Content-Security-Policy"]
    directives = dict(d.strip().split(" ", 1) for d in policy.split(";"))
    assert directives["script-src"] == "'self'"
    assert directives["object-src"] == "'none'"
    assert directives["frame-ancestors"] == "'none'"
    assert "unsafe-eval" not in policy


@pytest.mark.django_db
def test_api_docs_load_swagger_from_our_static_files_not_a_cdn() -> None:
    response = Client().get("/api/docs")
    html = response.content.decode()
    assert response.status_code == 200
    assert "vendor/swagger-ui-5.36.0/swagger-ui-bundle.js" in html
    assert "http://" not in html
    assert "https://" not in html


@pytest.mark.django_db
def test_uploaded_files_are_never_served_from_media() -> None:
    media = Path(settings.MEDIA_ROOT)
    media.mkdir(parents=True, exist_ok=True)
    probe = media / "probe-not-served.txt"
    probe.write_text("patient letter", encoding="utf-8")
    try:
        response = Client().get(f"/{settings.MEDIA_URL}probe-not-served.txt")
        assert response.status_code == 404
    finally:
        probe.unlink()
