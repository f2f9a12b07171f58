from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError

from chairside.billing.services.exports import claim_files_write
from chairside.tenancy.models import Organization


class Command(BaseCommand):
    help = (
        "Write every stored claim file (837P and 837I) exactly as it was sent, one file each "
        "named ORGANIZATION-FORM-CONTROLNUMBER.x12, for a clearinghouse hand-off or an "
        "auditor: all organizations, or one with --organization (its ID, public ID or name)."
    )

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("outdir", help="the folder to write into (made if missing)")
        parser.add_argument("--organization", help="the organization's ID, public ID or name")

    def handle(self, *args: Any, **options: Any) -> None:
        outdir = Path(options["outdir"])
        if outdir.exists() and not outdir.is_dir():
            raise CommandError(f"{outdir} is not a folder.")
        organizations = list(Organization.objects.order_by("pk"))
        wanted = options["organization"]
        if wanted:
            organizations = [
                o for o in organizations if wanted in {str(o.pk), str(o.public_id), o.name}
            ]
            if not organizations:
                raise CommandError(f"No organization {wanted!r} (give its ID, public ID or name).")
        outdir.mkdir(parents=True, exist_ok=True)
        written = claim_files_write(organizations=organizations, outdir=outdir)
        forms = sorted({path.name.rsplit("-", 2)[-2] for path in written})
        self.stdout.write(
            f"Wrote {len(written)} claim file(s) ({', '.join(forms) or 'none'}) "
            f"of {len(organizations)} organization(s) to {outdir}."
        )
