"""The production check (`make prod-check`; CI runs it after the PostgreSQL leg).

It runs exactly what the README's "Production" section says, on this machine:

1. a fresh PostgreSQL database, ``DEBUG=false``, a random ``SECRET_KEY``, Redis as the
   Celery broker and result store (127.0.0.1:6379; the check stops at once, saying so, when
   Redis or PostgreSQL does not answer);
2. ``migrate``, ``seeddemo``, ``collectstatic``, ``check --deploy --fail-level WARNING``;
3. gunicorn, a Celery worker and Celery beat;
4. waits for ``GET /healthz`` to answer 200 (database and broker);
5. plain HTTP is redirected to HTTPS; then, as the TLS-terminating proxy would (it sets
   ``X-Forwarded-Proto: https``), logs in as each demo role (typing the two-factor code for
   admin, biller and manager) and loads the Today page and every page of that role's main
   menu, each of which must answer 200, plus the static files they use;
6. runs one background job end to end: "Optimize this day" on the board, started through
   the page, solved by the worker over Redis, polled until the proposal shows;
7. stops everything it started and drops its database.

Exit status 0 when every step passed. Prints one line per step.
"""

from __future__ import annotations

import http.client
import os
import re
import secrets
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.parse
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from html import unescape
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from chairside.demo.keys import (  # noqa: E402 (after the path is set)
    DEMO_PASSWORD,
    DEMO_ROLES,
    TWO_FACTOR_USERS,
    totp_code,
)

VENV_BIN = Path(sys.executable).parent
PGHOST = os.environ.get("PGHOST", "127.0.0.1")
PGPORT = os.environ.get("PGPORT", "5432")
PGUSER = os.environ.get("PGUSER", "postgres")
REDIS_URL = os.environ.get("PROD_CHECK_REDIS_URL", "redis://127.0.0.1:6379/0")
STARTUP_SECONDS = 90
JOB_SECONDS = 120


class CheckFailedError(Exception):
    pass


def say(message: str) -> None:
    print(f"prod-check: {message}", flush=True)


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


# --- Services this check needs ---------------------------------------------------------------


def require_redis() -> None:
    import redis  # noqa: PLC0415  (only the production check needs the client)

    try:
        redis.Redis.from_url(REDIS_URL, socket_connect_timeout=3, socket_timeout=3).ping()
    except redis.RedisError as exc:
        raise CheckFailedError(
            f"Redis is not answering at {REDIS_URL} ({exc}). The production stack needs it as "
            "the Celery broker: start it (Debian: apt-get install redis-server; "
            "redis-server --daemonize yes) or set PROD_CHECK_REDIS_URL."
        ) from None
    say(f"Redis answers at {REDIS_URL}")


def psql(*sql: str) -> None:
    args = ["psql", "-q", "-v", "ON_ERROR_STOP=1", "-h", PGHOST, "-p", PGPORT, "-U", PGUSER]
    args += ["-d", "postgres"]
    for statement in sql:
        args += ["-c", statement]
    subprocess.run(args, check=True, capture_output=True, text=True)  # noqa: S603


