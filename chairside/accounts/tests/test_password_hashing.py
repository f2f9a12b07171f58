"""The suite hashes passwords with a fast hasher (chairside/test_settings.py); production
must not: these tests read the production settings module itself."""

from __future__ import annotations

import importlib

from django.contrib.auth.hashers import PBKDF2PasswordHasher, make_password
from django.test import override_settings

import chairside.settings as production


def _production_hashers() -> list[str]:
    # Not overridden in production: Django's default list, strongest first.
    return list(getattr(production, "PASSWORD_HASHERS", [])) or [
        "django.contrib.auth.hashers.PBKDF2PasswordHasher",
        "django.contrib.auth.hashers.PBKDF2SHA1PasswordHasher",
        "django.contrib.auth.hashers.Argon2PasswordHasher",
        "django.contrib.auth.hashers.BCryptSHA256PasswordHasher",
        "django.contrib.auth.hashers.ScryptPasswordHasher",
    ]


def test_production_hashes_passwords_with_a_slow_salted_hasher() -> None:
    first = _production_hashers()[0]
    assert "MD5" not in first and "Unsalted" not in first
    module, name = first.rsplit(".", 1)
    hasher = getattr(importlib.import_module(module), name)()
    assert isinstance(hasher, PBKDF2PasswordHasher) or hasher.algorithm in {"argon2", "scrypt"}
    if isinstance(hasher, PBKDF2PasswordHasher):
        assert hasher.iterations >= 600_000  # OWASP's 2023 floor for PBKDF2-HMAC-SHA256


def test_a_password_stored_with_the_production_hasher_reads_as_it() -> None:
    with override_settings(PASSWORD_HASHERS=_production_hashers()):
        encoded = make_password("a long demo passphrase")
    assert encoded.startswith("pbkdf2_sha256$") or encoded.startswith(("argon2", "scrypt"))
