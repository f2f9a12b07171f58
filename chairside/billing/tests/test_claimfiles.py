"""manage.py claimfiles OUTDIR [--organization]: every stored claim file, exactly as sent."""

from __future__ import annotations

from io import StringIO
from pathlib import Path
from typing import Any

import pytest
from django.core.management import CommandError, call_command

from chairside.audit.models import AuditEvent
from chairside.billing.models import ClaimExport
from chairside.billing.services import claims_export
from chairside.billing.tests import factories as bf
from chairside.billing.tests.test_institutional_claims import (
    department,
    hospital_claim,
    office_claim,
)


def files_for(org: Any) -> list[ClaimExport]:
    bf.billable_org(org)
    payer = bf.medicare(org)
    professional = claims_export(organization=org, claims=[office_claim(org, payer)], user=None)
    claim = hospital_claim(org, department(org), payer)
    institutional = claims_export(organization=org, claims=[claim], user=None)
    return [professional, institutional]


def run(*args: str) -> str:
    out = StringIO()
    call_command("claimfiles", *args, stdout=out)
    return out.getvalue()


@pytest.mark.django_db
class TestClaimFiles:
    def test_it_writes_every_file_of_every_organization_exactly_as_sent(
        self, org: Any, other_org: Any, tmp_path: Path
    ) -> None:
        exports = files_for(org) + files_for(other_org)
        summary = run(str(tmp_path / "out"))
        assert "Wrote 4 claim file(s) (837I, 837P) of 2 organization(s)" in summary
        written = sorted(p.name for p in (tmp_path / "out").iterdir())
        assert len(written) == 4
        for export in exports:
            name = next(
                n
                for n in written
                if n.endswith(f"{export.claim_form}-{export.control_number:09d}.x12")
                and n.startswith(export.organization.name.lower().split()[0])
            )
            assert (tmp_path / "out" / name).read_bytes() == export.content.encode()
        assert (
            AuditEvent.objects.filter(
                action=AuditEvent.Action.EXPORT, reason__contains=("claimfiles")
            ).count()
            == 4
        )

    def test_it_writes_one_organizations_files(
        self, org: Any, other_org: Any, tmp_path: Path
    ) -> None:
        files_for(org)
        files_for(other_org)
        run(str(tmp_path), "--organization", str(other_org.public_id))
        names = sorted(p.name for p in tmp_path.iterdir())
        assert len(names) == 2
        assert [n.split("-")[-2] for n in names] == ["837I", "837P"]
        assert all(n.startswith(names[0].rsplit("-", 2)[0]) for n in names)
        assert run(str(tmp_path / "by-id"), "--organization", str(org.pk)).startswith("Wrote 2")

    def test_it_refuses_an_unknown_organization(self, org: Any, tmp_path: Path) -> None:
        with pytest.raises(CommandError, match="No organization"):
            run(str(tmp_path), "--organization", "nobody")
