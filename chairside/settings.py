"""Chairside settings, configured from the environment.

SQLite by default so a checkout just runs; PostgreSQL by setting DATABASE_URL.
Every variable is listed in .env.example and the README.
"""

from __future__ import annotations

import os
from pathlib import Path

import dj_database_url

BASE_DIR = Path(__file__).resolve().parent.parent


def envbool(name: str, default: bool) -> bool:
    value = os.environ.get(name)
    if value is None or value == "":
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def envint(name: str, default: int) -> int:
    value = os.environ.get(name)
    return int(value) if value else default


def envsecret(name: str, default: str | None = None) -> str | None:
    """Read NAME, or the contents of the file named by NAME_FILE (Docker/K8s secrets)."""
    path = os.environ.get(f"{name}_FILE")
    if path:
        return Path(path).read_text(encoding="utf-8").strip()
    return os.environ.get(name, default)


DEBUG = envbool("DEBUG", default=True)

_secret = envsecret("SECRET_KEY")
if not _secret:
    if not DEBUG:
        # Fail loudly: a production server must never run on a known key.
        raise RuntimeError("SECRET_KEY (or SECRET_KEY_FILE) must be set when DEBUG is off.")
    _secret = "dev-only-insecure-key-do-not-use-in-production"
SECRET_KEY: str = _secret

ALLOWED_HOSTS = [
    h.strip()
    for h in os.environ.get("ALLOWED_HOSTS", "127.0.0.1,localhost,testserver").split(",")
    if h.strip()
]
CSRF_TRUSTED_ORIGINS = [
    o.strip() for o in os.environ.get("CSRF_TRUSTED_ORIGINS", "").split(",") if o.strip()
]

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "django_htmx",
    "chairside.core",
    "chairside.audit",
    "chairside.tenancy",
    "chairside.formulary",
    "chairside.patients",
    "chairside.api",
    "chairside.referrals",
    "chairside.authorizations",
    "chairside.scheduling",
    "chairside.inventory",
    "chairside.billing",
    "chairside.analytics",
    "chairside.treatments",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "chairside.core.middleware.RefuseNulMiddleware",  # PostgreSQL cannot store NUL
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "chairside.tenancy.middleware.ActiveOrganizationMiddleware",
    "chairside.audit.middleware.AuditReadsMiddleware",  # every read of patient data
]

ROOT_URLCONF = "chairside.urls"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "chairside" / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "chairside.tenancy.context_processors.tenancy",
            ],
        },
    },
]

WSGI_APPLICATION = "chairside.wsgi.application"
ASGI_APPLICATION = "chairside.asgi.application"

DATABASES = {
    "default": dj_database_url.parse(
        os.environ.get("DATABASE_URL", f"sqlite:///{BASE_DIR / 'db.sqlite3'}"),
        conn_max_age=envint("DATABASE_CONN_MAX_AGE", 60),
    )
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # Wait for a lock instead of failing at once when two requests write together.
    DATABASES["default"].setdefault("OPTIONS", {})["timeout"] = 20
    DATABASES["default"]["OPTIONS"]["transaction_mode"] = "IMMEDIATE"
    # WAL lets pages read while another request writes; NORMAL sync is safe with WAL
    # (a power cut can lose the last commits, never corrupt the file).
    DATABASES["default"]["OPTIONS"]["init_command"] = (
        "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;"
    )

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "today"
LOGOUT_REDIRECT_URL = "login"

LANGUAGE_CODE = "en-us"
TIME_ZONE = "America/New_York"
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATIC_ROOT = Path(os.environ.get("STATIC_ROOT", BASE_DIR / "staticfiles"))
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": (
            "django.contrib.staticfiles.storage.StaticFilesStorage"
            if DEBUG
            else "whitenoise.storage.CompressedManifestStaticFilesStorage"
        )
    },
}
MEDIA_URL = "media/"
MEDIA_ROOT = Path(os.environ.get("MEDIA_ROOT", BASE_DIR / "media"))