@contextmanager
def database() -> Iterator[str]:
    """A fresh PostgreSQL database for this check, dropped at the end."""
    if not shutil.which("psql"):
        raise CheckFailedError("psql is not installed: the check needs PostgreSQL.")
    ready = subprocess.run(  # noqa: S603
        ["pg_isready", "-q", "-h", PGHOST, "-p", PGPORT],  # noqa: S607
        check=False,
    )
    if ready.returncode != 0:
        raise CheckFailedError(f"PostgreSQL is not answering at {PGHOST}:{PGPORT}.")
    name = f"chairside_prodcheck_{os.getpid()}"
    psql(f"DROP DATABASE IF EXISTS {name}", f"CREATE DATABASE {name}")
    say(f"created database {name}")
    try:
        yield f"postgres://{PGUSER}@{PGHOST}:{PGPORT}/{name}"
    finally:
        try:
            psql(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")
            say(f"dropped database {name}")
        except subprocess.CalledProcessError as exc:
            say(f"could not drop database {name}: {exc.stderr.strip()}")


# --- The stack ------------------------------------------------------------------------------


@dataclass
class Stack:
    env: dict[str, str]
    port: int
    workdir: Path
    processes: list[tuple[str, subprocess.Popen[bytes]]] = field(default_factory=list)

    def manage(self, *args: str) -> None:
        say(f"manage.py {' '.join(args)}")
        done = subprocess.run(  # noqa: S603
            [str(VENV_BIN / "python"), "manage.py", *args],
            cwd=ROOT,
            env=self.env,
            capture_output=True,
            text=True,
            check=False,
        )
        if done.returncode != 0:
            raise CheckFailedError(
                f"manage.py {' '.join(args)} exited {done.returncode}:\n"
                f"{done.stdout[-3000:]}\n{done.stderr[-3000:]}"
            )

    def start(self, name: str, *args: str) -> None:
        log = (self.workdir / f"{name}.log").open("wb")
        process = subprocess.Popen(  # noqa: S603
            list(args), cwd=ROOT, env=self.env, stdout=log, stderr=subprocess.STDOUT
        )
        self.processes.append((name, process))
        say(f"started {name} (pid {process.pid})")

    def stop(self) -> None:
        for _name, process in reversed(self.processes):
            if process.poll() is None:
                process.send_signal(signal.SIGTERM)
        for name, process in reversed(self.processes):
            try:
                process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()
            say(f"stopped {name} (exit {process.returncode})")

    def alive(self) -> None:
        for name, process in self.processes:
            if process.poll() is not None:
                tail = (self.workdir / f"{name}.log").read_text(errors="replace")[-3000:]
                raise CheckFailedError(f"{name} exited {process.returncode}:\n{tail}")

    def logs(self) -> str:
        return "\n".join(
            f"--- {name}.log\n" + (self.workdir / f"{name}.log").read_text(errors="replace")[-2000:]
            for name, _ in self.processes
        )


# --- A browser-like client ------------------------------------------------------------------


class Session:
    """Cookies and CSRF as a browser keeps them, over plain HTTP to gunicorn, with the
    header the TLS-terminating proxy adds (cookies are Secure: sent because the request is
    HTTPS as far as Django knows)."""

    def __init__(self, port: int, *, via_proxy: bool = True) -> None:
        self.port = port
        self.cookies: dict[str, str] = {}
        self.via_proxy = via_proxy

    def request(
        self,
        method: str,
        path: str,
        data: dict[str, str] | None = None,
        headers: dict[str, str] | None = None,
    ) -> tuple[int, dict[str, str], str]:
        connection = http.client.HTTPConnection("127.0.0.1", self.port, timeout=60)
        sent = {"Host": "localhost", **(headers or {})}
        if self.via_proxy:
            sent["X-Forwarded-Proto"] = "https"
        if self.cookies:
            sent["Cookie"] = "; ".join(f"{k}={v}" for k, v in self.cookies.items())
        body = None
        if data is not None:
            body = urllib.parse.urlencode(data)
            sent["Content-Type"] = "application/x-www-form-urlencoded"
            sent["Referer"] = "https://localhost/"
            sent["Origin"] = "https://localhost"
        connection.request(method, path, body=body, headers=sent)
        response = connection.getresponse()
        text = response.read().decode("utf-8", errors="replace")
        for header, value in response.getheaders():
            if header.lower() == "set-cookie":
                name, _, rest = value.partition("=")
                self.cookies[name.strip()] = rest.split(";", 1)[0]
        answer = {k.lower(): v for k, v in response.getheaders()}
        connection.close()
        return response.status, answer, text

    def get(self, path: str, **headers: str) -> tuple[int, dict[str, str], str]:
        return self.request("GET", path, headers=headers)

    def follow(self, path: str) -> tuple[int, str, str]:
        """GET, following redirects within the site; (status, final path, body)."""
        for _ in range(5):
            status, headers, text = self.get(path)
            if status not in (301, 302, 303):
                return status, path, text
            path = urllib.parse.urlsplit(headers["location"]).path or "/"
        raise CheckFailedError(f"too many redirects from {path}")

    def post_form(self, path: str, page: str, fields: dict[str, str]) -> tuple[int, str]:
        token = csrf_token(page)
        status, headers, _ = self.request("POST", path, {"csrfmiddlewaretoken": token, **fields})
        return status, headers.get("location", "")


def csrf_token(page: str) -> str:
    match = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page)
    if not match:
        raise CheckFailedError("no CSRF token on the page")
    return match.group(1)


