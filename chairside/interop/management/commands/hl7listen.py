from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError

from chairside.interop.mllp_server import MllpServer, receiver_for
from chairside.tenancy.models import Organization


class Command(BaseCommand):
    help = (
        "Listen for HL7 v2 messages over MLLP (ADT^A04/A08, ORM^O01, REF^I12) for one "
        "organization and answer each with its ACK; they show on Access › Interface messages."
    )

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("--port", type=int, default=2575, help="TCP port (2575: HL7's)")
        parser.add_argument("--host", default="127.0.0.1", help="address to listen on")
        parser.add_argument(
            "--organization", required=True, help="the organization's name or public id"
        )

    def handle(self, *args: Any, **options: Any) -> None:
        wanted = options["organization"].strip()
        found = Organization.objects.filter(name=wanted)
        if not found.exists():
            try:
                found = Organization.objects.filter(public_id=wanted)
                found.exists()
            except Exception:  # not a UUID
                found = Organization.objects.none()
        organization = found.first()
        if organization is None:
            raise CommandError(f"No organization named or with public id '{wanted}'.")
        server = MllpServer((options["host"], options["port"]), receiver_for(organization))
        port = server.server_address[1]
        self.stdout.write(
            f"Listening for HL7 over MLLP on {options['host']}:{port} for {organization}."
        )
        try:
            server.serve_forever()
        except KeyboardInterrupt:
            pass
        finally:
            server.server_close()
        self.stdout.write("Stopped.")
