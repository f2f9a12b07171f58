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


# Off unless set: a server started without configuration is a production server.
# `make run` sets DEBUG=true; the tests use chairside/test_settings.py.
DEBUG = envbool("DEBUG", default=False)

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
    "chairside.access.referrals",
    "chairside.access.authorizations",
    "chairside.scheduling",
    "chairside.inventory",
    "chairside.billing",
    "chairside.analytics",
    "chairside.treatments",
    "chairside.readiness",
    "chairside.reminders",
    "chairside.demo",  # seeddemo and democode; no models
    "chairside.interop",
    "chairside.compounding",  # after inventory and the visit: its recall reads both
    "chairside.homecare",
    "chairside.compliance",  # accreditation evidence: reads staff, visits, home care
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
    "chairside.api.middleware.ApiTokenMiddleware",  # Bearer tokens on /api/
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
if DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql":
    # A database that stops answering fails a request instead of hanging it: connecting
    # gives up after DATABASE_CONNECT_TIMEOUT seconds, a statement after
    # DATABASE_STATEMENT_TIMEOUT_MS milliseconds.
    DATABASES["default"].setdefault("OPTIONS", {})["connect_timeout"] = envint(
        "DATABASE_CONNECT_TIMEOUT", 5
    )
    DATABASES["default"]["OPTIONS"]["options"] = (
        f"-c statement_timeout={envint('DATABASE_STATEMENT_TIMEOUT_MS', 30000)}"
    )
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

# --- Appointment reminders (chairside.reminders; README "Reminders") -----------------------
# Texts go through SMS_BACKEND: ConsoleBackend (default), FileBackend (SMS_FILE_PATH) or
# TwilioBackend (any Twilio-compatible provider at SMS_API_BASE_URL).
SMS_BACKEND = os.environ.get("SMS_BACKEND", "chairside.reminders.sms.ConsoleBackend")
SMS_FILE_PATH = Path(os.environ.get("SMS_FILE_PATH", BASE_DIR / "media" / "sms-outbox.jsonl"))
SMS_API_BASE_URL = os.environ.get("SMS_API_BASE_URL", "https://api.twilio.com")
SMS_ACCOUNT_SID = os.environ.get("SMS_ACCOUNT_SID", "")
SMS_AUTH_TOKEN = envsecret("SMS_AUTH_TOKEN", "") or ""
SMS_FROM_NUMBER = os.environ.get("SMS_FROM_NUMBER", "")
if SMS_BACKEND.endswith("TwilioBackend") and not (SMS_ACCOUNT_SID and SMS_AUTH_TOKEN):
    raise RuntimeError("SMS_ACCOUNT_SID and SMS_AUTH_TOKEN must be set for the SMS provider.")
# Hours before the start at which reminders go out, and how long their links work.
REMINDER_LEAD_HOURS = tuple(
    int(h) for h in os.environ.get("REMINDER_LEAD_HOURS", "72,24").split(",") if h.strip()
)
REMINDER_LINK_MAX_AGE_HOURS = envint("REMINDER_LINK_MAX_AGE_HOURS", 96)
# Business days ahead (today included) for which each appointment's drug is reserved
# from specific lots (inventory.services.reservations; the nightly job fills the window).
STOCK_RESERVATION_BUSINESS_DAYS = envint("STOCK_RESERVATION_BUSINESS_DAYS", 3)
# --- Eligibility (X12 270/271; chairside.interop.eligibility; README "Eligibility") ------
# The clearinghouse transport (a dotted path): FileDropTransport writes each 270 to the
# outbox and reads its 271 from the inbox. Appointments in the next DAYS_AHEAD days whose
# coverage was not checked in the last RECHECK_AFTER_DAYS days are re-checked by the job.
CHAIRSIDE_ELIGIBILITY_TRANSPORT = os.environ.get(
    "CHAIRSIDE_ELIGIBILITY_TRANSPORT",
    "chairside.interop.eligibility_transport.FileDropTransport",
)
CHAIRSIDE_ELIGIBILITY_OUTBOX = Path(
    os.environ.get("CHAIRSIDE_ELIGIBILITY_OUTBOX", BASE_DIR / "media" / "eligibility" / "outbox")
)
CHAIRSIDE_ELIGIBILITY_INBOX = Path(
    os.environ.get("CHAIRSIDE_ELIGIBILITY_INBOX", BASE_DIR / "media" / "eligibility" / "inbox")
)
CHAIRSIDE_ELIGIBILITY_DAYS_AHEAD = envint("CHAIRSIDE_ELIGIBILITY_DAYS_AHEAD", 3)
CHAIRSIDE_ELIGIBILITY_RECHECK_AFTER_DAYS = envint("CHAIRSIDE_ELIGIBILITY_RECHECK_AFTER_DAYS", 7)
# The address patients reach the server at; reminder links are built on it.
PUBLIC_BASE_URL = os.environ.get("PUBLIC_BASE_URL", "http://127.0.0.1:8000").rstrip("/")

SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SECURE = envbool("SESSION_COOKIE_SECURE", not DEBUG)
CSRF_COOKIE_SECURE = envbool("CSRF_COOKIE_SECURE", not DEBUG)
SECURE_CONTENT_TYPE_NOSNIFF = True
X_FRAME_OPTIONS = "DENY"
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
# HTTPS only when DEBUG is off. Behind a TLS-terminating proxy that forwards plain HTTP, set
# SECURE_PROXY_SSL_HEADER=true (the proxy must set X-Forwarded-Proto) so Django knows the
# request was HTTPS; SECURE_SSL_REDIRECT=false only when the proxy itself redirects.
SECURE_SSL_REDIRECT = envbool("SECURE_SSL_REDIRECT", not DEBUG)
if envbool("SECURE_PROXY_SSL_HEADER", False):
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
# /healthz answers plain HTTP so a load balancer can probe the server directly.
SECURE_REDIRECT_EXEMPT = [r"^healthz$"]
SECURE_HSTS_SECONDS = envint("SECURE_HSTS_SECONDS", 0 if DEBUG else 31536000)
SECURE_HSTS_INCLUDE_SUBDOMAINS = envbool("SECURE_HSTS_INCLUDE_SUBDOMAINS", True)
SECURE_HSTS_PRELOAD = envbool("SECURE_HSTS_PRELOAD", False)
# Preloading is a one-way commitment for the whole domain (hard to undo for a center on its
# hospital's domain), so it is the operator's choice, not a default: the deploy check's
# reminder about it is silenced only while it is off.
SILENCED_SYSTEM_CHECKS = [] if SECURE_HSTS_PRELOAD else ["security.W021"]
# Content-Security-Policy (chairside.core.middleware.ContentSecurityPolicyMiddleware): no
# inline or evaluated script anywhere (page behaviours live in static files, declared with
# data- attributes). Inline style attributes stay allowed: the schedule board places each
# appointment with a computed grid position, and style cannot run script.
CONTENT_SECURITY_POLICY = (
    "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; "
    "img-src 'self' data:; font-src 'self'; connect-src 'self'; object-src 'none'; "
    "base-uri 'self'; form-action 'self'; frame-ancestors 'none'"
)
MIDDLEWARE.insert(1, "chairside.core.middleware.ContentSecurityPolicyMiddleware")

# --- Background jobs (Celery; chairside/celery.py) -----------------------------------------
# Production: Redis as broker and result store (CELERY_BROKER_URL, CELERY_RESULT_BACKEND;
# default redis://127.0.0.1:6379/0 when DEBUG is off). Development (`make run`): kombu's
# filesystem transport under CELERY_FILESYSTEM_DIR, so no server is needed; `make run` starts
# a worker beside runserver. The tests run jobs eagerly, in process.
CELERY_FILESYSTEM_DIR = Path(os.environ.get("CELERY_FILESYSTEM_DIR", BASE_DIR / ".celery"))
_default_broker = "filesystem://" if DEBUG else "redis://127.0.0.1:6379/0"
CELERY_BROKER_URL = os.environ.get("CELERY_BROKER_URL", _default_broker)
CELERY_RESULT_BACKEND = os.environ.get(
    "CELERY_RESULT_BACKEND",
    f"file://{CELERY_FILESYSTEM_DIR / 'results'}"
    if CELERY_BROKER_URL.startswith("filesystem")
    else CELERY_BROKER_URL,
)
if CELERY_BROKER_URL.startswith("filesystem"):
    CELERY_BROKER_TRANSPORT_OPTIONS = {
        "data_folder_in": str(CELERY_FILESYSTEM_DIR / "queue"),
        "data_folder_out": str(CELERY_FILESYSTEM_DIR / "queue"),
        "processed_folder": str(CELERY_FILESYSTEM_DIR / "processed"),
        # kombu's broadcast (worker control) files; its default is ./control in the cwd
        "control_folder": str(CELERY_FILESYSTEM_DIR / "control"),
        "store_processed": False,
    }
    for _folder in ("queue", "processed", "results", "control"):
        (CELERY_FILESYSTEM_DIR / _folder).mkdir(parents=True, exist_ok=True)