def log_in(port: int, username: str) -> Session:
    session = Session(port)
    status, _, page = session.follow("/login/")
    if status != 200:
        raise CheckFailedError(f"/login/ answered {status}")
    status, location = session.post_form(
        "/login/", page, {"username": username, "password": DEMO_PASSWORD}
    )
    if status != 302:
        raise CheckFailedError(f"{username}: the log-in was refused ({status})")
    if "/account/two-factor/" in location:
        if username not in TWO_FACTOR_USERS:
            raise CheckFailedError(f"{username}: asked for a two-factor code unexpectedly")
        path = urllib.parse.urlsplit(location).path
        _, _, page = session.follow(path)
        status, location = session.post_form(path, page, {"code": totp_code()})
        if status != 302 or "two-factor" in location:
            raise CheckFailedError(f"{username}: the two-factor code was refused ({status})")
    elif username in TWO_FACTOR_USERS:
        raise CheckFailedError(f"{username}: logged in without the required second factor")
    return session


def main_menu(page: str) -> list[str]:
    nav = re.search(r'<nav class="mainnav"[^>]*>(.*?)</nav>', page, re.S)
    if not nav:
        raise CheckFailedError("the Today page has no main menu")
    return [unescape(href) for href in re.findall(r'href="([^"]+)"', nav.group(1))]


def check_role(port: int, username: str, assets: set[str]) -> int:
    session = log_in(port, username)
    status, _, today = session.follow("/")
    if status != 200:
        raise CheckFailedError(f"{username}: Today answered {status}")
    pages = ["/", *[path for path in main_menu(today) if path != "/"]]
    for path in pages[1:]:
        status, _, text = session.get(path)
        if status != 200:
            raise CheckFailedError(f"{username}: {path} answered {status}")
        assets.update(re.findall(r'(?:src|href)="(/static/[^"]+)"', text))
    assets.update(re.findall(r'(?:src|href)="(/static/[^"]+)"', today))
    say(f"{username} ({DEMO_ROLES[username]}): {len(pages)} pages, all 200: {' '.join(pages)}")
    return len(pages)


def check_static(port: int, assets: set[str]) -> None:
    session = Session(port)
    for path in sorted(assets):
        status, headers, _ = session.get(path)
        if status != 200:
            raise CheckFailedError(f"static file {path} answered {status}")
        if "max-age=315360000" not in headers.get("cache-control", "") and "." in path:
            # WhiteNoise serves hashed names (from the manifest) as cacheable forever.
            raise CheckFailedError(f"static file {path} is not a hashed, cacheable name")
    say(f"{len(assets)} static files served with hashed names")


def check_background_job(port: int) -> None:
    """'Optimize this day' through the board: the worker solves it over Redis."""
    session = log_in(port, "coordinator")
    status, _, board = session.follow("/schedule/")
    if status != 200:
        raise CheckFailedError(f"the board answered {status}")
    match = re.search(r'hx-post="(/schedule/optimize/\?[^"]+)"', board)
    if not match:
        raise CheckFailedError("the board offers no 'Optimize this day' (no open day?)")
    token = csrf_token(board)
    status, _, answer = session.request(
        "POST",
        unescape(match.group(1)),
        {"csrfmiddlewaretoken": token},
        headers={"HX-Request": "true", "X-CSRFToken": token},
    )
    if status != 200:
        raise CheckFailedError(f"starting the optimizer answered {status}")
    started = time.monotonic()
    while "Accept and apply" not in answer and "No move would" not in answer:
        poll = re.search(r'hx-get="(/schedule/optimize/[0-9a-f-]+/)"', answer)
        if not poll:
            raise CheckFailedError(f"the optimizer job answered no progress:\n{answer[:1500]}")
        if time.monotonic() - started > JOB_SECONDS:
            raise CheckFailedError(f"the optimizer job did not finish within {JOB_SECONDS} s")
        time.sleep(1)
        status, _, answer = session.get(poll.group(1), **{"HX-Request": "true"})
        if status != 200:
            raise CheckFailedError(f"polling the job answered {status}:\n{answer[:1500]}")
    seconds = time.monotonic() - started
    say(f"background job 'Optimize this day' done by the worker in {seconds:.1f} s")


def wait_healthy(stack: Stack) -> None:
    deadline = time.monotonic() + STARTUP_SECONDS
    last = ""
    while time.monotonic() < deadline:
        stack.alive()
        try:
            status, _, body = Session(stack.port).get("/healthz")
            if status == 200:
                say(f"/healthz: 200 {body}")
                return
            last = f"{status} {body}"
        except OSError as exc:
            last = str(exc)
        time.sleep(1)
    raise CheckFailedError(f"/healthz did not answer 200 within {STARTUP_SECONDS} s: {last}")


