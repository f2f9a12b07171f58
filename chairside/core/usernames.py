"""The one canonical spelling of a user name, shared by log-in (accounts) and staff
administration (tenancy): NFKC, then case-folded, so a full-width or upper-case spelling of a
name is the same name."""

from __future__ import annotations

import unicodedata


def normalize_username(username: str) -> str:
    """The canonical spelling used for log-in, locks and new log-ins: NFKC, case-folded."""
    return unicodedata.normalize("NFKC", username).strip().casefold()