EMAIL_BACKEND = os.environ.get("EMAIL_BACKEND", "django.core.mail.backends.console.EmailBackend")
DEFAULT_FROM_EMAIL = os.environ.get("DEFAULT_FROM_EMAIL", "chairside@localhost")

SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SECURE = not DEBUG
CSRF_COOKIE_SECURE = not DEBUG
SECURE_CONTENT_TYPE_NOSNIFF = True
X_FRAME_OPTIONS = "DENY"

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": os.environ.get("LOG_LEVEL", "WARNING")},
}

# --- Log-in, sessions, two-factor and throttling (chairside.accounts) -----------------------
# Kept in one block, after everything else, so that it merges cleanly with other settings
# work: it appends its apps and middleware instead of editing the lists above.
INSTALLED_APPS += [
    "django_otp",
    "django_otp.plugins.otp_totp",
    "django_otp.plugins.otp_static",
    "chairside.accounts",
]


def _after(anchor: str, *names: str) -> None:
    at = MIDDLEWARE.index(anchor) + 1
    MIDDLEWARE[at:at] = list(names)


# Order matters: OTP marks the user verified; the timeout may log the session off; the gate
# then keeps an unverified or must-change-password session to its few allowed pages; the
# no-store header wraps every response of a session that arrived (or left) authenticated.
_after(
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "chairside.accounts.middleware.NoStoreMiddleware",
    "django_otp.middleware.OTPMiddleware",
    "chairside.accounts.middleware.SessionTimeoutMiddleware",
    "chairside.accounts.middleware.AccountGateMiddleware",
)

TEMPLATES[0]["OPTIONS"]["context_processors"].append(  # type: ignore[index]
    "chairside.accounts.context_processors.session_clock"
)

# Passwords: at least 12 characters, not common, not all digits, not like the user name.
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {
        "NAME": "django.contrib.auth.password_validation.MinimumLengthValidator",
        "OPTIONS": {"min_length": 12},
    },
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

# Automatic log-off (HIPAA 164.312(a)(2)(iii)): after this long without a request the user
# makes (a warning shows a minute before), and in any case this long after log-in.
SESSION_IDLE_SECONDS = envint("SESSION_IDLE_SECONDS", 900)
SESSION_IDLE_WARNING_SECONDS = envint("SESSION_IDLE_WARNING_SECONDS", 60)
SESSION_ABSOLUTE_SECONDS = envint("SESSION_ABSOLUTE_SECONDS", 12 * 3600)
SESSION_COOKIE_AGE = SESSION_ABSOLUTE_SECONDS
SESSION_EXPIRE_AT_BROWSER_CLOSE = True

# Failed log-ins: a user name is locked after LOGIN_MAX_FAILURES failures in the window
# (the user name is NFKC-normalised and case-folded first). An address with
# LOGIN_ADDRESS_SLOWDOWN_AFTER failures is slowed (each attempt waits
# LOGIN_ADDRESS_DELAY_SECONDS) but never refused a correct password for an unlocked name.
LOGIN_MAX_FAILURES = envint("LOGIN_MAX_FAILURES", 5)
LOGIN_FAILURE_WINDOW_SECONDS = envint("LOGIN_FAILURE_WINDOW_SECONDS", 900)
LOGIN_ADDRESS_SLOWDOWN_AFTER = envint("LOGIN_ADDRESS_SLOWDOWN_AFTER", 20)
LOGIN_ADDRESS_DELAY_SECONDS = envint("LOGIN_ADDRESS_DELAY_SECONDS", 2)
# How many reverse proxies in front of Chairside append to X-Forwarded-For; 0 means the
# client address is REMOTE_ADDR (a forged X-Forwarded-For header is then ignored).
TRUSTED_PROXY_COUNT = envint("TRUSTED_PROXY_COUNT", 0)

# Two-factor (TOTP, django-otp): the issuer name the authenticator app shows.
OTP_TOTP_ISSUER = os.environ.get("OTP_TOTP_ISSUER", "Chairside")