else:
    # A broker that does not answer fails a publish within seconds, not minutes.
    CELERY_BROKER_TRANSPORT_OPTIONS = {"socket_connect_timeout": 3, "socket_timeout": 5}
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
CELERY_TASK_ACKS_LATE = True  # a job whose worker dies is run again (jobs are idempotent)
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1  # solves are long: one at a time per process
CELERY_RESULT_EXPIRES = 24 * 3600
CELERY_TASK_ALWAYS_EAGER = envbool("CELERY_TASK_ALWAYS_EAGER", False)
CELERY_TIMEZONE = TIME_ZONE
CELERY_BEAT_SCHEDULE_FILENAME = str(CELERY_FILESYSTEM_DIR / "beat-schedule")
# The nightly work (times in TIME_ZONE).
CELERY_BEAT_SCHEDULE = {
    "expire-authorizations": {
        "task": "chairside.access.authorizations.tasks.expire_authorizations",
        "schedule": 24 * 3600.0,
    },
    "send-waiting-reports": {
        "task": "chairside.treatments.tasks.send_waiting_reports",
        "schedule": 3600.0,
    },
    "reserve-stock": {
        "task": "chairside.inventory.tasks.reserve_upcoming",
        "schedule": 24 * 3600.0,
    },
    "send-reminders": {
        "task": "chairside.reminders.tasks.send_reminders",
        "schedule": 3600.0,
    },
    "recheck-eligibility": {
        "task": "chairside.interop.tasks.recheck_eligibility",
        "schedule": 24 * 3600.0,
    },
}

# Logs go to standard error: JSON lines (chairside.core.logs) unless LOG_FORMAT=text (the
# default in DEBUG). One line per request at INFO on "chairside.requests" (ids, path,
# status, milliseconds; no patient data); LOG_REQUESTS=false turns it off.
LOG_FORMAT = os.environ.get("LOG_FORMAT", "text" if DEBUG else "json")
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"json": {"()": "chairside.core.logs.JsonFormatter"}},
    "handlers": {
        "console": {
            "class": "logging.StreamHandler",
            **({"formatter": "json"} if LOG_FORMAT == "json" else {}),
        }
    },
    "root": {"handlers": ["console"], "level": os.environ.get("LOG_LEVEL", "WARNING")},
    "loggers": {
        "chairside.requests": {
            "level": "INFO" if envbool("LOG_REQUESTS", True) else "WARNING",
        }
    },
}
MIDDLEWARE.insert(0, "chairside.core.logs.RequestLogMiddleware")

# Error reporting to Sentry, only when SENTRY_DSN is set. No personal data leaves: no
# cookies, users' addresses, request bodies or local variables (they may hold patient data).
SENTRY_DSN = envsecret("SENTRY_DSN")
if SENTRY_DSN:
    import sentry_sdk

    sentry_sdk.init(
        dsn=SENTRY_DSN,
        environment=os.environ.get("SENTRY_ENVIRONMENT", "production"),
        send_default_pii=False,
        max_request_body_size="never",
        include_local_variables=False,
        traces_sample_rate=float(os.environ.get("SENTRY_TRACES_SAMPLE_RATE", "0")),
    )

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

# Booking length (rules.chair_time): minutes of chair time before each infusion for IV access
# and pre-infusion vitals. A center's own practice, not a label figure, so none is assumed.
CHAIR_ACCESS_MINUTES = envint("CHAIR_ACCESS_MINUTES", 0)

# --- FHIR R4 facade (chairside.fhir, /fhir/r4/) ---------------------------------------------
# Appended (as the log-in block does) so that it merges cleanly with other settings work.
INSTALLED_APPS += ["chairside.fhir"]

# --- API: per-token rate limit (chairside.api.throttle) -----------------------------------
# Requests an API token may make per minute (0: no limit); past it the call answers 429 with
# Retry-After. Counted in the default cache: LocMemCache (per process) unless CACHE_URL names
# a Redis server (redis://…), which every web worker then shares (production).
API_TOKEN_RATE_PER_MINUTE = envint("API_TOKEN_RATE_PER_MINUTE", 300)
_cache_url = os.environ.get("CACHE_URL", "")
CACHES = {
    "default": (
        {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": _cache_url}
        if _cache_url
        else {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}
    )
}