def check_https_redirect(port: int) -> None:
    status, headers, _ = Session(port, via_proxy=False).get("/login/")
    if status != 301 or not headers.get("location", "").startswith("https://"):
        raise CheckFailedError(f"plain HTTP was not redirected to HTTPS ({status})")
    status, headers, _ = Session(port).get("/login/")
    if "max-age=" not in headers.get("strict-transport-security", ""):
        raise CheckFailedError("no Strict-Transport-Security header over HTTPS")
    if "script-src 'self'" not in headers.get("content-security-policy", ""):
        raise CheckFailedError("no Content-Security-Policy header")
    say("plain HTTP redirects to HTTPS; HSTS and Content-Security-Policy are sent")


def run() -> None:
    require_redis()
    with database() as database_url, tempfile.TemporaryDirectory(prefix="prodcheck-") as tmp:
        workdir = Path(tmp)
        port = free_port()
        env = {
            k: v
            for k, v in os.environ.items()
            if k not in {"DJANGO_SETTINGS_MODULE", "DJANGO_ALLOW_ASYNC_UNSAFE"}
        }
        env.update(
            {
                # The README's production settings.
                "DEBUG": "false",
                "SECRET_KEY": secrets.token_urlsafe(50),
                "ALLOWED_HOSTS": "localhost",
                "CSRF_TRUSTED_ORIGINS": "https://localhost",
                # Reminder links are built on it (never followed during the check).
                "PUBLIC_BASE_URL": "https://infusion.example.org",
                "SECURE_PROXY_SSL_HEADER": "true",
                "DATABASE_URL": database_url,
                "CELERY_BROKER_URL": REDIS_URL,
                "CELERY_RESULT_BACKEND": REDIS_URL,
                "STATIC_ROOT": str(workdir / "static"),
                "MEDIA_ROOT": str(workdir / "media"),
                "CELERY_FILESYSTEM_DIR": str(workdir / "celery"),
                "EMAIL_BACKEND": "django.core.mail.backends.locmem.EmailBackend",
                # A smaller demo center (60 patients instead of 300) keeps the check quick.
                "DEMO_PATIENTS": os.environ.get("DEMO_PATIENTS", "60"),
            }
        )
        stack = Stack(env=env, port=port, workdir=workdir)
        try:
            stack.manage("migrate", "--no-input")
            stack.manage("seeddemo")
            stack.manage("collectstatic", "--no-input")
            stack.manage("check", "--deploy", "--fail-level", "WARNING")
            stack.start(
                "gunicorn",
                str(VENV_BIN / "gunicorn"),
                "chairside.wsgi",
                "--workers",
                "2",
                "--bind",
                f"127.0.0.1:{port}",
                "--timeout",
                "60",
            )
            stack.start(
                "celery-worker",
                str(VENV_BIN / "celery"),
                "-A",
                "chairside",
                "worker",
                "--concurrency",
                "1",
                "--loglevel",
                "INFO",
            )
            stack.start(
                "celery-beat",
                str(VENV_BIN / "celery"),
                "-A",
                "chairside",
                "beat",
                "--loglevel",
                "INFO",
                "--schedule",
                str(workdir / "beat-schedule"),
            )
            wait_healthy(stack)
            check_https_redirect(port)
            assets: set[str] = set()
            pages = sum(check_role(port, username, assets) for username in DEMO_ROLES)
            check_static(port, assets)
            check_background_job(port)
            stack.alive()
            say(f"{len(DEMO_ROLES)} roles, {pages} pages: all 200")
        except CheckFailedError:
            say("logs of the stack:\n" + stack.logs())
            raise
        finally:
            stack.stop()


def _stop_on_signal(signum: int, frame: object) -> None:
    raise SystemExit(f"stopped by signal {signum}")  # runs the clean-up (finally) blocks


def main() -> int:
    signal.signal(signal.SIGTERM, _stop_on_signal)
    started = time.monotonic()
    try:
        run()
    except CheckFailedError as exc:
        say(f"FAILED: {exc}")
        return 1
    say(f"passed in {time.monotonic() - started:.0f} s")
    return 0


if __name__ == "__main__":
    sys.exit(main())
