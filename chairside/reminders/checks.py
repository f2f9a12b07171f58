"""Deploy check: reminder links must point at the address patients can reach."""

from __future__ import annotations

from typing import Any
from urllib.parse import urlsplit

from django.conf import settings
from django.core.checks import CheckMessage, Tags, register
from django.core.checks import Warning as CheckWarning

LOCAL_HOSTS = {"127.0.0.1", "localhost", "::1", ""}


@register(Tags.security, deploy=True)
def public_base_url_check(app_configs: Any, **kwargs: Any) -> list[CheckMessage]:
    url = urlsplit(settings.PUBLIC_BASE_URL)
    if url.hostname in LOCAL_HOSTS or url.hostname is None or url.scheme != "https":
        return [
            CheckWarning(
                f"PUBLIC_BASE_URL is {settings.PUBLIC_BASE_URL!r}: reminder links would not "
                "reach patients.",
                hint="Set PUBLIC_BASE_URL to the public https:// address of this server.",
                id="reminders.W001",
            )
        ]
    return []
