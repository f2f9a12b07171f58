"""API tokens: how one is made, read from a header and stored (only its hash).

A token reads ``cs_<prefix>_<secret>``: the prefix (8 lowercase hex characters) finds the
row and is shown in lists so a person can tell tokens apart; the secret (43 URL-safe
characters, 256 bits from the operating system's CSPRNG, Python ``secrets``) is shown once
and stored only as its SHA-256 digest. A fast hash is right here: unlike a password the
secret is random and long, so there is nothing to guess (OWASP Password Storage Cheat Sheet
on high-entropy tokens; GitHub's and Stripe's tokens follow the same prefix+hash pattern).
"""

from __future__ import annotations

import hashlib
import hmac
import re
import secrets
from dataclasses import dataclass

PREFIX = "cs"
_FORMAT = re.compile(r"^cs_([0-9a-f]{8})_([A-Za-z0-9_-]{43})$")


@dataclass(frozen=True)
class NewToken:
    prefix: str
    secret: str

    @property
    def text(self) -> str:
        """What the person copies, once."""
        return f"{PREFIX}_{self.prefix}_{self.secret}"

    @property
    def digest(self) -> str:
        return token_digest(self.secret)


def new_token() -> NewToken:
    return NewToken(secrets.token_hex(4), secrets.token_urlsafe(32))


def token_digest(secret: str) -> str:
    return hashlib.sha256(secret.encode("ascii")).hexdigest()


def parse_token(text: str) -> tuple[str, str] | None:
    """(prefix, secret) of a token as typed or sent, or None when it is not one."""
    found = _FORMAT.match(text.strip())
    return (found.group(1), found.group(2)) if found else None


def bearer(header: str) -> str | None:
    """The token of an ``Authorization: Bearer …`` header (scheme case-insensitive)."""
    scheme, _, value = header.strip().partition(" ")
    if scheme.lower() != "bearer" or not value.strip():
        return None
    return value.strip()


def matches(secret: str, digest: str) -> bool:
    """Compare in constant time."""
    return hmac.compare_digest(token_digest(secret), digest)
