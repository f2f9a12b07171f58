from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand

from chairside.accounts.services import two_factor_required
from chairside.demo import DemoContext, steps
from chairside.demo.foundation import demo_logins
from chairside.demo.keys import DEMO_PASSWORD, DEMO_TOTP_SECRET


class Command(BaseCommand):
    help = "Load the Riverside Infusion Partners demo center (synthetic data). Safe to run twice."

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument(
            "--quiet-logins", action="store_true", help="Do not print the demo log-ins."
        )

    def handle(self, *args: Any, **options: Any) -> None:
        ctx = DemoContext()
        for step in steps():
            step(ctx)
        if not options["quiet_logins"]:
            self.stdout.write(f"\nDemo log-ins (password for all: {DEMO_PASSWORD})")
            for username, role, org in demo_logins():
                code = "  + two-factor code" if two_factor_required(ctx.users[username]) else ""
                self.stdout.write(f"  {username:<12} {role:<12} {org}{code}")
            self.stdout.write(
                f"Two-factor demo secret (add it to an authenticator app): {DEMO_TOTP_SECRET}\n"
                "or print the current code with: .venv/bin/python manage.py democode"
            )
        self.stdout.write(self.style.SUCCESS("Demo center ready: " + "; ".join(ctx.summary)))
