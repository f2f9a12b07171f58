"""Settings for the test suite: the production settings with a fixed key, plain HTTP and
unhashed static files, so the suite does not depend on DEBUG or on collectstatic.

The security headers (Content-Security-Policy included) stay on, so the browser tests run
under the same policy as production.
"""

from __future__ import annotations

import os

os.environ.setdefault("SECRET_KEY", "test-only-insecure-key-do-not-use-in-production")

from chairside.settings import *  # noqa: E402, F403
from chairside.settings import STORAGES  # noqa: E402

# The test client and the live server speak plain HTTP on loopback.
SECURE_SSL_REDIRECT = False
SECURE_HSTS_SECONDS = 0
SESSION_COOKIE_SECURE = False
CSRF_COOKIE_SECURE = False
STORAGES = {
    **STORAGES,
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}

# Background jobs run in process, at once (a real worker runs in `make prod-check`).
CELERY_TASK_ALWAYS_EAGER = True
CELERY_BROKER_URL = os.environ.get("TEST_CELERY_BROKER_URL", "memory://")
CELERY_RESULT_BACKEND = "cache+memory://"
CELERY_TASK_EAGER_PROPAGATES = True

# Passwords: production keeps Django's default hasher (PBKDF2-SHA256, a million iterations:
# about 0.3 s of CPU a hash, on purpose). The suite creates thousands of log-ins, so it hashes
# with a fast one; what a hash protects is tested against the production settings in
# accounts/tests/test_password_hashing.py, and `make prod-check` logs in with them.
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
